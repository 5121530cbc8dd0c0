"""ONNX Runtime embeddings from a local export: onnxruntime, tokenizers and numpy, nothing else.

This is the query path of `rag serve`, `rag ask` and `rag search`, so it never imports torch,
transformers or sentence-transformers (tests/ingest/test_onnx_backend.py checks sys.modules in a
fresh process). tokenizer.json is the source model's own fast tokenizer, saved at export; the
truncation length, padding and special tokens are set here exactly as sentence-transformers
sets them, so the graph sees the same token ids.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.embed.cache import CachedEmbedding, EmbeddingCache
from ingest.embed.export_store import (
    TOKENIZER_FILE,
    ExportMetadata,
    OnnxExportError,
    export_dir,
    is_complete,
)
from ingest.embed.model_dir import check_model_dir, model_fingerprint
from ingest.embed.onnx_session import open_session
from ingest.embed.protocol import Backend, ModelInfo, Precision, precision_fingerprint

if TYPE_CHECKING:  # numpy loads with the first embedding, not with `rag --help`
    import numpy as np

OUTPUT_NAME = "sentence_embedding"


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Unit rows, as sentence-transformers' normalize_embeddings (same epsilon)."""
    import numpy as np

    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


class OnnxSentenceEncoder:
    """One loaded export: tokenise, pad per batch, run the graph, normalise."""

    def __init__(self, directory: Path, *, threads: int = 0) -> None:
        from tokenizers import Tokenizer

        self.directory = directory
        self.meta = ExportMetadata.read(directory)
        self.session = open_session(directory, threads=threads)  # 0 threads: one per core
        self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self.tokenizer.no_padding()  # padded per batch below, to that batch's longest text
        self.tokenizer.enable_truncation(
            max_length=self.meta.max_seq_length,
            strategy="longest_first",
            direction=self.meta.truncation_side,
        )

    def _feed(self, encodings: Sequence[Any]) -> dict[str, np.ndarray]:
        import numpy as np

        width = max(len(e.ids) for e in encodings)
        shape = (len(encodings), width)
        ids = np.full(shape, self.meta.pad_token_id, dtype=np.int64)
        mask = np.zeros(shape, dtype=np.int64)
        types = np.full(shape, self.meta.pad_token_type_id, dtype=np.int64)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            span = slice(width - n, width) if self.meta.padding_side == "left" else slice(0, n)
            ids[row, span] = encoding.ids
            mask[row, span] = encoding.attention_mask
            types[row, span] = encoding.type_ids
        columns = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return {name: columns[name] for name in self.meta.input_names}

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        """Rows in the order of `texts`; batches are formed longest first to pad least."""
        import numpy as np

        encodings = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        out = np.empty((len(texts), self.meta.dimension), dtype=np.float32)
        bar = _progress_bar(len(texts)) if progress else None
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            feed = self._feed([encodings[i] for i in rows])
            out[rows] = self.session.run([OUTPUT_NAME], feed)[0]
            if bar is not None:
                bar.update(len(rows))
        if bar is not None:
            bar.close()
        return normalise(out)


def _progress_bar(total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="text", desc="Embedding")


class OnnxEmbedder(CachedEmbedding):
    """The Embedder protocol over an ONNX export; `warm_up` makes the export first if allowed."""

    def __init__(
        self,
        model_dir: Path,
        *,
        export_root: Path,
        precision: Precision = Precision.FP32,
        name: str | None = None,
        threads: int = 0,
        batch_size: int = 32,
        cache: EmbeddingCache | None = None,
        make_export: Callable[[], Path] | None = None,
    ) -> None:
        check_model_dir(model_dir)
        self.model_dir = model_dir
        self.name = name or model_dir.name
        self.precision = precision
        self.threads = threads
        self.batch_size = batch_size
        self.cache = cache
        self.source_fingerprint = model_fingerprint(model_dir)  # the torch model's, too
        self.fingerprint = precision_fingerprint(self.source_fingerprint, precision)
        self.directory = export_dir(export_root, self.source_fingerprint, precision)
        self._make_export = make_export
        self._encoder: OnnxSentenceEncoder | None = None
        self._loading = threading.Lock()

    @property
    def exported(self) -> bool:
        return is_complete(self.directory)

    def warm_up(self) -> None:
        """Make the export if it is missing and allowed, then load the session and tokenizer."""
        self._load()

    def _load(self) -> OnnxSentenceEncoder:
        with self._loading:
            if self._encoder is None:
                if not self.exported:
                    if self._make_export is None:
                        raise OnnxExportError(
                            f"no ONNX export of {self.name} at {self.directory}; build the index "
                            "once (`rag index`) to make it, or set RAG_EMBED_BACKEND=torch"
                        )
                    self._make_export()
                self._encoder = OnnxSentenceEncoder(self.directory, threads=self.threads)
            return self._encoder

    @property
    def encoder(self) -> OnnxSentenceEncoder:
        return self._encoder or self._load()

    @property
    def dimension(self) -> int:
        return self.encoder.meta.dimension

    def info(self) -> ModelInfo:
        meta = self.encoder.meta
        return ModelInfo(
            name=self.name,
            path=str(self.model_dir),
            fingerprint=self.fingerprint,
            dimension=meta.dimension,
            max_seq_length=meta.max_seq_length,
            backend=Backend.ONNX.value,
            precision=self.precision.value,
        )

    def _encode(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        return self.encoder.encode(texts, batch_size=self.batch_size, progress=progress)
