"""The files of an index version and how each is written and read back in place.

Records (documents, chunks, sentences) stay JSON lines, each with an `.offsets.npy` of where
every line starts, so a row is decoded when asked for rather than all of them at load.
Vectors are .npy files. From `LARGE_INDEX` passages on they are stored as float16 (half the
disk), and their rows, like the records', are read with pread when asked for
(index.storage.tables.NpyRows, FileBytes); smaller versions are read whole. A build converts vectors
to the storage dtype before deriving anything from them, so an incremental build that reuses
stored vectors writes exactly what a full build writes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from index.dense import EXACT_LIMIT
from index.storage.tables import (
    NpyRows,
    RecordTable,
    file_bytes,
    jsonl_with_offsets,
    load_array,
    save_array,
)
from ingest.documents import Document

T = TypeVar("T")

DOCUMENTS, CHUNKS, SENTENCES = "documents", "chunks", "sentences"
DENSE_FILE = "dense.faiss"
CHUNK_VECTORS = "chunk_vectors.npy"  # only beside an approximate index (a flat one holds them)
SENTENCE_VECTORS = "sentence_vectors.npy"
SECTION_VECTORS = "section_vectors.npy"
DOCUMENT_ROWS = "document_rows.npy"  # per document, where its chunks, sentences, sections start
LARGE_INDEX = EXACT_LIMIT  # passages from which vectors are stored as float16
DOCUMENT_CACHE = 1024  # decoded documents kept per loaded version


def in_place(passages: int) -> bool:
    """Whether a version's rows are read when asked for rather than read whole at load.

    Small versions are read into memory: nothing would be gained, and reading them whole also
    keeps a file altered in place after the load from reaching a request. Large ones are read
    in place; versions are never rewritten.
    """
    return passages >= LARGE_INDEX


def stored_dtype(passages: int) -> np.dtype:
    return np.dtype(np.float16 if passages >= LARGE_INDEX else np.float32)


def record_file(name: str) -> str:
    return f"{name}.jsonl"


def write_records(directory: Path, name: str, records: Iterable[dict]) -> None:
    data, offsets = jsonl_with_offsets(records)
    (directory / record_file(name)).write_bytes(data)
    save_array(directory / f"{name}.offsets.npy", offsets)


def read_records(
    directory: Path, name: str, make: Callable[[dict], T], in_place: bool = True
) -> Sequence[T]:
    """A record file's rows: decoded when asked for (large versions), or all decoded now.

    A request reads hundreds of sentence rows, so a version small enough to hold decoded
    (below layout.in_place's size) pays the JSON decoding once, at load, not per request."""
    table = RecordTable(
        file_bytes(directory / record_file(name), in_place),
        load_array(directory / f"{name}.offsets.npy", in_place),
        make,
    )
    return table if in_place else tuple(table)


def save_vectors(directory: Path, name: str, vectors: np.ndarray, dtype: np.dtype) -> None:
    save_array(directory / name, np.asarray(vectors).astype(dtype))


def load_vectors(directory: Path, name: str, in_place: bool = True) -> np.ndarray | NpyRows:
    """A vector file: read whole, or (large versions) rows read when asked for."""
    return NpyRows(directory / name) if in_place else load_array(directory / name, False)


def document_rows(counts: Sequence[tuple[int, int, int]]) -> np.ndarray:
    """Cumulative (chunk, sentence, section) starts per document, plus the totals."""
    rows = np.zeros((len(counts) + 1, 3), dtype=np.int64)
    if counts:
        np.cumsum(np.asarray(counts, dtype=np.int64), axis=0, out=rows[1:])
    return rows


def save_document_rows(directory: Path, rows: np.ndarray) -> None:
    save_array(directory / DOCUMENT_ROWS, rows)


class DocumentTable(Mapping[str, Document]):
    """The version's documents by id, decoded from documents.jsonl when asked for.

    A few documents are asked for again and again within a request (the cited article's
    text), so the most recent ones are kept decoded; documents are immutable, so that is safe
    across threads.
    """

    def __init__(self, records: Sequence[Document], ids: Sequence[str]) -> None:
        if len(records) != len(ids):
            raise ValueError(f"{len(records)} document records for {len(ids)} ids")
        self._records = records
        self._rows = {doc_id: row for row, doc_id in enumerate(ids)}
        self._decoded = functools.lru_cache(maxsize=DOCUMENT_CACHE)(records.__getitem__)

    def __getitem__(self, doc_id: str) -> Document:
        return self._decoded(self._rows[doc_id])

    def row(self, doc_id: str) -> int:
        return self._rows[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._rows
