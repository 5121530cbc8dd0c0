"""The dense vector index: inner product over normalised vectors (cosine similarity), its FAISS
type chosen by size.

Below `EXACT_LIMIT` passages the index is exact (IndexFlatIP): fast enough, and it never misses
a neighbour. From there on it is an inverted file over 8-bit scalar-quantised vectors
(index/ann.py), a quarter of the memory of flat vectors and a small share of them scanned per
query. The type and its parameters are recorded in the manifest (`describe`) and re-applied
at load (`configure`), since FAISS does not keep every search parameter with the index.
(No faiss.omp_set_num_threads here: it is process-wide and would also throttle torch.)
"""

from __future__ import annotations

import faiss
import numpy as np

from index.ann import build_ivf

EXACT_LIMIT = 100_000
FLAT = "Flat"


def build_dense(vectors: np.ndarray) -> faiss.Index:
    """The index for these (already normalised) vectors: exact below EXACT_LIMIT rows."""
    if len(vectors) >= EXACT_LIMIT:
        return build_ivf(np.ascontiguousarray(vectors, dtype=np.float32))
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def is_exact(index: faiss.Index) -> bool:
    return isinstance(index, faiss.IndexFlat)


def describe(index: faiss.Index) -> dict:
    """The FAISS type and the parameters that shape its results, for the manifest."""
    if is_exact(index):
        return {"type": FLAT, "metric": "inner_product", "exact_below": EXACT_LIMIT}
    ivf = faiss.extract_index_ivf(index)
    return {
        "type": "IVF-SQ8",
        "factory": f"IVF{ivf.nlist},SQ8",
        "metric": "inner_product",
        "nlist": int(ivf.nlist),
        "nprobe": int(ivf.nprobe),
        "exact_below": EXACT_LIMIT,
    }


def configure(index: faiss.Index, params: dict) -> None:
    """Apply the search parameters the manifest recorded (nprobe for an inverted file)."""
    if not is_exact(index) and "nprobe" in params:
        faiss.extract_index_ivf(index).nprobe = int(params["nprobe"])


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
