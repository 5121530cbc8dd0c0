"""The files the service itself keeps in a corpus: the removal list, and edits that can be undone.

`rag remove` and `DELETE /admin/documents/{id}` never delete a user's own file: they list its
path in `.rag-removed.json` at the top of the corpus, and the corpus reader leaves every listed
file out, so a rebuild reproduces the removal. (Uploads, which the service wrote itself under
`uploads/`, are deleted instead; see ingest/metadata.py for how they are recorded.) To bring a
removed file back, delete its line from the list and run `rag index`.

A change to the corpus is a few whole-file writes and deletions (`FileEdit`), applied before the
index is rebuilt; `apply_edits` keeps what each file held, so a failed rebuild can put the
corpus back exactly as it was (`undo_edits`).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.documents import CorpusError

REMOVED_FILE = ".rag-removed.json"  # hidden, so never itself a candidate document


@dataclass(frozen=True)
class FileEdit:
    """One corpus file (relative posix path) given new bytes, or deleted when `data` is None."""

    source: str
    data: bytes | None


@dataclass(frozen=True)
class AppliedEdits:
    """Edits as applied, each with what its file held before (None: it did not exist)."""

    corpus_dir: Path
    previous: tuple[FileEdit, ...]


def read_removed(corpus_dir: Path) -> frozenset[str]:
    """The sources listed as removed (empty when there is no list)."""
    path = corpus_dir / REMOVED_FILE
    if not path.is_file():
        return frozenset()
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))["removed"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as error:
        raise CorpusError(f"{path}: expected {{'removed': [paths...]}} ({error})") from error
    if not isinstance(listed, list) or not all(isinstance(s, str) for s in listed):
        raise CorpusError(f"{path}: 'removed' must be a list of paths inside the corpus")
    return frozenset(listed)


def removed_json(sources: Iterable[str]) -> bytes:
    """The removal list's bytes (what read_removed reads back)."""
    return (json.dumps({"removed": sorted(set(sources))}, indent=2) + "\n").encode("utf-8")


def _write_atomically(path: Path, data: bytes) -> None:
    """A hidden temporary file renamed over `path`, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def _set(corpus_dir: Path, edit: FileEdit) -> None:
    path = corpus_dir / edit.source
    if edit.data is None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        _write_atomically(path, edit.data)


def _held(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def apply_edits(corpus_dir: Path, edits: Sequence[FileEdit]) -> AppliedEdits:
    """Write and delete these files; if one fails, the ones before it are undone first."""
    previous: list[FileEdit] = []
    try:
        for edit in edits:
            previous.append(FileEdit(edit.source, _held(corpus_dir / edit.source)))
            _set(corpus_dir, edit)
    except OSError as error:
        undo_edits(AppliedEdits(corpus_dir, tuple(previous)))
        raise CorpusError(f"cannot write {edit.source} in the corpus: {error.strerror}") from error
    return AppliedEdits(corpus_dir, tuple(previous))


def undo_edits(applied: AppliedEdits) -> None:
    """Put every edited file back as it was, last edit first (a file several edits touched
    ends as it was before the first)."""
    for edit in reversed(applied.previous):
        _set(applied.corpus_dir, edit)
