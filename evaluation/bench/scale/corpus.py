"""Corpora of any size for the cost curve: SciFact's real passages, then synthetic ones.

The source is SciFact's 5,183 abstracts, read, chunked and segmented exactly as a build does
(16,281 passages, about 48,000 sentences), with their real passage vectors (embedded once by
the real model; the embedding cache makes later runs instant). A synthetic document is ten
consecutive abstracts joined by a blank line, so each carries about 31 passages and a manifest
at a million passages lists some 32,000 documents; offsets are shifted, so every citation
still quotes its own text.

Vectors. Copy 0 of every passage keeps its real vector. Copy k > 0 gets the real vector plus
Gaussian noise, renormalised: its cosine to the original is about `1 / sqrt(1 + NOISE**2)`
(0.85), so copies cluster around real passages as real neighbours do, and an IVF index sees
the same cluster structure it would on real data (uniformly random vectors have none, and
make IVF look falsely bad). Sentence and heading vectors are derived the same way from their
passage's vector (sentences were never embedded for SciFact: 48,000 more texts, an hour on
two cores), with the same noise. Texts of copies repeat the source text, so BM25 postings grow
linearly with the copies, a pessimistic case for its cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from evaluation.beir.data import load_corpus, to_documents
from index.build import DocumentParts, chunk_inputs
from index.storage.sentence_tables import section_starts
from ingest.chunk import ChunkingConfig
from ingest.documents import Document, content_hash
from ingest.embed import Embedder
from ingest.pipeline import PreparedDocument, prepare_documents

ABSTRACTS_PER_DOCUMENT = 10
NOISE = 0.62  # norm of the noise relative to the unit vector: cosine 0.85 to the source
SEED = 7


@dataclass(frozen=True)
class SourcePassages:
    """The real documents, prepared, with one real vector per passage."""

    prepared: tuple[PreparedDocument, ...]
    vectors: tuple[np.ndarray, ...]  # per document, its passages' vectors

    @property
    def passages(self) -> int:
        return sum(len(p.chunks) for p in self.prepared)


def load_source(scifact: Path, embedder: Embedder, chunking: ChunkingConfig) -> SourcePassages:
    """SciFact prepared as a build prepares it, its passages embedded (cached after once)."""
    documents = to_documents(load_corpus(scifact / "corpus.jsonl"))
    prepared = tuple(p for p in prepare_documents(documents, chunking) if p.chunks)
    texts = [t for p in prepared for t in chunk_inputs(p.document, p.chunks)]
    flat = np.asarray(embedder.embed(texts), dtype=np.float32).reshape(len(texts), -1)
    vectors, row = [], 0
    for p in prepared:
        vectors.append(flat[row : row + len(p.chunks)])
        row += len(p.chunks)
    return SourcePassages(prepared, tuple(vectors))


def _noisy(vectors: np.ndarray, rng: np.random.Generator, dtype: np.dtype) -> np.ndarray:
    noise = rng.standard_normal(vectors.shape, dtype=np.float32)
    noise *= NOISE / np.sqrt(vectors.shape[1])
    moved = vectors + noise
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    return moved.astype(dtype)


def _joined(group: list[PreparedDocument], doc_id: str) -> tuple[Document, list[int]]:
    """One document of several abstracts' texts, and where each abstract starts in it."""
    shifts, texts, at = [], [], 0
    for p in group:
        shifts.append(at)
        texts.append(p.document.text)
        at += len(p.document.text) + 2
    text = "\n\n".join(texts)
    sections = tuple(
        replace(
            section,
            start=section.start + shift,
            end=section.end + shift,
            heading_start=None if section.heading_start is None else section.heading_start + shift,
            heading_end=None if section.heading_end is None else section.heading_end + shift,
        )
        for p, shift in zip(group, shifts, strict=True)
        for section in p.document.sections
    )
    title = group[0].document.title
    document = Document(doc_id, title, f"{doc_id}.txt", text, content_hash(text), sections=sections)
    return document, shifts


def synthetic_parts(
    source: SourcePassages, passages: int, dtype: np.dtype
) -> Iterator[DocumentParts]:
    """Documents until `passages` passages are reached (the last document completes)."""
    rng = np.random.default_rng(SEED)
    made, copy = 0, 0
    groups = range(0, len(source.prepared), ABSTRACTS_PER_DOCUMENT)
    while made < passages:
        for first in groups:
            if made >= passages:
                return
            group = list(source.prepared[first : first + ABSTRACTS_PER_DOCUMENT])
            real = np.concatenate(source.vectors[first : first + ABSTRACTS_PER_DOCUMENT])
            parts = _parts(group, real, f"c{copy}-{first}", copy, rng, dtype)
            made += len(parts.chunks)
            yield parts
        copy += 1


def _parts(
    group: list[PreparedDocument],
    real: np.ndarray,
    doc_id: str,
    copy: int,
    rng: np.random.Generator,
    dtype: np.dtype,
) -> DocumentParts:
    document, shifts = _joined(group, doc_id)
    chunks, sentences, owner = [], [], []
    for p, shift in zip(group, shifts, strict=True):
        base = len(chunks)
        for c in p.chunks:
            start, end = c.start + shift, c.end + shift
            chunks.append(
                replace(c, chunk_id=f"{doc_id}:{start}-{end}", doc_id=doc_id, start=start, end=end)
            )
        for s in p.sentences:
            sentences.append(replace(s, doc_id=doc_id, start=s.start + shift, end=s.end + shift))
            inside = [i for i, c in enumerate(p.chunks) if c.start <= s.start < c.end]
            owner.append(base + (inside[0] if inside else 0))
    passage_vectors = real if copy == 0 else _noisy(real, rng, np.dtype(np.float32))
    sentence_vectors = _noisy(passage_vectors[owner], rng, dtype)
    firsts = section_starts(sentences)[:-1].tolist()
    section_vectors = _noisy(passage_vectors[[owner[i] for i in firsts]], rng, dtype)
    return DocumentParts(
        document,
        tuple(chunks),
        tuple(sentences),
        passage_vectors.astype(dtype),
        sentence_vectors,
        section_vectors,
    )
