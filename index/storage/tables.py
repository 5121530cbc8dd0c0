"""Row tables of an index version that are read in place, without a Python object per row.

At a million passages, a tuple of Chunk objects, a set of terms per sentence or a tuple per
chunk is gigabytes of Python objects and a minute of work at every load. So a version stores
its rows in files read in place, and these sequences decode one row when it is asked for:
`RecordTable` (JSON lines plus an offset per line, read with pread through `FileBytes`),
`NpyRows` (vector rows, likewise), `Ragged` (a CSR pair of memory-mapped arrays: offsets and
values), `Runs` (consecutive id ranges) and `TermSets` (ragged term ids read as frozensets).
They index like the tuples they replace (`table[row]`, `len`, iteration), so callers that
read `index.chunks[row]` or `index.sentence_terms[sid]` do not change.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Generic, TypeVar, overload

import numpy as np

T = TypeVar("T")


def jsonl_with_offsets(records: Iterable[dict]) -> tuple[bytes, np.ndarray]:
    """JSON lines and where each starts (one int64 per line plus the end), written together."""
    lines = [(json.dumps(r, ensure_ascii=False) + "\n").encode() for r in records]
    offsets = np.zeros(len(lines) + 1, dtype=np.int64)
    np.cumsum([len(line) for line in lines], out=offsets[1:])
    return b"".join(lines), offsets


def load_array(path: Path, mapped: bool = True) -> np.ndarray:
    """A stored .npy array, memory-mapped (only the pages a request touches become resident)
    or read whole."""
    return np.load(path, mmap_mode="r" if mapped else None, allow_pickle=False)


def save_array(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as handle:
        np.save(handle, np.ascontiguousarray(array), allow_pickle=False)


class FileBytes:
    """A file's bytes read on demand with pread, for large versions.

    Not a memory map on purpose: a fault on a mapped file also maps the neighbouring pages
    the page cache holds (fault-around, 64 KiB), so scattered row reads would leave most of
    a freshly built (fully cached) file counted in the process's resident memory. pread
    copies only what is asked for.
    """

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDONLY)
        self._size = os.fstat(self._fd).st_size

    def __len__(self) -> int:
        return self._size

    def read(self, start: int, length: int) -> bytes:
        data = os.pread(self._fd, length, start)
        if len(data) != length:
            raise OSError(f"short read: {len(data)} of {length} bytes at {start}")
        return data

    def __getitem__(self, span: slice) -> bytes:
        start, stop, _ = span.indices(self._size)
        return self.read(start, max(stop - start, 0))

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.close(self._fd)


def file_bytes(path: Path, in_place: bool) -> bytes | FileBytes:
    """A record file read on demand (large versions) or whole."""
    return FileBytes(path) if in_place else path.read_bytes()


class NpyRows:
    """The rows of a 2-d .npy file read with pread (see FileBytes): `rows[i]`, `rows[a:b]`
    and `rows[[i, j, ...]]` return arrays, as the memory-mapped array would."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as handle:
            major, _ = np.lib.format.read_magic(handle)
            read_header = (
                np.lib.format.read_array_header_1_0
                if major == 1
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(handle)
            self._offset = handle.tell()
        if fortran or len(shape) != 2:
            raise ValueError(f"{path.name}: expected a C-ordered matrix, got shape {shape}")
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        self._row = self.shape[1] * self.dtype.itemsize
        self._file = FileBytes(path)

    @property
    def ndim(self) -> int:
        return 2

    def __len__(self) -> int:
        return self.shape[0]

    def _read(self, first: int, count: int) -> np.ndarray:
        data = self._file.read(self._offset + first * self._row, count * self._row)
        return np.frombuffer(data, dtype=self.dtype).reshape(count, self.shape[1])

    def __getitem__(self, key: int | slice | Sequence[int] | np.ndarray) -> np.ndarray:
        if isinstance(key, slice):
            first, stop, step = key.indices(len(self))
            block = self._read(first, max(stop - first, 0))
            return block[::step] if step != 1 else block
        if np.isscalar(key):
            row = int(key)  # type: ignore[arg-type]
            if not -len(self) <= row < len(self):
                raise IndexError(f"row {row} of {len(self)}")
            return self._read(row % len(self), 1)[0]
        rows = np.asarray(key, dtype=np.int64).reshape(-1)
        if len(rows) and (rows.min() < -len(self) or rows.max() >= len(self)):
            raise IndexError(f"rows outside 0..{len(self) - 1}")
        rows %= max(len(self), 1)
        wanted = np.unique(rows)
        # one read per run of consecutive rows (a passage's sentences sit together)
        breaks = np.flatnonzero(np.diff(wanted) != 1) + 1
        runs = np.split(wanted, breaks) if len(wanted) else []
        blocks = [self._read(int(run[0]), len(run)) for run in runs]
        gathered = np.concatenate(blocks) if blocks else np.zeros((0, self.shape[1]), self.dtype)
        return gathered[np.searchsorted(wanted, rows)]


class RecordTable(Sequence[T], Generic[T]):
    """Rows of a JSON-lines file, decoded on access."""

    def __init__(
        self, data: bytes | FileBytes, offsets: np.ndarray, make: Callable[[dict], T]
    ) -> None:
        if len(offsets) < 1 or int(offsets[-1]) != len(data):
            raise ValueError(f"line offsets end at {int(offsets[-1])}, the file has {len(data)}")
        self._data = data
        self._offsets = offsets
        self._make = make

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, row: int) -> T: ...
    @overload
    def __getitem__(self, row: slice) -> list[T]: ...
    def __getitem__(self, row: int | slice) -> T | list[T]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(f"row {row} of {len(self)}")
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        return self._make(json.loads(self._data[start:end]))

    def __iter__(self) -> Iterator[T]:
        for row in range(len(self)):
            yield self[row]


class Ragged(Sequence[tuple[int, ...]]):
    """Row i is `values[offsets[i]:offsets[i + 1]]` as a tuple of ints."""

    def __init__(self, offsets: np.ndarray, values: np.ndarray) -> None:
        self.offsets = offsets
        self.values = values

    @classmethod
    def of(cls, rows: Iterable[Sequence[int]]) -> Ragged:
        """From lists (build time; the result is then saved)."""
        rows = list(rows)
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=offsets[1:])
        flat = [v for r in rows for v in r]
        return cls(offsets, np.asarray(flat, dtype=np.int32).reshape(-1))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, row: int) -> tuple[int, ...]:  # type: ignore[override]
        if not -len(self) <= row < len(self):
            raise IndexError(f"row {row} of {len(self)}")
        row %= len(self)
        return tuple(self.values[self.offsets[row] : self.offsets[row + 1]].tolist())

    def save(self, directory: Path, name: str) -> None:
        save_array(directory / f"{name}.offsets.npy", self.offsets)
        save_array(directory / f"{name}.values.npy", self.values)

    @classmethod
    def load(cls, directory: Path, name: str, mapped: bool = True) -> Ragged:
        return cls(
            load_array(directory / f"{name}.offsets.npy", mapped),
            load_array(directory / f"{name}.values.npy", mapped),
        )


class Runs(Sequence[tuple[int, ...]]):
    """Run i is the ids `starts[i]` up to `starts[i + 1]` (sections are runs of sentences)."""

    def __init__(self, starts: np.ndarray) -> None:
        self.starts = starts

    def __len__(self) -> int:
        return max(len(self.starts) - 1, 0)

    def __getitem__(self, run: int) -> tuple[int, ...]:  # type: ignore[override]
        if not -len(self) <= run < len(self):
            raise IndexError(f"run {run} of {len(self)}")
        run %= len(self)
        return tuple(range(int(self.starts[run]), int(self.starts[run + 1])))


class TermSets(Sequence[frozenset[str]]):
    """Row i is a frozenset of vocabulary terms; `rows` maps it to a ragged row (sentences
    share their section's heading terms through it), or is the identity when None."""

    def __init__(
        self, ids: Ragged, vocabulary: Sequence[str], rows: np.ndarray | None = None
    ) -> None:
        self._ids = ids
        self._vocabulary = vocabulary
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows) if self._rows is not None else len(self._ids)

    def __getitem__(self, row: int) -> frozenset[str]:  # type: ignore[override]
        if not -len(self) <= row < len(self):
            raise IndexError(f"row {row} of {len(self)}")
        row %= len(self)
        target = int(self._rows[row]) if self._rows is not None else row
        vocabulary = self._vocabulary
        return frozenset(vocabulary[i] for i in self._ids[target])
