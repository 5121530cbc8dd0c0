"""Incremental builds: redo only the documents whose content changed since the current version.

The corpus is compared with the current version by content: a document whose id, title, text
hash and sections are the same keeps its chunks, sentences and vectors, read from the current
version (nothing re-chunked or re-embedded); added and changed documents are made afresh;
removed ones are simply not written. The parts are assembled in corpus order by the same
`write_parts` a full build uses, so the result equals a full build of the same corpus. A corpus
identical to the current version publishes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.build import (
    EMBEDDING_INPUT,
    BuildOptions,
    CorpusRecord,
    DocumentParts,
    make_parts,
    write_parts,
)
from index.load import StoredVersion, read_version
from index.storage.layout import stored_dtype
from index.storage.manifest import IndexNotFound, IndexProblem, incompatibilities
from index.storage.retention import register_with_cache
from index.storage.store import build_lock, current_version
from ingest.corpus import CorpusRead
from ingest.documents import Document, EmptyCorpus
from ingest.embed import Embedder
from ingest.log import Log, quiet

MakeParts = Callable[[Sequence[Document], Embedder, BuildOptions, Log], list[DocumentParts]]


class UnknownDocument(IndexNotFound):
    """A document id the current index does not hold."""


@dataclass(frozen=True)
class ChangeSet:
    """How the corpus differs from the version it was compared with, by document id."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()

    @property
    def redone(self) -> frozenset[str]:
        return frozenset(self.added + self.changed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged"
        )


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the version now current, and whether this build published it."""

    version: Path
    published: bool
    changes: ChangeSet
    full_reason: str | None = None  # why every document was made afresh, when they were

    @property
    def version_id(self) -> str:
        return self.version.name


def same_content(old: Document, new: Document) -> bool:
    """Whether `old`'s chunks, sentences and vectors are exactly what `new` would get.

    Chunks and sentences depend on the id, text, sections, blocks and markup; passage vectors
    also on the title. Other fields (author, date, source) are taken from `new` without redoing
    anything.
    """
    return (old.doc_id, old.title, old.sha256, old.sections, old.blocks, old.markup) == (
        new.doc_id,
        new.title,
        new.sha256,
        new.sections,
        new.blocks,
        new.markup,
    )


def compare(base: Mapping[str, Document], documents: Sequence[Document]) -> ChangeSet:
    """Classify each document against the base version's documents."""
    added, changed, unchanged = [], [], []
    for document in documents:
        old = base.get(document.doc_id)
        if old is None:
            added.append(document.doc_id)
        elif same_content(old, document):
            unchanged.append(document.doc_id)
        else:
            changed.append(document.doc_id)
    ids = {d.doc_id for d in documents}
    removed = tuple(doc_id for doc_id in base if doc_id not in ids)
    return ChangeSet(tuple(added), tuple(changed), removed, tuple(unchanged))


def reusable_base(root: Path, embedder: Embedder, options: BuildOptions) -> StoredVersion | str:
    """The current version, verified, if its parts can be reused; else why they cannot."""
    try:
        base = read_version(current_version(root))
    except IndexNotFound:
        return "there is no index yet"
    except IndexProblem as error:
        return f"the current index is unusable ({error})"
    manifest = base.manifest
    problems = incompatibilities(
        manifest,
        model={"name": embedder.name, "fingerprint": embedder.fingerprint},
        chunking=asdict(options.chunking),
    )
    if manifest.embedding_input != EMBEDDING_INPUT:
        problems.append(f"it embedded {manifest.embedding_input!r}, this build {EMBEDDING_INPUT!r}")
    if manifest.with_sentences != options.with_sentences:
        built = "with" if manifest.with_sentences else "without"
        problems.append(f"it was built {built} sentences, this build is not")
    return "; ".join(problems) if problems else base


def _parts_of(base: StoredVersion, documents: Iterable[Document]) -> dict[str, DocumentParts]:
    """The stored parts of these (unchanged) documents, carrying their new records.

    Each document's rows are one contiguous range (the version's document rows), so only the
    reused documents' records are decoded and their vectors sliced.
    """
    chunk_vectors = base.chunk_vectors()
    rows = base.document_rows
    parts = {}
    for document in documents:
        row = base.documents.row(document.doc_id)
        (c0, s0, h0), (c1, s1, h1) = rows[row].tolist(), rows[row + 1].tolist()
        parts[document.doc_id] = DocumentParts(
            document,
            tuple(base.chunks[c0:c1]),
            tuple(base.sentences[s0:s1]),
            np.asarray(chunk_vectors[c0:c1], dtype=np.float32),
            np.asarray(base.sentence_vectors[s0:s1], dtype=np.float32),
            np.asarray(base.section_vectors[h0:h1], dtype=np.float32),
        )
    return parts


def _unchanged_version(
    base: StoredVersion, documents: Sequence[Document], corpus: CorpusRecord
) -> bool:
    manifest = base.manifest
    return (
        [d.doc_id for d in manifest.documents] == [d.doc_id for d in documents]
        and all(base.documents.get(d.doc_id) == d for d in documents)
        and manifest.corpus_files == dict(corpus.files)
        and manifest.skipped == list(corpus.skipped)
    )


def _build(
    root: Path,
    documents: Sequence[Document],
    corpus: CorpusRecord,
    embedder: Embedder,
    options: BuildOptions,
    *,
    full: bool,
    log: Log,
    make: MakeParts = make_parts,
) -> BuildResult:
    """The build proper; the caller holds the build lock."""
    if not documents:
        raise EmptyCorpus("nothing to index: the corpus is empty")
    register_with_cache(embedder, root)
    base = "a full rebuild was asked for" if full else reusable_base(root, embedder, options)
    if isinstance(base, str):
        log(f"building every document: {base}")
        parts = make(documents, embedder, options, log)
        version = write_parts(root, parts, asdict(embedder.info()), corpus, options)
        return BuildResult(version, True, ChangeSet(added=tuple(d.doc_id for d in documents)), base)
    changes = compare(base.documents, documents)
    if _unchanged_version(base, documents, corpus):
        log(f"nothing changed since index version {base.path.name}: no new version published")
        return BuildResult(base.path, False, changes)
    log(f"{len(documents)} documents: {changes.summary()} (unchanged ones kept as they are)")
    unchanged, redone = set(changes.unchanged), changes.redone
    reused = _parts_of(base, (d for d in documents if d.doc_id in unchanged))
    fresh_documents = [d for d in documents if d.doc_id in redone]
    fresh = {p.document.doc_id: p for p in make(fresh_documents, embedder, options, log)}
    model = asdict(embedder.info()) if fresh else base.manifest.model
    parts = [reused.get(d.doc_id) or fresh[d.doc_id] for d in documents]
    passages = sum(len(p.chunks) for p in parts)
    if reused and base.manifest.vector_dtype != stored_dtype(passages).name == "float32":
        # the base stored float16 vectors; below LARGE_INDEX a full build keeps float32 ones
        log("below the large-index size vectors are stored exactly: embedding every document")
        parts = make(documents, embedder, options, log)
        model = asdict(embedder.info())
    return BuildResult(write_parts(root, parts, model, corpus, options), True, changes)


def apply_changes(
    root: Path,
    corpus: CorpusRead,
    embedder: Embedder,
    options: BuildOptions = BuildOptions(),  # noqa: B008 - frozen dataclass
    *,
    full: bool = False,
    log: Log = quiet,
    make: MakeParts = make_parts,
) -> BuildResult:
    """Bring the index at `root` up to date with the whole corpus (ingest.corpus.read_corpus).

    `make` makes the parts of the documents to redo: here, or on Ray (index/ray_build.py)."""
    record = CorpusRecord(dict(corpus.files), tuple(corpus.skipped))
    documents = list(corpus.documents)
    with build_lock(root):
        return _build(root, documents, record, embedder, options, full=full, log=log, make=make)


def _current_or_fail(root: Path, embedder: Embedder, options: BuildOptions) -> StoredVersion:
    base = reusable_base(root, embedder, options)
    if isinstance(base, str):
        raise IndexNotFound(f"cannot change documents one by one: {base}; run `rag index`")
    return base


def add_documents(
    root: Path,
    documents: Sequence[Document],
    embedder: Embedder,
    options: BuildOptions = BuildOptions(),  # noqa: B008 - frozen dataclass
    *,
    files: Mapping[str, str] | None = None,
    log: Log = quiet,
) -> BuildResult:
    """Add documents to the current version, or replace those with the same id.

    `files` gives the raw-bytes SHA-256 of each new file by source (as ingest.corpus records
    it), so that a later build of the corpus holding those files finds nothing changed. The
    result is ordered by source, as a build of that corpus would be.
    """
    with build_lock(root):
        base = _current_or_fail(root, embedder, options)
        replaced = {d.doc_id for d in documents}
        kept = [base.documents[e.doc_id] for e in base.manifest.documents]
        target = sorted(
            [d for d in kept if d.doc_id not in replaced] + list(documents), key=lambda d: d.source
        )
        old_sources = {base.documents[i].source for i in replaced if i in base.documents}
        new_files = {k: v for k, v in base.manifest.corpus_files.items() if k not in old_sources}
        new_files.update(files or {})
        sources = {d.source for d in documents}
        skipped = tuple(s for s in base.manifest.skipped if s.source not in sources)
        record = CorpusRecord(dict(sorted(new_files.items())), skipped)
        return _build(root, target, record, embedder, options, full=False, log=log)


def remove_documents(
    root: Path,
    doc_ids: Iterable[str],
    embedder: Embedder,
    options: BuildOptions = BuildOptions(),  # noqa: B008 - frozen dataclass
    *,
    files: Mapping[str, str] | None = None,
    log: Log = quiet,
) -> BuildResult:
    """Remove documents from the current version (their files should leave the corpus too,
    or the next `rag index` adds them back). UnknownDocument names an id that is not there.

    `files` gives the new raw-bytes SHA-256 of corpus files the removal rewrote (a metadata
    file), as in add_documents."""
    wanted = list(dict.fromkeys(doc_ids))
    with build_lock(root):
        base = _current_or_fail(root, embedder, options)
        if unknown := [i for i in wanted if i not in base.documents]:
            raise UnknownDocument(f"the index holds no document {', '.join(map(repr, unknown))}")
        gone = set(wanted)
        target = [base.documents[e.doc_id] for e in base.manifest.documents]
        target = [d for d in target if d.doc_id not in gone]
        if not target:
            raise EmptyCorpus("removing every document would leave an empty index")
        sources = {base.documents[i].source for i in gone}
        kept = {k: v for k, v in base.manifest.corpus_files.items() if k not in sources}
        kept.update(files or {})
        record = CorpusRecord(dict(sorted(kept.items())), tuple(base.manifest.skipped))
        return _build(root, target, record, embedder, options, full=False, log=log)
