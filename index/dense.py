"""The dense vector index: exact inner product over normalised vectors (cosine similarity)."""

from __future__ import annotations

import faiss
import numpy as np

# Exact search is fast enough for tens of thousands of passages and never misses a neighbour.
# (No faiss.omp_set_num_threads here: it is process-wide and would also throttle torch.)


def build_dense(vectors: np.ndarray) -> faiss.Index:
    """An exact inner-product index over the given (already normalised) vectors."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def search_dense(index: faiss.Index, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """(row, cosine) pairs, best first; never more than the index holds."""
    k = min(k, index.ntotal)
    if k <= 0:
        return []
    scores, rows = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
    return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]


def to_bytes(index: faiss.Index) -> bytes:
    return faiss.serialize_index(index).tobytes()


def from_bytes(data: bytes) -> faiss.Index:
    return faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
