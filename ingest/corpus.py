"""Reading a corpus folder: every visible file, recursively, through the reader its format needs.

A file that cannot become a document is skipped with its reason, never fatal: only a corpus
with nothing readable at all is an error. `scan_corpus` hashes the same files without parsing
them, so start-up can tell whether anything changed without running any reader.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ingest.blocks.sections import sections_of
from ingest.documents import (
    DOC_ID,
    CorpusError,
    Document,
    EmptyCorpus,
    FieldSpan,
    bytes_hash,
    content_hash,
    doc_id_for,
)
from ingest.fields.article_fields import KnownNames
from ingest.fields.bylines import iso_date
from ingest.folder.managed import read_removed
from ingest.folder.metadata import (
    METADATA_FILE,
    METADATA_FILES,
    UPLOADS_DIR,
    UPLOADS_METADATA,
    DocumentMetadata,
    read_metadata,
)
from ingest.readers import READERS, FormatReader, SourceFile, UnreadableFile, reader_for
from ingest.readers.base import Extracted

Outcome = Extracted | UnreadableFile
# Reads files, yielding each with its extraction or why it cannot be read, in any order.
Extract = Callable[[Iterable[SourceFile]], Iterable[tuple[SourceFile, Outcome]]]


@dataclass(frozen=True)
class SkippedFile:
    """A corpus file that is not indexed, and why (one warning line)."""

    source: str
    reason: str

    def warning(self) -> str:
        return f"skipped {self.source}: {self.reason}"


@dataclass(frozen=True)
class CorpusRead:
    """The documents of a corpus, the files skipped, and every file's raw-bytes SHA-256."""

    documents: tuple[Document, ...]
    skipped: tuple[SkippedFile, ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)  # what scan_corpus would answer


_UNLISTED_UPLOAD = (
    f"in {UPLOADS_DIR}/, which `rag add` and PUT /admin/documents manage, but not listed in "
    f"{UPLOADS_METADATA} (a leftover, not indexed): add it again or delete it"
)


def is_corpus_path(source: str) -> bool:
    """A relative posix path to a visible file inside the corpus: no '..', no hidden parts."""
    parts = source.split("/")
    return bool(source) and "\\" not in source and all(p and not p.startswith(".") for p in parts)


def candidate_files(corpus_dir: Path) -> list[tuple[str, Path]]:
    """Every visible file under the corpus (hidden files and folders skipped), by source;
    files listed in its removal list (`rag remove`, ingest/folder/managed.py) are left out."""
    removed = read_removed(corpus_dir)
    found = []
    for folder, subfolders, names in os.walk(corpus_dir):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            path = Path(folder) / name
            source = path.relative_to(corpus_dir).as_posix()
            if not name.startswith(".") and source not in removed and path.is_file():
                found.append((source, path))
    return sorted(found)


def _digest(path: Path) -> tuple[bytes | None, str]:
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, f"unreadable: {error.strerror}"
    return data, bytes_hash(data)


def scan_corpus(corpus_dir: Path) -> dict[str, str]:
    """source -> SHA-256 of the raw bytes, for every candidate file (metadata.json included)."""
    return {source: _digest(path)[1] for source, path in candidate_files(corpus_dir)}


def _same(name: str, stated: str, value: str) -> bool:
    if name == "published" and iso_date(stated) and iso_date(value):
        return iso_date(stated) == iso_date(value)
    return " ".join(stated.split()).casefold() == " ".join(value.split()).casefold()


def _agreeing_spans(text: str, spans: tuple[FieldSpan, ...], values: dict) -> tuple[FieldSpan, ...]:
    """The spans that state what the document's fields now say; the title found if unstated.

    metadata.json may correct a field; a span of the text saying otherwise would mislead.
    """
    kept = [
        s
        for s in spans
        if values.get(s.name) and _same(s.name, text[s.start : s.end], values[s.name])
    ]
    if not any(s.name == "title" for s in kept) and (found := text.find(values["title"])) >= 0:
        kept.append(FieldSpan("title", found, found + len(values["title"])))
    return tuple(sorted(kept, key=lambda s: (s.start, s.name)))


def extract_file(file: SourceFile) -> Extracted:
    """What the file's reader finds in it (the costly part of reading: ingest/folder/budget.py runs
    it in a worker process within limits); UnreadableFile when no reader takes it."""
    reader = reader_for(file.source, file.data)
    if reader is None:
        suffix = PurePosixPath(file.source).suffix.lower()
        kind = f"type {suffix!r}" if suffix else "type (no suffix)"
        raise UnreadableFile(f"unsupported file {kind}; readable: {', '.join(sorted(READERS))}")
    return reader.read(file)


def extract_here(files: Iterable[SourceFile]) -> Iterator[tuple[SourceFile, Outcome]]:
    """Each file's extraction in this process, one after another (Extract without a budget)."""
    for file in files:
        try:
            yield file, extract_file(file)
        except UnreadableFile as error:
            yield file, error


def source_file(source: str, data: bytes, meta: DocumentMetadata) -> SourceFile:
    """What a reader is given: the file, and the names metadata.json states for it."""
    return SourceFile(
        source, data, KnownNames(title=meta.title, author=meta.author, site=meta.site)
    )


def assemble(
    file: SourceFile,
    extracted: Extracted,
    meta: DocumentMetadata = DocumentMetadata(),  # noqa: B008 - frozen dataclass
) -> Document:
    """The Document of a file its reader has read; metadata.json's fields win.

    The id is metadata's or the one derived from the source; read_corpus checks its shape.
    """
    source = file.source
    values = {
        "title": meta.title or extracted.title or PurePosixPath(source).stem,
        "author": meta.author or extracted.author,
        "published": meta.published or extracted.published,
        "site": meta.site or extracted.site,
    }
    sections = sections_of(extracted.text, extracted.blocks, values["title"], extracted.markup)
    if not sections:
        raise UnreadableFile("no body text to index")
    return Document(
        doc_id=meta.doc_id or doc_id_for(source),
        source=source,
        text=extracted.text,
        sha256=content_hash(extracted.text),
        **values,
        format=extracted.format,
        file_sha256=bytes_hash(file.data),
        file_bytes=len(file.data),
        sections=sections,
        pages=extracted.pages,
        spans=_agreeing_spans(extracted.text, extracted.spans, values),
        blocks=extracted.blocks,
        markup=extracted.markup,
    )


def build_document(
    source: str,
    data: bytes,
    meta: DocumentMetadata = DocumentMetadata(),  # noqa: B008 - frozen dataclass
    reader: FormatReader | None = None,
) -> Document:
    """One file as a Document, read in this process (by `reader` when given)."""
    file = source_file(source, data, meta)
    extracted = reader.read(file) if reader else extract_file(file)
    return assemble(file, extracted, meta)


def read_source(corpus_dir: Path, source: str) -> Document:
    """One corpus file as the corpus reader makes it (a suite checks evidence against this)."""
    if not is_corpus_path(source):
        raise CorpusError(f"{source!r} is not a relative path to a visible file in the corpus")
    path = corpus_dir / source
    if not path.is_file():
        raise CorpusError(f"{source!r} does not exist in {corpus_dir}")
    meta = read_metadata(corpus_dir).get(source, DocumentMetadata())
    return build_document(source, path.read_bytes(), meta)


def read_corpus(corpus_dir: Path, extract: Extract = extract_here) -> CorpusRead:
    """Every readable file of the corpus as a Document, in source order; the rest skipped.
    `extract` reads the files (ingest/folder/budget.py: in workers, within a budget)."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus directory {corpus_dir} does not exist")
    metadata = read_metadata(corpus_dir)
    files: dict[str, str] = {}
    refused: dict[str, UnreadableFile] = {}

    def readable() -> Iterator[SourceFile]:
        for source, path in candidate_files(corpus_dir):
            data, files[source] = _digest(path)
            if source in METADATA_FILES:
                continue
            if data is None:
                refused[source] = UnreadableFile(files[source])
            elif PurePosixPath(source).name == METADATA_FILE:
                refused[source] = UnreadableFile(
                    "metadata.json is read only at the top of the corpus"
                )
            elif source.startswith(f"{UPLOADS_DIR}/") and source not in metadata:
                refused[source] = UnreadableFile(_UNLISTED_UPLOAD)
            else:
                yield source_file(source, data, metadata.get(source, DocumentMetadata()))

    read = {file.source: (file, outcome) for file, outcome in extract(readable())}
    documents: list[Document] = []
    skipped: list[SkippedFile] = []
    owners: dict[str, str] = {}
    for source in sorted(read.keys() | refused.keys()):
        try:
            if source in refused:
                raise refused[source]
            file, outcome = read[source]
            if isinstance(outcome, UnreadableFile):
                raise outcome
            doc = assemble(file, outcome, metadata.get(source, DocumentMetadata()))
            if not DOC_ID.fullmatch(doc.doc_id):
                raise UnreadableFile(
                    f"metadata.json gives doc_id {doc.doc_id!r}; ids are letters, digits, "
                    "'.', '_' or '-' (at most 128, starting with a letter or digit)"
                )
            if doc.doc_id in owners:
                raise UnreadableFile(f"doc_id {doc.doc_id!r} is taken by {owners[doc.doc_id]}")
        except UnreadableFile as error:
            skipped.append(SkippedFile(source, str(error)))
            continue
        owners[doc.doc_id] = source
        documents.append(doc)
    skipped += [
        SkippedFile(METADATA_FILE, f"entry for {name!r} names no file in the corpus")
        for name in sorted(metadata.keys() - files.keys() - read_removed(corpus_dir))
    ]
    if not documents:
        reasons = "; ".join(f"{s.source}: {s.reason}" for s in skipped) or "no files at all"
        raise EmptyCorpus(f"corpus directory {corpus_dir} holds no readable document ({reasons})")
    return CorpusRead(tuple(documents), tuple(skipped), dict(sorted(files.items())))


def load_corpus(corpus_dir: Path) -> list[Document]:
    """The readable documents of the corpus (skipped files left out; see read_corpus)."""
    return list(read_corpus(corpus_dir).documents)
