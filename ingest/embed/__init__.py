"""Embedding texts with a local sentence-transformers model, on torch or ONNX Runtime.

Importing this package imports neither torch nor transformers: the torch backend and the ONNX
export import them when they load. `Embedder` is the protocol both backends implement;
`create_embedder` (factory.py) chooses between them.
"""

from ingest.embed.cache import EmbeddingCache
from ingest.embed.export_store import OnnxExportError
from ingest.embed.factory import EmbedderConfig, Purpose, create_embedder
from ingest.embed.model_dir import (
    DEFAULT_MODEL_NAME,
    ModelNotFound,
    check_model_dir,
    default_model_dir,
    model_fingerprint,
)
from ingest.embed.onnx_backend import OnnxEmbedder
from ingest.embed.protocol import (
    BACKENDS,
    PRECISIONS,
    Backend,
    Embedder,
    ModelInfo,
    Precision,
    embedding_input,
)
from ingest.embed.torch_backend import TorchEmbedder

__all__ = [
    "BACKENDS",
    "DEFAULT_MODEL_NAME",
    "PRECISIONS",
    "Backend",
    "Embedder",
    "EmbedderConfig",
    "EmbeddingCache",
    "ModelInfo",
    "ModelNotFound",
    "OnnxEmbedder",
    "OnnxExportError",
    "Precision",
    "Purpose",
    "TorchEmbedder",
    "check_model_dir",
    "create_embedder",
    "default_model_dir",
    "embedding_input",
    "model_fingerprint",
]
