"""Approximate nearest neighbours for large indexes: an inverted file over 8-bit vectors.

IVF-SQ8 rather than HNSW: on two cores it builds a million 384-d vectors in minutes (HNSW
takes far longer), a vector costs 384 bytes instead of 1,536 plus graph links, and its one
knob, nprobe, trades recall for time predictably. `nlist` follows FAISS's guideline of
about 4·sqrt(n) lists. nprobe is chosen at build time as the smallest that reaches
`TARGET_RECALL` recall@10 against exact search on probe queries made from the index's own
vectors (`calibrated_nprobe`), so the manifest records a tested setting rather than a guess.
Everything is seeded: the same vectors give the same index.
"""

from __future__ import annotations

import math

import faiss
import numpy as np

TARGET_RECALL = 0.97  # on build-time probes; the scale benchmark checks real questions (>= 0.95)
PROBES = 256
PROBE_MIX = 3
NPROBE_CHOICES = (8, 16, 32, 48, 64, 96, 128, 192, 256)
TRAINING_POINTS_PER_LIST = 64
SEED = 1234


def lists_for(rows: int) -> int:
    """About 4·sqrt(rows) lists, a multiple of 64, at least 256."""
    return max(256, round(4 * math.sqrt(rows) / 64) * 64)


def build_ivf(vectors: np.ndarray) -> faiss.Index:
    """An IVF-SQ8 inner-product index over normalised float32 vectors, nprobe calibrated."""
    rows, dimension = vectors.shape
    nlist = lists_for(rows)
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.cp.spherical = True  # centroids on the unit sphere, as the vectors are
    index.cp.seed = SEED
    rng = np.random.default_rng(SEED)
    wanted = min(rows, TRAINING_POINTS_PER_LIST * nlist)
    sample = vectors[np.sort(rng.choice(rows, wanted, replace=False))]
    index.train(sample)
    index.add(vectors)
    index.nprobe = calibrated_nprobe(index, vectors, rng)
    return index


def exact_neighbours(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Row ids of the exact k nearest by inner product (brute force, no copy of `vectors`)."""
    _, rows = faiss.knn(
        np.ascontiguousarray(queries, dtype=np.float32),
        np.ascontiguousarray(vectors, dtype=np.float32),
        k,
        metric=faiss.METRIC_INNER_PRODUCT,
    )
    return rows


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each query's true neighbours that were found."""
    hits = [len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits)) / truth.shape[1] if len(hits) else 1.0


def calibrated_nprobe(index: faiss.Index, vectors: np.ndarray, rng: np.random.Generator) -> int:
    """The smallest nprobe whose recall@10 on probe queries reaches TARGET_RECALL.

    A probe is the normalised sum of PROBE_MIX random stored vectors: like a real question it
    falls between clusters rather than on a passage. Measured on SciFact at 100,000 passages,
    its recall by nprobe tracks that of SciFact's real questions within 0.04 (0.91 / 0.96 /
    0.97 at nprobe 16 / 32 / 48 against the questions' 0.94 / 0.95 / 0.97); a stored vector
    as the probe says 0.99 at nprobe 8, which real questions reach only at 128.
    """
    picks = rng.choice(len(vectors), (min(PROBES, len(vectors)), PROBE_MIX))
    queries = vectors[picks].sum(axis=1)
    queries /= np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    truth = exact_neighbours(vectors, queries, 10)
    for nprobe in NPROBE_CHOICES:
        index.nprobe = nprobe
        _, found = index.search(queries, 10)
        if recall_at(found, truth) >= TARGET_RECALL:
            return nprobe
    return NPROBE_CHOICES[-1]
