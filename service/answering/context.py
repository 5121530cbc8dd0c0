"""What one answer's steps share, built once per request: the index as the request reads it,
and the scores and totals every step would otherwise compute again.

The index view. The serving index reads its rows in place (service/serving.py):
`index.sentences[sid]` decodes a JSON line and `index.sentence_terms[sid]` builds a frozenset
at every access, and its arrays are memory-maps, whose element access goes through Python.
That keeps memory flat at a million passages, but one answer reads the same few hundred
sentences up to twenty times each (features, neighbours, selection, evidence). So the answer
reads through a view: each row decoded once per request, the arrays as plain ndarrays over the
same memory. The values are the very objects and numbers the index gives, and the view is
dropped with the request, so nothing grows across requests.

The shared work. `AnswerContext` holds, for one question and its hits: the sentence and
heading cosines (the query's QueryScores, which retrieval already filled), the question's
IDF-weighted coverage with its total summed once, each passage's rank, each section's best
cosine, and whether a sentence states the value asked for. Features, selection, evidence and
the answers about an article itself all read it; nothing is computed twice per request.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar, overload

import numpy as np

from service.question.query import Query, QuestionTerm
from service.retrieval.retrieve import Hit
from service.serving import ServingIndex

T = TypeVar("T")


class DecodedOnce(Sequence[T]):
    """A sequence whose rows are read from `rows` the first time each is asked for."""

    def __init__(self, rows: Sequence[T]) -> None:
        self._rows = rows
        self._length = len(rows)
        self._seen: dict[int, T] = {}

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, row: int) -> T: ...
    @overload
    def __getitem__(self, row: slice) -> Sequence[T]: ...
    def __getitem__(self, row: int | slice) -> T | Sequence[T]:
        if isinstance(row, slice):
            return self._rows[row]
        try:
            return self._seen[row]
        except KeyError:
            value = self._seen[row] = self._rows[row]
            return value

    def __iter__(self) -> Iterator[T]:
        return iter(self._rows)


def plain(array: np.ndarray) -> np.ndarray:
    """The same memory as an ndarray: a memmap's `[i]` costs microseconds of Python, this not.
    Row readers that are not arrays (index.storage.tables.NpyRows, large versions) stay as they are:
    converting one would read the whole file."""
    return np.asarray(array) if isinstance(array, np.ndarray) else array


def for_request(index: ServingIndex) -> ServingIndex:
    """The view one answer reads; building it costs a few microseconds, whatever the size."""
    if isinstance(index.sentences, DecodedOnce):
        return index
    data = replace(
        index.data,
        sentences=DecodedOnce(index.data.sentences),
        chunks=DecodedOnce(index.data.chunks),
        sentence_vectors=plain(index.data.sentence_vectors),
        section_vectors=plain(index.data.section_vectors),
    )
    return replace(
        index,
        data=data,
        chunk_sentences=DecodedOnce(index.chunk_sentences),
        sentence_terms=DecodedOnce(index.sentence_terms),
        heading_terms=DecodedOnce(index.heading_terms),
        section_sentences=DecodedOnce(index.section_sentences),
        sentence_centrality=plain(index.sentence_centrality),
        sentence_paragraph=plain(index.sentence_paragraph),
        sentence_section=plain(index.sentence_section),
        section_vectors=plain(index.section_vectors),
    )


def weighted_coverage(resolved: Iterable[QuestionTerm], found: set[str] | frozenset[str]) -> float:
    """Coverage where rare terms count most: missing "oxytocin" matters, missing "men" not."""
    return Coverage(resolved)(found)


class Coverage:
    """weighted_coverage of one question's terms, their total weight summed once: a request
    measures it for every candidate sentence, its context and its heading."""

    def __init__(self, resolved: Iterable[QuestionTerm]) -> None:
        self.resolved = tuple(resolved)
        self.total = sum(q.weight for q in self.resolved)

    def __call__(self, found: set[str] | frozenset[str]) -> float:
        if not self.total:
            return 0.0
        covered = sum(q.weight for q in self.resolved if q.term in found or q.known in found)
        return covered / self.total


def passage_ranks(index: ServingIndex, rows_in_rank_order: list[int]) -> dict[int, int]:
    """Each candidate sentence with the rank of the best passage that holds it."""
    ranks: dict[int, int] = {}
    for rank, row in enumerate(rows_in_rank_order, start=1):
        for sid in index.chunk_sentences[row]:
            ranks.setdefault(sid, rank)
    return ranks


class AnswerContext:
    """One question, its hits and the request's view of the index, with what every step of
    the answer reads (see the module's docstring); built once by the answerer."""

    def __init__(
        self, index: ServingIndex, query: Query, hits: Sequence[Hit], candidate_passages: int
    ) -> None:
        self.index = for_request(index)
        self.query = query
        self.hits = hits
        self.coverage = Coverage(query.resolved)
        self.passage_rank = passage_ranks(self.index, [h.row for h in hits[:candidate_passages]])
        self.text_terms = functools.cache(self.index.lexical.terms)  # headings, titles recur
        self._section_best: dict[int, float] = {}
        self._states_value: dict[int, bool] = {}

    def similarity(self, sid: int) -> float:
        """The question's cosine to a sentence."""
        return self.query.scores.sentence(sid)

    def heading_similarity(self, section: int) -> float:
        """The question's cosine to a section's heading (or its document's title)."""
        return self.query.scores.heading(section)

    def section_similarity(self, section: int) -> float:
        """The best cosine of any sentence of the section."""
        if section not in self._section_best:
            sids = list(self.index.section_sentences[section])
            self._section_best[section] = float(self.query.scores.sentences(sids).max())
        return self._section_best[section]

    def states_value(self, sid: int) -> bool:
        """Whether the sentence states the value the question asks for (a number, a date...)."""
        if sid not in self._states_value:
            readable = self.index.sentences[sid].readable
            self._states_value[sid] = self.query.intent.answered_by(readable, self.query.text)
        return self._states_value[sid]
