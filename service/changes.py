"""Per-document changes while serving: the corpus is edited, then one version is published.

`rag add`, `rag remove` and the admin routes (service/documents.py) all come here. A change is
planned in full first (service/change_plan.py: what to write, what to refuse), then the corpus
is edited, so that a rebuild reproduces the change, then one incremental build
(index/incremental.py) publishes the new version. If the build fails, the corpus edit is
undone: the corpus, the index and what is served stay exactly as they were.

One change at a time per index root: a change holds `.changes.lock` there around its edit and
build, and the build takes the build lock. A change that finds either held fails at once with
IndexBusy (HTTP 409) instead of waiting: a build can take minutes, a request held that long
would time out anyway, and the caller learns that nothing changed and can try again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.build import BuildOptions
from index.incremental import BuildResult, add_documents, apply_changes
from index.incremental import remove_documents as remove_from_index
from index.manifest import IndexNotFound
from index.store import IndexBusy, build_lock
from ingest.corpus import SkippedFile, candidate_files, is_corpus_path, read_corpus
from ingest.documents import CorpusError, doc_id_for
from ingest.embed import Embedder
from ingest.log import Log, quiet
from ingest.managed import apply_edits, undo_edits
from ingest.metadata import UPLOADS_DIR, DocumentMetadata
from service.change_plan import (
    ChangePlan,
    ChangeRefused,
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


def _carry_out(
    settings: Settings, state: CorpusState, plan: ChangePlan, publish: Callable[[], BuildResult]
) -> ChangeOutcome:
    """Edit the corpus, then publish; undo the edit if publishing fails."""
    applied = apply_edits(settings.corpus_dir, plan.edits)
    try:
        result = publish()
    except BaseException:
        undo_edits(applied)
        raise
    return ChangeOutcome(result, state.version, plan.report, plan.skipped)


def store_uploads(
    settings: Settings,
    embedder: Embedder,
    incoming: Callable[[CorpusState], Sequence[Incoming]],
    log: Log = quiet,
) -> ChangeOutcome:
    """Store files under uploads/ and publish a version with them (change_plan.plan_uploads).

    `incoming` is given the state, so a file added again keeps the id its path was given.
    Without an index whose parts can be reused, the whole corpus is built (as `rag index`).
    """
    root, options = settings.index_dir, build_options(settings)
    with change_lock(root):
        state = read_state(settings)
        plan = plan_uploads(state, incoming(state))

        def publish() -> BuildResult:
            try:
                return add_documents(
                    root, plan.documents, embedder, options, files=plan.files, log=log
                )
            except IndexNotFound as error:  # no index yet, or one built another way
                log(f"{error}; building the whole corpus instead")
                corpus = read_corpus(settings.corpus_dir)
                return apply_changes(root, corpus, embedder, options, log=log)

        return _carry_out(settings, state, plan, publish)


def put_upload(settings: Settings, embedder: Embedder, upload: Upload) -> ChangeOutcome:
    """Store one upload as `upload.doc_id` (replacing an upload of that id) and publish."""
    source = f"{UPLOADS_DIR}/{stored_name(upload.doc_id, upload.filename)}"
    meta = DocumentMetadata(upload.doc_id, upload.title, upload.author, upload.published)
    item = Incoming(source, upload.data, meta, origin=upload.filename or "the upload")
    return store_uploads(settings, embedder, lambda _state: [item])


def remove_by_id(
    settings: Settings, embedder: Embedder, doc_ids: Sequence[str], log: Log = quiet
) -> ChangeOutcome:
    """Remove documents and publish: an upload's file is deleted, a user's own file is kept
    and listed in the removal list. UnknownDocument names ids the index does not hold."""
    root, options = settings.index_dir, build_options(settings)
    wanted = list(dict.fromkeys(doc_ids))
    with change_lock(root):
        state = read_state(settings)
        plan = plan_removal(state, wanted)
        return _carry_out(
            settings,
            state,
            plan,
            lambda: remove_from_index(root, wanted, embedder, options, files=plan.files, log=log),
        )


@dataclass(frozen=True)
class FileToAdd:
    """A file `rag add` copies: its path inside uploads/, where it is, and whether it was named
    on the command line (a named file that cannot be read is an error, not a skip)."""

    name: str
    path: Path
    named: bool


def files_to_add(corpus_dir: Path, paths: Sequence[Path]) -> list[FileToAdd]:
    """The files of these paths: a file goes to uploads/<name>, a folder to
    uploads/<folder>/<its layout> (hidden files left out, as the corpus reader does)."""
    corpus = corpus_dir.resolve()
    found: list[FileToAdd] = []
    for given in paths:
        path = given.expanduser().resolve()
        if not path.exists():
            raise CorpusError(f"no such file or folder: {given}")
        if path == corpus or corpus in path.parents:
            raise ChangeRefused(
                f"{given} is already inside the corpus {corpus_dir}; `rag index` indexes it there"
            )
        if path in corpus.parents:
            raise ChangeRefused(f"{given} holds the corpus itself; name what to add inside it")
        if not is_corpus_path(f"{UPLOADS_DIR}/{path.name}"):
            raise ChangeRefused(
                f"{given} is hidden (its name starts with '.'); the corpus skips it"
            )
        if path.is_dir():
            files = candidate_files(path)
            found += [FileToAdd(f"{path.name}/{source}", file, False) for source, file in files]
        else:
            found.append(FileToAdd(path.name, path, True))
    return found


def add_paths(
    settings: Settings, embedder: Embedder, paths: Sequence[Path], log: Log = quiet
) -> ChangeOutcome:
    """`rag add`: copy files and folders under uploads/ and publish. Each document's id is
    derived from its path inside uploads/, or kept from an earlier add of that path."""
    wanted = files_to_add(settings.corpus_dir, paths)
    contents: dict[str, bytes] = {}
    for item in wanted:
        try:
            contents[item.name] = item.path.read_bytes()
        except OSError as error:
            raise CorpusError(f"cannot read {item.path}: {error.strerror}") from error

    def incoming(state: CorpusState) -> list[Incoming]:
        def meta(name: str) -> DocumentMetadata:
            earlier = state.uploads.get(name)
            return DocumentMetadata(earlier.doc_id if earlier else doc_id_for(name))

        return [
            Incoming(
                source=f"{UPLOADS_DIR}/{f.name}",
                data=contents[f.name],
                meta=meta(f.name),
                origin=str(f.path),
                optional=not f.named,
            )
            for f in wanted
        ]

    return store_uploads(settings, embedder, incoming, log)
