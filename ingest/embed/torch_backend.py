"""sentence-transformers on torch: the reference backend, and the one that can export to ONNX.

torch, transformers and sentence-transformers are imported inside `warm_up`, so importing this
module (or `ingest.embed`) stays cheap for processes that never use it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.embed.cache import CachedEmbedding, EmbeddingCache
from ingest.embed.model_dir import check_model_dir, model_fingerprint
from ingest.embed.protocol import Backend, ModelInfo, Precision

if TYPE_CHECKING:  # numpy loads with the first embedding, not with `rag --help`
    import numpy as np


def load_sentence_transformer(model_dir: Path, device: str = "cpu") -> Any:
    """The model from its local directory, in inference mode (the export uses it too)."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device=device, local_files_only=True)
    return model.eval()


def sentence_dimension(model: Any) -> int:
    """Vector length, under the name this sentence-transformers version uses."""
    getter = (
        getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    )
    return int(getter())


class TorchEmbedder(CachedEmbedding):
    """Normalised float32 embeddings from sentence-transformers; loads in `warm_up`."""

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
        self._model: Any = None
        self._loading = threading.Lock()

    def warm_up(self) -> None:
        """Import torch and load the model now (start-up) rather than on the first request."""
        with self._loading:
            if self._model is None:
                self._model = load_sentence_transformer(self.model_dir, self.device)

    @property
    def model(self) -> Any:
        self.warm_up()
        return self._model

    @property
    def dimension(self) -> int:
        return sentence_dimension(self.model)

    def info(self) -> ModelInfo:
        return ModelInfo(
            name=self.name,
            path=str(self.model_dir),
            fingerprint=self.fingerprint,
            dimension=self.dimension,
            max_seq_length=int(self.model.max_seq_length),
            backend=Backend.TORCH.value,
            precision=Precision.FP32.value,
        )

    def _encode(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        import numpy as np

        # sentence-transformers sorts by length before batching and restores the order itself.
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)
