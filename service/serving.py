"""What the service derives from a loaded index version, once per load, for answering.

The index stores documents, chunks, sentences and vectors (index/load.py). Which sentences sit
in which passage, each sentence's content terms, its paragraph and how generic it is are the
service's own reading of that data; they are computed here when a version is loaded, and a
version swap replaces the whole object at once.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.lexical import LexicalIndex
from index.load import IndexData
from index.manifest import Manifest
from ingest.chunk import Chunk
from ingest.documents import Document
from ingest.pipeline import SentenceRecord


@dataclass(frozen=True)
class ServingIndex:
    """One loaded index version and what answering derives from it."""

    data: IndexData
    chunk_sentences: tuple[tuple[int, ...], ...]  # per chunk, the sentences it overlaps
    sentence_terms: tuple[frozenset[str], ...]
    heading_terms: tuple[frozenset[str], ...]  # per sentence, the terms of its section heading
    sentence_centrality: np.ndarray  # per sentence, cosine to the corpus centroid (genericness)
    sentence_paragraph: tuple[int, ...]
    term_frequency: dict[str, int]  # in how many sentences each term occurs

    @classmethod
    def of(cls, data: IndexData) -> ServingIndex:
        """Derive everything answering needs from a freshly loaded version."""
        lexical = data.lexical
        sentence_terms = tuple(frozenset(lexical.terms(s.text)) for s in data.sentences)
        headings = {s.section: frozenset(lexical.terms(s.section)) for s in data.sentences}
        return cls(
            data=data,
            chunk_sentences=sentences_of_chunks(data.chunks, data.sentences),
            sentence_terms=sentence_terms,
            heading_terms=tuple(headings[s.section] for s in data.sentences),
            sentence_centrality=centrality(data.sentence_vectors),
            sentence_paragraph=paragraphs(data.sentences, data.documents),
            term_frequency=dict(Counter(t for terms in sentence_terms for t in terms)),
        )

    # The stored data, named as callers have always read it from an index.
    @property
    def version(self) -> str:
        return self.data.version

    @property
    def path(self) -> Path:
        return self.data.path

    @property
    def manifest(self) -> Manifest:
        return self.data.manifest

    @property
    def documents(self) -> dict[str, Document]:
        return self.data.documents

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        return self.data.chunks

    @property
    def sentences(self) -> tuple[SentenceRecord, ...]:
        return self.data.sentences

    @property
    def sentence_vectors(self) -> np.ndarray:
        return self.data.sentence_vectors

    @property
    def dense(self) -> faiss.Index:
        return self.data.dense

    @property
    def lexical(self) -> LexicalIndex:
        return self.data.lexical


def sentences_of_chunks(
    chunks: tuple[Chunk, ...], sentences: tuple[SentenceRecord, ...]
) -> tuple[tuple[int, ...], ...]:
    """For each chunk, the ids of the sentences its span overlaps (offset order)."""
    by_doc: dict[str, list[tuple[int, int, int]]] = {}
    for sid, s in enumerate(sentences):
        by_doc.setdefault(s.doc_id, []).append((s.start, s.end, sid))
    for spans in by_doc.values():
        spans.sort()
    result = []
    for chunk in chunks:
        spans = by_doc.get(chunk.doc_id, [])
        first = max(bisect.bisect_left(spans, (chunk.start,)) - 1, 0)
        ids = [sid for start, end, sid in spans[first:] if start < chunk.end and end > chunk.start]
        result.append(tuple(ids))
    return tuple(result)


def centrality(vectors: np.ndarray) -> np.ndarray:
    """Each sentence's cosine to the normalised mean sentence: high for generic sentences."""
    if not len(vectors):
        return np.zeros(0, dtype=np.float32)
    centroid = vectors.mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    return vectors @ (centroid / norm if norm else centroid)


def paragraphs(
    sentences: tuple[SentenceRecord, ...], documents: dict[str, Document]
) -> tuple[int, ...]:
    """A paragraph number per sentence: a new one after every line break or section change."""
    numbers, current = [], 0
    for i, s in enumerate(sentences):
        if i:
            before = sentences[i - 1]
            same = (before.doc_id, before.section) == (s.doc_id, s.section)
            if not same or "\n" in documents[s.doc_id].text[before.end : s.start]:
                current += 1
        numbers.append(current)
    return tuple(numbers)
