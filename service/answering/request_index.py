"""One request's view of the serving index, with every row it decodes kept until the answer.

The serving index reads its rows in place (service/serving.py): `index.sentences[sid]` decodes
a JSON line and `index.sentence_terms[sid]` builds a frozenset at every access, and its arrays
are memory-maps, whose element access goes through Python. That keeps memory flat at a million
passages, but one answer reads the same few hundred sentences up to twenty times each (features,
neighbours, selection, evidence). So the answerer reads through this view: each row decoded
once per request, the arrays as plain ndarrays over the same memory. The values are the very
objects and numbers the index gives, so answers are unchanged; the view is dropped with the
request, so nothing grows across requests.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TypeVar, overload

import numpy as np

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
    Row readers that are not arrays (index.tables.NpyRows, large versions) stay as they are:
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
