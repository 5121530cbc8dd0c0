"""One request's view of the index: the same rows and values, each row decoded once."""

from __future__ import annotations

import numpy as np

from service.answering.context import DecodedOnce, for_request
from service.answering.features import neighbour


class CountingRows:
    """A sequence that counts how often each row is read."""

    def __init__(self, rows: list[str]) -> None:
        self.rows = rows
        self.reads: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, row):
        if isinstance(row, int):
            self.reads[row] = self.reads.get(row, 0) + 1
        return self.rows[row]


def test_rows_are_read_once_and_are_the_same_objects() -> None:
    source = CountingRows(["a", "b", "c"])
    decoded = DecodedOnce(source)
    assert [decoded[1], decoded[1], decoded[-1], decoded[0]] == ["b", "b", "c", "a"]
    assert source.reads == {1: 1, -1: 1, 0: 1}
    assert len(decoded) == 3 and list(decoded) == ["a", "b", "c"] and decoded[1:] == ["b", "c"]
    assert decoded[1] is source.rows[1]


def test_the_view_reads_what_the_index_holds(engine) -> None:
    index = engine.index
    view = for_request(index)
    assert for_request(view) is view
    for sid in (0, len(index.sentences) // 2, len(index.sentences) - 1):
        assert view.sentences[sid] == index.sentences[sid]
        assert view.sentence_terms[sid] == index.sentence_terms[sid]
        assert view.heading_terms[sid] == index.heading_terms[sid]
    for row in (0, len(index.chunks) - 1):
        assert view.chunk_sentences[row] == index.chunk_sentences[row]
        assert view.chunks[row] == index.chunks[row]
    for name in ("sentence_section", "sentence_paragraph", "sentence_centrality"):
        plain, mapped = getattr(view, name), getattr(index, name)
        assert type(plain) is np.ndarray and np.array_equal(plain, mapped)
        assert np.shares_memory(plain, mapped) or not isinstance(mapped, np.memmap)
    assert np.array_equal(view.sentence_vectors, index.sentence_vectors)
    assert np.array_equal(view.section_vectors, index.section_vectors)
    assert view.version == index.version


def test_neighbours_by_section_id_are_neighbours_by_document_and_heading(engine) -> None:
    """neighbour() reads section ids; they must agree with comparing the records themselves."""
    view = for_request(engine.index)
    sentences = view.sentences
    for sid in range(len(sentences)):
        for step in (-1, 1):
            other = sid + step
            by_record = (
                other
                if 0 <= other < len(sentences)
                and (sentences[sid].doc_id, sentences[sid].section)
                == (sentences[other].doc_id, sentences[other].section)
                else None
            )
            assert neighbour(view, sid, step) == by_record
            assert neighbour(engine.index, sid, step) == by_record
