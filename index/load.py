"""Loading an index version into memory, after verifying it against its manifest."""

from __future__ import annotations

import bisect
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.dense import from_bytes
from index.lexical import LexicalIndex, build_lexical
from index.manifest import IndexCorrupt, Manifest
from index.store import current_version, verify_files
from ingest.chunk import Chunk
from ingest.documents import Document
from ingest.embed import embedding_input
from ingest.pipeline import SentenceRecord


@dataclass(frozen=True)
class IndexData:
    """One immutable, fully loaded index version; swapping versions swaps this object."""

    path: Path
    manifest: Manifest
    documents: dict[str, Document]
    chunks: tuple[Chunk, ...]
    dense: faiss.Index
    lexical: LexicalIndex
    sentences: tuple[SentenceRecord, ...]
    sentence_vectors: np.ndarray
    sentence_terms: tuple[frozenset[str], ...]
    heading_terms: tuple[frozenset[str], ...]  # per sentence, the terms of its section heading
    sentence_centrality: np.ndarray  # per sentence, cosine to the corpus centroid (genericness)
    sentence_paragraph: tuple[int, ...]
    term_frequency: dict[str, int]  # in how many sentences each term occurs
    chunk_sentences: tuple[tuple[int, ...], ...]

    @property
    def version(self) -> str:
        return self.manifest.build_id


def _records(path: Path, cls: type) -> list:
    try:
        with path.open(encoding="utf-8") as handle:
            return [cls(**json.loads(line)) for line in handle if line.strip()]
    except (json.JSONDecodeError, TypeError) as error:
        raise IndexCorrupt(f"{path.name} cannot be read ({error})") from error


def _sentences_of_chunks(
    chunks: list[Chunk], sentences: list[SentenceRecord]
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


def _centrality(vectors: np.ndarray) -> np.ndarray:
    """Each sentence's cosine to the normalised mean sentence: high for generic sentences."""
    if not len(vectors):
        return np.zeros(0, dtype=np.float32)
    centroid = vectors.mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    return vectors @ (centroid / norm if norm else centroid)


def _paragraphs(sentences: list[SentenceRecord], documents: dict[str, Document]) -> tuple[int, ...]:
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


def load_index(root: Path) -> IndexData:
    """Load the current version under `root`; raises IndexNotFound or IndexCorrupt."""
    version = current_version(root)
    manifest = Manifest.read(version)
    verify_files(version, manifest)
    chunks = _records(version / "chunks.jsonl", Chunk)
    sentences = _records(version / "sentences.jsonl", SentenceRecord)
    documents = {d.doc_id: d for d in _records(version / "documents.jsonl", Document)}
    try:
        dense = from_bytes((version / "dense.faiss").read_bytes())
        vectors = np.load(io.BytesIO((version / "sentence_vectors.npy").read_bytes()))
    except (RuntimeError, ValueError) as error:
        raise IndexCorrupt(f"{version.name}: vector files cannot be read ({error})") from error
    if dense.ntotal != len(chunks) or len(vectors) != len(sentences):
        raise IndexCorrupt(
            f"{version.name}: {dense.ntotal} vectors for {len(chunks)} chunks, "
            f"{len(vectors)} for {len(sentences)} sentences"
        )
    lexical = build_lexical(
        [embedding_input(documents[c.doc_id].title, c.section, c.text) for c in chunks]
    )
    sentence_terms = tuple(frozenset(lexical.terms(s.text)) for s in sentences)
    headings = {s.section: frozenset(lexical.terms(s.section)) for s in sentences}
    return IndexData(
        path=version,
        manifest=manifest,
        documents=documents,
        chunks=tuple(chunks),
        dense=dense,
        lexical=lexical,
        sentences=tuple(sentences),
        sentence_vectors=vectors,
        sentence_terms=sentence_terms,
        heading_terms=tuple(headings[s.section] for s in sentences),
        sentence_centrality=_centrality(vectors),
        term_frequency=dict(Counter(t for terms in sentence_terms for t in terms)),
        sentence_paragraph=_paragraphs(sentences, documents),
        chunk_sentences=_sentences_of_chunks(chunks, sentences),
    )
