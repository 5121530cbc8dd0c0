"""The loaded index version as answering reads it, with the tables derived from it.

Which sentences sit in which passage, each sentence's content terms, its section, paragraph
and how generic it is are computed once, when the version is written
(index/storage/sentence_tables.py), and read here in place: array-backed sequences indexed like the
tuples they replaced (`index.sentence_terms[sid]`, `index.chunk_sentences[row]`), so nothing
grows per passage or per sentence in memory. A version swap replaces the whole object at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.lexical import LexicalIndex
from index.load import IndexData
from index.storage.layout import in_place
from index.storage.manifest import Manifest
from index.storage.sentence_tables import centrality
from index.storage.tables import Runs
from ingest.chunk import Chunk
from ingest.documents import Document
from ingest.pipeline import SentenceRecord
from service.examples import MAX_DOCUMENTS, MAX_SENTENCES, example_questions

__all__ = ["ServingIndex", "centrality"]


@dataclass(frozen=True)
class ServingIndex:
    """One loaded index version and what answering derives from it."""

    data: IndexData
    chunk_sentences: Sequence[tuple[int, ...]]  # per chunk, the sentences it overlaps
    sentence_terms: Sequence[frozenset[str]]
    heading_terms: Sequence[frozenset[str]]  # per sentence, the terms of its section heading
    sentence_centrality: np.ndarray  # per sentence, cosine to the corpus centroid (genericness)
    sentence_paragraph: np.ndarray
    term_frequency: dict[str, int]  # in how many sentences each term occurs
    sentence_section: np.ndarray  # per sentence, the id of its (document, heading) section
    section_sentences: Sequence[tuple[int, ...]]  # per section, its sentences in order
    section_vectors: np.ndarray  # per section, the embedding of its heading (or the title)
    examples: tuple[str, ...] = ()  # questions the documents suggest (service/examples.py)

    @classmethod
    def of(cls, data: IndexData) -> ServingIndex:
        """The serving view of a freshly loaded version (heading vectors are stored with it)."""
        tables = data.tables
        sentence_terms: Sequence[frozenset[str]] = tables.term_sets()
        heading_terms: Sequence[frozenset[str]] = tables.heading_term_sets()
        section_sentences: Sequence[tuple[int, ...]] = Runs(tables.section_starts)
        if not in_place(len(data.chunks)):
            # Small enough to hold built: a request reads these rows many times over, and
            # building a frozenset or tuple per access cost most of a millisecond per answer.
            sentence_terms, heading_terms = tuple(sentence_terms), tuple(heading_terms)
            section_sentences = tuple(section_sentences)
        return cls(
            data=data,
            chunk_sentences=tables.chunk_sentences,
            sentence_terms=sentence_terms,
            heading_terms=heading_terms,
            sentence_centrality=tables.sentence_centrality,
            sentence_paragraph=tables.sentence_paragraph,
            term_frequency=tables.term_frequency(),
            sentence_section=tables.sentence_section,
            section_sentences=section_sentences,
            section_vectors=data.section_vectors,
            examples=example_questions(
                list(itertools.islice(data.documents.values(), MAX_DOCUMENTS)),
                [data.sentences[i] for i in range(min(len(data.sentences), MAX_SENTENCES))],
            ),
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
    def documents(self) -> Mapping[str, Document]:
        return self.data.documents

    @property
    def chunks(self) -> Sequence[Chunk]:
        return self.data.chunks

    @property
    def sentences(self) -> Sequence[SentenceRecord]:
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
