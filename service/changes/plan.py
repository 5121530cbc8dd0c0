"""What a document change writes to the corpus, planned in full before anything is written.

An upload is stored under `uploads/` and recorded (its doc_id, and any title, author or date given)
in that folder's metadata.json (ingest/folder/metadata.py). Removing an upload deletes its file and
entry; removing a user's own file lists it in the removal list instead (ingest/folder/managed.py)
and the file stays. Everything that can be refused (a file that cannot be read, an id that is a
user's own file) is refused here, before service/changes/apply.py touches the corpus.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Literal

from index.incremental import UnknownDocument
from index.load import load_documents
from index.storage.manifest import IndexNotFound
from index.storage.store import current_version
from ingest.corpus import Outcome, SkippedFile, assemble, source_file
from ingest.documents import CorpusError, Document, bytes_hash, doc_id_for
from ingest.folder.journal import FileEdit
from ingest.folder.managed import REMOVED_FILE, read_removed, removed_json
from ingest.folder.metadata import (
    UPLOADS_DIR,
    UPLOADS_METADATA,
    DocumentMetadata,
    metadata_json,
    read_metadata_file,
)
from ingest.readers import SourceFile, UnreadableFile
from service.config import Settings

Action = Literal["added", "replaced", "deleted", "excluded"]


class ChangeRefused(CorpusError):
    """The change would clash with the corpus as it is; nothing was changed."""


@dataclass(frozen=True)
class DocumentChange:
    """What happens to one document: added or replaced (stored at `source`), deleted (the
    upload's file deleted) or excluded (a user's file, kept and listed in the removal list)."""

    doc_id: str
    source: str
    action: Action


@dataclass(frozen=True)
class CorpusState:
    """What a change is planned against, read under the change lock."""

    settings: Settings
    uploads: dict[str, DocumentMetadata]  # by path inside uploads/
    removed: frozenset[str]
    indexed: dict[str, Document]  # the current version's documents (none without an index)
    version: str | None

    def is_upload(self, source: str) -> bool:
        return upload_name(source) in self.uploads


@dataclass(frozen=True)
class Incoming:
    """A file to store at `source` (under uploads/) as a document described by `meta` (without
    a doc_id: the one its path was given before, or one derived from the path); `origin` names
    it in messages; an `optional` one that cannot be read is skipped."""

    source: str
    data: bytes
    meta: DocumentMetadata
    origin: str
    optional: bool = False

    @property
    def file(self) -> SourceFile:
        """What its reader is given (read before the change is planned:
        service/changes/apply.py)."""
        return source_file(self.source, self.data, self.meta)


@dataclass(frozen=True)
class ChangePlan:
    """The corpus edits of a change, the documents it adds, the new raw-bytes hashes of the
    corpus files it writes (for the manifest), and what happens to each document."""

    edits: tuple[FileEdit, ...]
    documents: tuple[Document, ...]
    files: dict[str, str]
    report: tuple[DocumentChange, ...]
    skipped: tuple[SkippedFile, ...] = ()


def upload_name(source: str) -> str:
    """A corpus source's path inside uploads/ ("" when it is not under uploads/)."""
    prefix = f"{UPLOADS_DIR}/"
    return source.removeprefix(prefix) if source.startswith(prefix) else ""


def stored_name(doc_id: str, filename: str) -> str:
    """The file an upload is stored as: its doc_id, with the upload's suffix unless the id
    already ends with it ("notes" + "a.md" -> "notes.md"; "notes.md" stays "notes.md")."""
    suffix = PurePosixPath(filename).suffix.lower()
    return doc_id if doc_id.lower().endswith(suffix) else doc_id + suffix


def read_state(settings: Settings) -> CorpusState:
    """The uploads, the removal list and the current version's documents."""
    corpus, root = settings.corpus_dir, settings.index_dir
    try:
        version: str | None = current_version(root).name
    except IndexNotFound:
        version = None
    return CorpusState(
        settings=settings,
        uploads=read_metadata_file(corpus / UPLOADS_METADATA),
        removed=read_removed(corpus),
        indexed=load_documents(root, version) if version else {},
        version=version,
    )


def _check_clash(state: CorpusState, taken: Sequence[Document], document: Document) -> None:
    """ChangeRefused when storing `document` would overwrite or shadow what is not an upload."""
    doc_id, name = document.doc_id, upload_name(document.source)
    owner = state.indexed.get(doc_id)
    if owner is not None and not state.is_upload(owner.source):
        raise ChangeRefused(
            f"document {doc_id!r} is the corpus's own file {owner.source}, not an upload; "
            "edit that file and run `rag index`, or remove the document first"
        )
    held = state.uploads.get(name)  # a file in uploads/ that no entry lists is not indexed
    # (ingest.corpus skips it): a leftover, which storing this upload replaces
    if held is not None and held.doc_id != doc_id:
        raise ChangeRefused(f"{document.source} already holds document {held.doc_id!r}")
    if any(d.doc_id == doc_id for d in taken):
        raise ChangeRefused(f"two of the files would both be document {doc_id!r}")


def _with_id(state: CorpusState, meta: DocumentMetadata, name: str) -> DocumentMetadata:
    if meta.doc_id:
        return meta
    earlier = state.uploads.get(name)
    return replace(meta, doc_id=earlier.doc_id if earlier else doc_id_for(name))


def plan_uploads(
    state: CorpusState, incoming: Sequence[Incoming], read: Mapping[str, Outcome]
) -> ChangePlan:
    """Store these files under uploads/, each replacing an upload of the same id; ChangeRefused
    for a clash, UnreadableFile for a file the readers cannot index. `read` holds what each
    file's reader found (or why it could not), by source."""
    uploads = dict(state.uploads)
    edits: list[FileEdit] = []
    documents: list[Document] = []
    report: list[DocumentChange] = []
    skipped: list[SkippedFile] = []
    for item in incoming:
        name = upload_name(item.source)
        meta = _with_id(state, item.meta, name)
        try:
            outcome = read[item.source]
            if isinstance(outcome, UnreadableFile):
                raise outcome
            document = assemble(item.file, outcome, meta)
        except UnreadableFile as error:
            if not item.optional:
                raise UnreadableFile(f"{item.origin}: {error}") from error
            skipped.append(SkippedFile(item.origin, str(error)))
            continue
        _check_clash(state, documents, document)
        for other, held in list(uploads.items()):  # the same id stored under another name
            if held.doc_id == document.doc_id and other != name:
                edits.append(FileEdit(f"{UPLOADS_DIR}/{other}", None))
                del uploads[other]
        uploads[name] = meta
        edits.append(FileEdit(item.source, item.data))
        documents.append(document)
        action: Action = "replaced" if document.doc_id in state.indexed else "added"
        report.append(DocumentChange(document.doc_id, item.source, action))
    if not documents:
        reasons = "; ".join(s.warning() for s in skipped) or "no files given"
        raise UnreadableFile(f"nothing to add: {reasons}")
    listing = metadata_json(uploads)
    edits.append(FileEdit(UPLOADS_METADATA, listing))
    files = {d.source: d.file_sha256 for d in documents}
    files[UPLOADS_METADATA] = bytes_hash(listing)
    if back := state.removed & files.keys():  # a path listed as removed is stored again
        edits.append(FileEdit(REMOVED_FILE, removed_json(state.removed - back)))
    return ChangePlan(tuple(edits), tuple(documents), files, tuple(report), tuple(skipped))


def plan_removal(state: CorpusState, doc_ids: Sequence[str]) -> ChangePlan:
    """Remove these documents: uploads deleted, a user's files listed as removed;
    UnknownDocument names the ids the index does not hold."""
    if unknown := [i for i in doc_ids if i not in state.indexed]:
        raise UnknownDocument(f"the index holds no document {', '.join(map(repr, unknown))}")
    uploads, removed = dict(state.uploads), set(state.removed)
    edits: list[FileEdit] = []
    report: list[DocumentChange] = []
    for doc_id in doc_ids:
        source = state.indexed[doc_id].source
        if state.is_upload(source):
            del uploads[upload_name(source)]
            edits.append(FileEdit(source, None))
            report.append(DocumentChange(doc_id, source, "deleted"))
        else:
            removed.add(source)
            report.append(DocumentChange(doc_id, source, "excluded"))
    files: dict[str, str] = {}
    if uploads != state.uploads:
        listing = metadata_json(uploads)
        edits.append(FileEdit(UPLOADS_METADATA, listing))
        files[UPLOADS_METADATA] = bytes_hash(listing)
    if removed != state.removed:
        edits.append(FileEdit(REMOVED_FILE, removed_json(removed)))
    return ChangePlan(tuple(edits), (), files, tuple(report))
