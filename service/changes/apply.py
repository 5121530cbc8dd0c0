"""Per-document changes while serving: the corpus is edited, then one version is published.

`rag add`, `rag remove` and the admin routes (service/http/documents.py) all come here. A change is
planned in full first (service/changes/plan.py: what to write, what to refuse), then the corpus
is edited through a journal (ingest/folder/journal.py), so that a rebuild reproduces the change,
then
one incremental build (index/incremental.py) publishes the new version. If the build fails,
the corpus edit is undone: the corpus, the index and what is served stay exactly as they were.
If the process dies part-way, `recover_corpus` (run at start-up, by `rag index` and `rag gc`,
and before every change) finishes a change that was published and undoes one that was not.

One change at a time per index root: a change holds `.changes.lock` there around its edit and
build, and the build takes the build lock. A change that finds either held fails at once with
IndexBusy (HTTP 409) instead of waiting: a build can take minutes, a request held that long
would time out anyway, and the caller learns that nothing changed and can try again.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.build import BuildOptions
from index.incremental import BuildResult, add_documents, apply_changes
from index.incremental import remove_documents as remove_from_index
from index.storage.manifest import IndexNotFound, IndexProblem, Manifest
from index.storage.store import IndexBusy, build_lock, current_version
from ingest.corpus import (
    CorpusRead,
    Outcome,
    SkippedFile,
    is_corpus_path,
    read_corpus,
)
from ingest.documents import CorpusError, bytes_hash
from ingest.embed import Embedder
from ingest.folder import journal
from ingest.folder.budget import BudgetedReader, reading_workers
from ingest.folder.metadata import UPLOADS_DIR, DocumentMetadata
from ingest.log import Log, quiet
from service.changes.plan import (
    ChangePlan,
    CorpusState,
    DocumentChange,
    Incoming,
    plan_removal,
    plan_uploads,
    read_state,
    stored_name,
)
from service.config import Settings

CHANGES_LOCK = ".changes.lock"


def _never() -> bool:
    return False


_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class StorageFull(CorpusError):
    """The disk (or the quota) filled up during a change; nothing was changed (HTTP 507)."""


@dataclass(frozen=True)
class Upload:
    """One file to store as document `doc_id` (PUT /admin/documents/{doc_id}): `filename`'s
    suffix picks the reader, as in the corpus; the fields given win over the file's own."""

    doc_id: str
    filename: str
    data: bytes
    title: str | None = None
    author: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class ChangeOutcome:
    result: BuildResult
    previous_version: str | None  # what was current before (None: there was no index)
    changes: tuple[DocumentChange, ...]
    skipped: tuple[SkippedFile, ...] = ()  # files of an added folder that cannot be read


def build_options(settings: Settings) -> BuildOptions:
    """How `rag index` builds (service.engine.build), so a change and a rebuild agree."""
    return BuildOptions(settings.chunking, keep_versions=settings.keep_versions)


@contextlib.contextmanager
def change_lock(root: Path) -> Iterator[None]:
    """One document change at a time per index root, across processes."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(build_lock(root, CHANGES_LOCK))
        except IndexBusy as error:
            raise IndexBusy(
                "another document change is being published; nothing was changed, try again"
            ) from error
        yield


def _expected(plan: ChangePlan) -> dict[str, str | None]:
    """What the index published for this change records of the corpus (journal.Change.expect):
    each written file's SHA-256, None for a file deleted or excluded."""
    expect: dict[str, str | None] = {
        edit.source: bytes_hash(edit.data) if edit.data is not None else None
        for edit in plan.edits
        if is_corpus_path(edit.source)  # the hidden removal list is not a corpus file
    }
    expect.update((c.source, None) for c in plan.report if c.action == "excluded")
    return expect


def _write_failure(error: OSError, what: str) -> CorpusError:
    reason = error.strerror or str(error)
    if error.errno in _DISK_FULL:
        return StorageFull(
            f"the disk is full ({reason}) while {what}; nothing was changed and the index "
            "served is the one before; free some space and try again"
        )
    return CorpusError(f"cannot write the change to the corpus ({reason}); nothing was changed")


def _carry_out(
    settings: Settings, state: CorpusState, plan: ChangePlan, publish: Callable[[], BuildResult]
) -> ChangeOutcome:
    """Journal the edit, make it, publish, forget the journal; undo the edit if anything fails."""
    try:
        change = journal.begin(settings.corpus_dir, plan.edits, _expected(plan))
    except OSError as error:
        raise _write_failure(error, "storing the new files") from error
    try:
        change.apply()
    except OSError as error:
        change.roll_back()
        raise _write_failure(error, "editing the corpus") from error
    try:
        result = publish()
    except OSError as error:
        change.roll_back()
        if error.errno in _DISK_FULL:
            raise _write_failure(error, "building the index") from error
        raise
    except BaseException:
        change.roll_back()
        raise
    change.finish()
    return ChangeOutcome(result, state.version, plan.report, plan.skipped)


def _published_files(root: Path) -> dict[str, str] | None:
    """The corpus files the published index was built from (None without a readable index)."""
    try:
        return Manifest.read(current_version(root)).corpus_files
    except IndexProblem:
        return None


def _recover(settings: Settings, log: Log) -> None:
    """journal.recover against the published index; the caller holds the change lock."""
    if settings.corpus_dir.is_dir():
        done = journal.recover(settings.corpus_dir, _published_files(settings.index_dir))
        if done:
            log(f"{settings.corpus_dir}: {done}")


def recover_corpus(settings: Settings, log: Log = quiet) -> None:
    """Finish or undo a change a crash interrupted, and remove what interrupted writes left
    (start-up, `rag index`, `rag gc`). A change under way in another process is left to it."""
    with contextlib.suppress(IndexBusy), change_lock(settings.index_dir):
        _recover(settings, log)


def read_files(
    settings: Settings, items: Sequence[Incoming], cancelled: Callable[[], bool] = _never
) -> dict[str, Outcome]:
    """What each file's reader finds, by source, read in workers within RAG_READ_* (before any
    lock is taken: a slow file holds up no other change). Cancelled if `cancelled()` turns true."""
    with BudgetedReader(settings.reading, reading_workers()) as reader:
        return {f.source: o for f, o in reader.read_many([i.file for i in items], cancelled)}


def read_corpus_within_budget(settings: Settings) -> CorpusRead:
    """The configured corpus, every file read in a worker within RAG_READ_*."""
    with BudgetedReader(settings.reading, reading_workers()) as reader:
        return read_corpus(settings.corpus_dir, reader.read_many)


def store_uploads(
    settings: Settings,
    embedder: Embedder,
    items: Sequence[Incoming],
    log: Log = quiet,
    cancelled: Callable[[], bool] = _never,
) -> ChangeOutcome:
    """Store files under uploads/ and publish a version with them (change_plan.plan_uploads).

    An item without a doc_id keeps the one its path was given by an earlier add. Without an
    index whose parts can be reused, the whole corpus is built (as `rag index`).
    """
    root, options = settings.index_dir, build_options(settings)
    read = read_files(settings, items, cancelled)
    with change_lock(root):
        _recover(settings, log)
        state = read_state(settings)
        plan = plan_uploads(state, items, read)

        def publish() -> BuildResult:
            try:
                return add_documents(
                    root, plan.documents, embedder, options, files=plan.files, log=log
                )
            except IndexNotFound as error:  # no index yet, or one built another way
                log(f"{error}; building the whole corpus instead")
                corpus = read_corpus_within_budget(settings)
                return apply_changes(root, corpus, embedder, options, log=log)

        return _carry_out(settings, state, plan, publish)


def put_upload(
    settings: Settings,
    embedder: Embedder,
    upload: Upload,
    cancelled: Callable[[], bool] = _never,
) -> ChangeOutcome:
    """Store one upload as `upload.doc_id` (replacing an upload of that id) and publish;
    `cancelled` is asked while the file is read (a client that went away)."""
    source = f"{UPLOADS_DIR}/{stored_name(upload.doc_id, upload.filename)}"
    meta = DocumentMetadata(upload.doc_id, upload.title, upload.author, upload.published)
    item = Incoming(source, upload.data, meta, origin=upload.filename or "the upload")
    return store_uploads(settings, embedder, [item], cancelled=cancelled)


def remove_by_id(
    settings: Settings, embedder: Embedder, doc_ids: Sequence[str], log: Log = quiet
) -> ChangeOutcome:
    """Remove documents and publish: an upload's file is deleted, a user's own file is kept
    and listed in the removal list. UnknownDocument names ids the index does not hold."""
    root, options = settings.index_dir, build_options(settings)
    wanted = list(dict.fromkeys(doc_ids))
    with change_lock(root):
        _recover(settings, log)
        state = read_state(settings)
        plan = plan_removal(state, wanted)
        return _carry_out(
            settings,
            state,
            plan,
            lambda: remove_from_index(root, wanted, embedder, options, files=plan.files, log=log),
        )
