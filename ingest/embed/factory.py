"""Choosing the embedding backend: one place decides between ONNX Runtime and torch.

RAG_EMBED_BACKEND=auto uses ONNX when the export exists. When it does not, a build (which
imports torch anyway the first time) makes it; a query-only process (serve, ask, search)
falls back to torch with one log line rather than writing build outputs. `onnx` makes the
export when needed or fails saying why; `torch` always uses torch. int8 has no torch
equivalent, so it always uses (and if needed makes) its ONNX export.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path

from ingest.embed.cache import EmbeddingCache
from ingest.embed.export_store import OnnxExportError, export_dir, is_complete
from ingest.embed.onnx_backend import OnnxEmbedder
from ingest.embed.onnx_export import ensure_export
from ingest.embed.protocol import Backend, Embedder, Precision
from ingest.embed.torch_backend import TorchEmbedder
from ingest.log import Log

_logger = logging.getLogger("rag.embed")


class Purpose(StrEnum):
    """What the process embeds for: BUILD may make the ONNX export, QUERY never does (auto)."""

    BUILD = "build"
    QUERY = "query"


@dataclass(frozen=True)
class EmbedderConfig:
    """Everything the factory needs; service/config.py's Settings supply the values."""

    model_dir: Path
    name: str
    export_root: Path  # exports go to <export_root>/<fingerprint>-<precision>/
    backend: Backend = Backend.AUTO
    precision: Precision = Precision.FP32
    threads: int = 0  # ONNX Runtime intra-op threads; 0 is its default (one per core)
    device: str = "cpu"  # torch only
    batch_size: int = 32
    purpose: Purpose = Purpose.BUILD

    def __post_init__(self) -> None:
        object.__setattr__(self, "backend", Backend(self.backend))
        object.__setattr__(self, "precision", Precision(self.precision))
        object.__setattr__(self, "purpose", Purpose(self.purpose))
        if self.backend is Backend.TORCH and self.precision is not Precision.FP32:
            raise ValueError(f"precision {self.precision.value} needs the ONNX backend, not torch")
        if self.threads < 0 or self.batch_size < 1:
            raise ValueError("threads must be >= 0 and batch_size >= 1")


def torch_installed() -> bool:
    """Whether torch could be imported, found without importing it."""
    return importlib.util.find_spec("torch") is not None


def create_embedder(
    config: EmbedderConfig,
    *,
    cache: EmbeddingCache | None = None,
    log: Log | None = None,
    torch_available: bool | None = None,
) -> Embedder:
    """The embedder the configuration asks for; cheap (nothing loads before `warm_up`)."""
    say = _logger.warning if log is None else log
    has_torch = torch_installed() if torch_available is None else torch_available
    if config.backend is Backend.TORCH:
        return _torch(config, cache)
    make = partial(
        ensure_export,
        config.model_dir,
        config.export_root,
        config.precision,
        name=config.name,
    )
    onnx = partial(
        OnnxEmbedder,
        config.model_dir,
        export_root=config.export_root,
        precision=config.precision,
        name=config.name,
        threads=config.threads,
        batch_size=config.batch_size,
        cache=cache,
    )
    embedder = onnx()
    if embedder.exported:
        return embedder
    can_export = has_torch or (
        config.precision is not Precision.FP32 and _fp32_exported(config, embedder)
    )
    wants_export = (
        config.backend is Backend.ONNX
        or config.precision is not Precision.FP32
        or config.purpose is Purpose.BUILD
    )
    if wants_export and can_export:
        return onnx(make_export=partial(make, log=say))
    if config.backend is Backend.AUTO and config.precision is Precision.FP32 and has_torch:
        say(
            f"no ONNX export of {config.name} yet (made by the next index build, `rag index`); "
            "embedding with torch for now"
        )
        return _torch(config, cache)
    raise OnnxExportError(
        f"no ONNX export of {config.name} at {embedder.directory}, and torch, which is needed "
        "once to make it, is not installed; install torch and run `rag index`"
    )


def _fp32_exported(config: EmbedderConfig, embedder: OnnxEmbedder) -> bool:
    """int8 is quantised from the fp32 export, which needs no torch once it exists."""
    return is_complete(export_dir(config.export_root, embedder.source_fingerprint, Precision.FP32))


def _torch(config: EmbedderConfig, cache: EmbeddingCache | None) -> TorchEmbedder:
    return TorchEmbedder(
        config.model_dir,
        name=config.name,
        device=config.device,
        batch_size=config.batch_size,
        cache=cache,
    )
