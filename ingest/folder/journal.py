"""Corpus changes that a crash cannot leave half done: a journal, written before the first
file is touched, says what the change writes and what it replaces.

A change (`rag add`, `rag remove`, PUT or DELETE of an admin document) is a few whole files
written or deleted in the corpus, then an index version published. It goes:

1. every new file's bytes are staged in `.rag-staging/<change>/`, and every file it replaces
   or deletes is kept there too (a hard link, so nothing is copied);
2. the journal `.rag-journal.json` is written atomically and made durable: the change exists;
3. the staged files are renamed into place and the deleted ones unlinked;
4. the index version is built and published;
5. the journal and the staging folder are removed: the change is over.

After a crash, `recover` finishes what was started. If the published index already holds the
new files (step 4 ran), the change stands and only its leftovers go; otherwise every file is
put back as it was. Either way the corpus is exactly the old one or exactly the new one, and
the next change or build starts from it. Orphaned temporary files of an interrupted write go too.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.documents import CorpusError, bytes_hash

JOURNAL_FILE = ".rag-journal.json"
STAGING_DIR = ".rag-staging"
_TEMPORARY = re.compile(r"^\..+\.\d+\.tmp$")  # what an atomic write leaves when it is killed


@dataclass(frozen=True)
class FileEdit:
    """One corpus file (relative posix path) given new bytes, or deleted when `data` is None."""

    source: str
    data: bytes | None


@dataclass(frozen=True)
class Step:
    """One edit as the journal records it: where its new bytes and its old file are staged."""

    source: str
    new: str | None  # staged file name of the new bytes (None: the file is deleted)
    old: str | None  # staged file name of the file it replaces (None: there was none)
    new_sha256: str | None

    def to_record(self) -> dict:
        return {"source": self.source, "new": self.new, "old": self.old, "sha256": self.new_sha256}

    @classmethod
    def of(cls, record: Mapping) -> Step:
        return cls(record["source"], record.get("new"), record.get("old"), record.get("sha256"))


@dataclass(frozen=True)
class Change:
    """A change whose journal is written: apply it, then finish it or roll it back. `expect`
    is what the published index records of the corpus once the change stands: each source's
    SHA-256, or None where the source is gone from it."""

    corpus_dir: Path
    name: str
    steps: tuple[Step, ...]
    expect: tuple[tuple[str, str | None], ...] = ()

    @property
    def staging(self) -> Path:
        return self.corpus_dir / STAGING_DIR / self.name

    def apply(self) -> None:
        """Put every staged file in place and delete what the change deletes."""
        for step in self.steps:
            target = self.corpus_dir / step.source
            if step.new is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                staged = self.staging / step.new
                if staged.exists():
                    staged.replace(target)
            else:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
            _sync_folder(target.parent)

    def finish(self) -> None:
        """The change stands: forget its journal and what it kept."""
        _remove_journal(self.corpus_dir)
        shutil.rmtree(self.staging, ignore_errors=True)

    def roll_back(self) -> None:
        """Put every file back as it was before the change, then forget the change."""
        for step in reversed(self.steps):
            target = self.corpus_dir / step.source
            if step.old is not None and (self.staging / step.old).exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                (self.staging / step.old).replace(target)
            elif step.old is None:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
            _sync_folder(target.parent)
        self.finish()

    def stands_in(self, indexed: Mapping[str, str]) -> bool:
        """Whether an index's file hashes (source -> SHA-256) already hold this change."""
        return bool(self.expect) and all(indexed.get(s) == digest for s, digest in self.expect)


def _sync_folder(folder: Path) -> None:
    """Make a rename or unlink in `folder` durable (a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _write_durably(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    _sync_folder(path.parent)


def _remove_journal(corpus_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (corpus_dir / JOURNAL_FILE).unlink()
    _sync_folder(corpus_dir)


def begin(corpus_dir: Path, edits: Sequence[FileEdit], expect: Mapping[str, str | None]) -> Change:
    """Stage a change's files and write its journal (nothing in the corpus is touched yet);
    `expect` says what the index published for it will record (Change.expect). A disk that
    cannot take the staged files fails here, before anything changed."""
    name = uuid.uuid4().hex
    staging = corpus_dir / STAGING_DIR / name
    steps = []
    try:
        staging.mkdir(parents=True)
        for number, edit in enumerate(edits):
            target = corpus_dir / edit.source
            old = None
            if target.is_file():
                old = f"{number}.old"
                try:
                    os.link(target, staging / old)
                except OSError:
                    shutil.copy2(target, staging / old)
            new = None
            if edit.data is not None:
                new = f"{number}.new"
                _write_durably(staging / new, edit.data)
            digest = bytes_hash(edit.data) if edit.data is not None else None
            steps.append(Step(edit.source, new, old, digest))
        change = Change(corpus_dir, name, tuple(steps), tuple(sorted(expect.items())))
        record = {
            "change": name,
            "steps": [s.to_record() for s in steps],
            "expect": dict(change.expect),
        }
        _write_durably(corpus_dir / JOURNAL_FILE, json.dumps(record, indent=1).encode("utf-8"))
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return change


def pending(corpus_dir: Path) -> Change | None:
    """The change a crash interrupted, if one did."""
    path = corpus_dir / JOURNAL_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        steps = tuple(Step.of(s) for s in record["steps"])
        expect = tuple(sorted(dict(record.get("expect", {})).items()))
        return Change(corpus_dir, str(record["change"]), steps, expect)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CorpusError(f"{path} cannot be read ({error}); restore the corpus by hand") from error


def recover(corpus_dir: Path, indexed: Mapping[str, str] | None) -> str | None:
    """Finish or undo a change a crash interrupted, given the published index's file hashes
    (None without an index); remove orphaned temporary files. Says what it did, or None."""
    removed = remove_orphans(corpus_dir)
    change = pending(corpus_dir)
    if change is None:
        return f"removed {removed} orphaned temporary file(s)" if removed else None
    if indexed is not None and change.stands_in(indexed):
        change.finish()
        return "an interrupted change had been published; its leftovers were removed"
    change.roll_back()
    return "an interrupted change was rolled back: the corpus is as it was before it"


def remove_orphans(corpus_dir: Path, managed: Sequence[str] = ("", "uploads")) -> int:
    """Delete what interrupted writes left in the folders the service writes to (`managed`,
    relative to the corpus; never the user's own subfolders): temporary files, and the staging
    of no change."""
    count = 0
    for relative in managed:
        folder = corpus_dir / relative
        top = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        walk = os.walk(folder) if relative else [(str(folder), [], top)]
        for root, _subfolders, names in walk:
            for name in names:
                if _TEMPORARY.match(name):
                    with contextlib.suppress(FileNotFoundError):
                        (Path(root) / name).unlink()
                        count += 1
    change = pending(corpus_dir)
    staging = corpus_dir / STAGING_DIR
    if staging.is_dir():
        for entry in staging.iterdir():
            if change is None or entry.name != change.name:
                shutil.rmtree(entry, ignore_errors=True)
                count += 1
    return count
