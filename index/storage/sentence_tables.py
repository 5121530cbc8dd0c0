"""Per-sentence tables answering reads, derived once when a version is written.

Which sentences a passage overlaps, each sentence's content terms, its section and paragraph,
and how generic it is (cosine to the corpus centroid) depend only on the version's own rows,
so the build computes them and stores them as arrays (index/storage/tables.py) instead of every
worker recomputing them, as Python sets and tuples, at every load. They are derived from the
assembled version in `write_parts`, so an incremental build stores exactly what a full one does.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.lexical import content_terms
from index.storage.tables import Ragged, TermSets, load_array, save_array
from ingest.chunk import Chunk
from ingest.documents import Document
from ingest.pipeline import SentenceRecord

VOCABULARY_FILE = "sentence_terms.vocabulary.json"
_ARRAYS = ("sentence_section", "section_starts", "sentence_paragraph", "sentence_centrality")
_RAGGED = ("chunk_sentences", "sentence_terms", "section_terms")
TERM_BATCH = 50_000  # sentences tokenised at once: bounds the build's peak memory
CENTRALITY_BLOCK = 65_536


@dataclass(frozen=True)
class SentenceTables:
    """The stored per-sentence (and per-section) tables of one version."""

    chunk_sentences: Ragged  # per chunk, the sentence ids its span overlaps
    sentence_terms: Ragged  # per sentence, ids into `vocabulary`
    section_terms: Ragged  # per section, the ids of its heading's terms
    vocabulary: tuple[str, ...]
    term_counts: np.ndarray  # per vocabulary id, in how many sentences the term occurs
    sentence_section: np.ndarray  # per sentence, its section id
    section_starts: np.ndarray  # section s is sentences section_starts[s]:section_starts[s+1]
    sentence_paragraph: np.ndarray
    sentence_centrality: np.ndarray

    def term_sets(self) -> TermSets:
        return TermSets(self.sentence_terms, self.vocabulary)

    def heading_term_sets(self) -> TermSets:
        return TermSets(self.section_terms, self.vocabulary, self.sentence_section)

    def term_frequency(self) -> dict[str, int]:
        """In how many sentences each term occurs (one entry per vocabulary term)."""
        counts = self.term_counts.tolist()
        return {t: c for t, c in zip(self.vocabulary, counts, strict=True) if c}

    @classmethod
    def derive(
        cls,
        documents: Mapping[str, Document],
        chunks: Sequence[Chunk],
        sentences: Sequence[SentenceRecord],
        sentence_vectors: np.ndarray,
    ) -> SentenceTables:
        starts = section_starts(sentences)
        headings = [sentences[int(s)].section for s in starts[:-1]]
        sentence_words = _terms([s.readable for s in sentences])
        heading_words = _terms(headings)
        vocabulary = tuple(sorted({t for ts in sentence_words + heading_words for t in ts}))
        ids = {t: i for i, t in enumerate(vocabulary)}
        sentence_ids = Ragged.of(sorted({ids[t] for t in ts}) for ts in sentence_words)
        counts = np.bincount(sentence_ids.values, minlength=len(vocabulary)).astype(np.int64)
        section_of = np.repeat(np.arange(len(starts) - 1, dtype=np.int32), np.diff(starts))
        return cls(
            chunk_sentences=sentences_of_chunks(chunks, sentences),
            sentence_terms=sentence_ids,
            section_terms=Ragged.of(sorted({ids[t] for t in ts}) for ts in heading_words),
            vocabulary=vocabulary,
            term_counts=counts,
            sentence_section=section_of,
            section_starts=starts,
            sentence_paragraph=paragraphs(sentences, documents),
            sentence_centrality=centrality(sentence_vectors),
        )

    def save(self, directory: Path) -> None:
        for name in _RAGGED:
            getattr(self, name).save(directory, name)
        for name in _ARRAYS:
            save_array(directory / f"{name}.npy", getattr(self, name))
        save_array(directory / "sentence_terms.counts.npy", self.term_counts)
        (directory / VOCABULARY_FILE).write_text(
            json.dumps(list(self.vocabulary), ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path, mapped: bool = True) -> SentenceTables:
        vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(
            **{name: Ragged.load(directory, name, mapped) for name in _RAGGED},
            **{name: load_array(directory / f"{name}.npy", mapped) for name in _ARRAYS},
            vocabulary=tuple(vocabulary),
            term_counts=load_array(directory / "sentence_terms.counts.npy", mapped),
        )


def _terms(texts: list[str]) -> list[list[str]]:
    words: list[list[str]] = []
    for first in range(0, len(texts), TERM_BATCH):
        words += content_terms(texts[first : first + TERM_BATCH])
    return words


def section_starts(sentences: Sequence[SentenceRecord]) -> np.ndarray:
    """Where each section (a run of sentences sharing document and heading) starts, plus the
    end."""
    starts = [
        sid
        for sid, s in enumerate(sentences)
        if not sid
        or (sentences[sid - 1].doc_id, sentences[sid - 1].section) != (s.doc_id, s.section)
    ]
    return np.asarray([*starts, len(sentences)], dtype=np.int64)


def sentences_of_chunks(chunks: Sequence[Chunk], sentences: Sequence[SentenceRecord]) -> Ragged:
    """For each chunk, the ids of the sentences its span overlaps (offset order)."""
    by_doc: dict[str, list[tuple[int, int, int]]] = {}
    for sid, s in enumerate(sentences):
        by_doc.setdefault(s.doc_id, []).append((s.start, s.end, sid))
    for spans in by_doc.values():
        spans.sort()
    rows = []
    for chunk in chunks:
        spans = by_doc.get(chunk.doc_id, [])
        first = max(bisect.bisect_left(spans, (chunk.start,)) - 1, 0)
        rows.append(
            [sid for start, end, sid in spans[first:] if start < chunk.end and end > chunk.start]
        )
    return Ragged.of(rows)


def centrality(vectors: np.ndarray) -> np.ndarray:
    """Each sentence's cosine to the normalised mean sentence: high for generic sentences.

    float16 (large) matrices are read in blocks, never converted whole."""
    if not len(vectors):
        return np.zeros(0, dtype=np.float32)
    if vectors.dtype == np.float32:
        centroid = vectors.mean(axis=0)
    else:
        centroid = vectors.mean(axis=0, dtype=np.float32)
    norm = float(np.linalg.norm(centroid))
    direction = centroid / norm if norm else centroid
    if vectors.dtype == np.float32:
        return np.asarray(vectors @ direction, dtype=np.float32)
    return np.concatenate(
        [
            vectors[i : i + CENTRALITY_BLOCK].astype(np.float32) @ direction
            for i in range(0, len(vectors), CENTRALITY_BLOCK)
        ]
    ).astype(np.float32)


def paragraphs(
    sentences: Sequence[SentenceRecord], documents: Mapping[str, Document]
) -> np.ndarray:
    """A paragraph number per sentence: a new one at every new block or section (a list item,
    a code block and a table are each a paragraph of their own)."""
    starts = {doc_id: sorted(b.start for b in doc.blocks) for doc_id, doc in documents.items()}
    numbers, current, previous = [], 0, None
    for i, s in enumerate(sentences):
        block = bisect.bisect_right(starts[s.doc_id], s.start)
        key = (s.doc_id, s.section, block)
        if i and key != previous:
            current += 1
        previous = key
        numbers.append(current)
    return np.asarray(numbers, dtype=np.int32)
