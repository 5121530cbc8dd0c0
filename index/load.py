"""Loading an index version, after verifying it against its manifest.

Nothing here makes a Python object per passage or per sentence. In a large version, records and
vector rows are read when asked for, and the BM25 matrix and the sentence tables are memory-mapped
(index/storage/layout.py, index/storage/tables.py), so a load costs the checksum pass and a few
arrays, and resident memory grows with what queries touch rather than with the corpus. Small
versions are read whole, behind the same sequences.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.dense import configure, is_exact
from index.lexical import LexicalIndex, load_lexical
from index.storage import layout
from index.storage.manifest import IndexCorrupt, IndexNotFound, Manifest, version_file
from index.storage.sentence_tables import SentenceTables
from index.storage.store import PARTIAL_SUFFIX, VERSIONS, current_version, verify_files
from index.storage.tables import load_array
from ingest.chunk import Chunk
from ingest.documents import DOC_ID, Document, bytes_hash
from ingest.embed import embedding_input
from ingest.pipeline import SentenceRecord

DOCUMENTS_FILE = layout.record_file(layout.DOCUMENTS)


@dataclass(frozen=True)
class StoredVersion:
    """One version's files as read and verified: what incremental builds reuse."""

    path: Path
    manifest: Manifest
    documents: layout.DocumentTable
    chunks: Sequence[Chunk]
    dense: faiss.Index
    sentences: Sequence[SentenceRecord]
    sentence_vectors: np.ndarray
    section_vectors: np.ndarray
    document_rows: np.ndarray  # per document, where its chunks, sentences and sections start

    def chunk_vectors(self) -> np.ndarray:
        """The stored passage vectors, exactly as they were indexed."""
        if not is_exact(self.dense):
            return load_array(self.path / layout.CHUNK_VECTORS)  # mapped: builds read it all
        dimension = self.dense.d
        if not self.dense.ntotal:
            return np.zeros((0, dimension), dtype=np.float32)
        return self.dense.reconstruct_n(0, self.dense.ntotal).reshape(-1, dimension)


@dataclass(frozen=True)
class IndexData:
    """One immutable, loaded index version; swapping versions swaps this object."""

    path: Path
    manifest: Manifest
    documents: Mapping[str, Document]
    chunks: Sequence[Chunk]
    dense: faiss.Index
    lexical: LexicalIndex
    sentences: Sequence[SentenceRecord]
    sentence_vectors: np.ndarray
    section_vectors: np.ndarray  # per section, the embedding of its heading
    tables: SentenceTables

    @property
    def version(self) -> str:
        return self.manifest.build_id


def _chunk(raw: dict) -> Chunk:
    return Chunk(**raw)


def _sentence(raw: dict) -> SentenceRecord:
    return SentenceRecord(**raw)


def _in_place(manifest: Manifest) -> bool:
    return layout.in_place(int(manifest.counts.get("chunks", 0)))


def _documents(version: Path, manifest: Manifest) -> layout.DocumentTable:
    records = layout.read_records(
        version, layout.DOCUMENTS, Document.from_record, _in_place(manifest)
    )
    return layout.DocumentTable(records, [d.doc_id for d in manifest.documents])


def read_version(version: Path) -> StoredVersion:
    """Read one version directory, every file checked against the manifest's checksums."""
    manifest = Manifest.read(version)
    verify_files(version, manifest)
    in_place = _in_place(manifest)
    try:
        documents = _documents(version, manifest)
        chunks = layout.read_records(version, layout.CHUNKS, _chunk, in_place)
        sentences = layout.read_records(version, layout.SENTENCES, _sentence, in_place)
        dense = faiss.read_index(str(version / layout.DENSE_FILE))  # no second copy in bytes
        configure(dense, manifest.dense)
        vectors = layout.load_vectors(version, layout.SENTENCE_VECTORS, in_place)
        sections = layout.load_vectors(version, layout.SECTION_VECTORS, in_place)
        rows = load_array(version / layout.DOCUMENT_ROWS, in_place)
    except (RuntimeError, ValueError, OSError) as error:
        raise IndexCorrupt(f"{version.name}: index files cannot be read ({error})") from error
    if dense.ntotal != len(chunks) or len(vectors) != len(sentences):
        raise IndexCorrupt(
            f"{version.name}: {dense.ntotal} vectors for {len(chunks)} chunks, "
            f"{len(vectors)} for {len(sentences)} sentences"
        )
    if rows.shape != (len(documents) + 1, 3) or rows[-1].tolist() != [
        len(chunks),
        len(sentences),
        len(sections),
    ]:
        raise IndexCorrupt(f"{version.name}: document rows do not match its chunks and sentences")
    return StoredVersion(
        version, manifest, documents, chunks, dense, sentences, vectors, sections, rows
    )


def load_version(version: Path) -> IndexData:
    """One version, verified, with its saved keyword index and sentence tables."""
    stored = read_version(version)
    try:
        in_place = _in_place(stored.manifest)
        lexical = load_lexical(version, in_place)
        tables = SentenceTables.load(version, in_place)
    except (RuntimeError, ValueError, OSError, KeyError) as error:
        raise IndexCorrupt(f"{version.name}: index files cannot be read ({error})") from error
    if len(tables.sentence_section) != len(stored.sentences):
        raise IndexCorrupt(f"{version.name}: sentence tables do not match its sentences")
    return IndexData(
        path=version,
        manifest=stored.manifest,
        documents=stored.documents,
        chunks=stored.chunks,
        dense=stored.dense,
        lexical=lexical,
        sentences=stored.sentences,
        sentence_vectors=stored.sentence_vectors,
        section_vectors=stored.section_vectors,
        tables=tables,
    )


def load_index(root: Path) -> IndexData:
    """Load the current version under `root`; raises IndexNotFound or IndexCorrupt."""
    return load_version(current_version(root))


def load_documents(root: Path, version: str) -> dict[str, Document]:
    """The documents of one kept version (for `GET /documents/{id}?version=V`), verified.

    Only documents.jsonl is read, once, and its bytes checked against the version's manifest;
    a version that was never built, was pruned (even while reading), or is not a version name
    at all is an IndexNotFound.
    """
    missing = IndexNotFound(f"no index version {version!r} (never built, or no longer kept)")
    if not DOC_ID.fullmatch(version) or version.endswith(PARTIAL_SUFFIX):
        raise missing
    directory = root / VERSIONS / version
    if not directory.is_dir():
        raise missing
    manifest = Manifest.read(directory)
    name = version_file(directory, DOCUMENTS_FILE)
    try:
        data = (directory / DOCUMENTS_FILE).read_bytes()
    except FileNotFoundError:
        raise (missing if not directory.is_dir() else IndexCorrupt(f"{name} is missing")) from None
    expected = manifest.files.get(DOCUMENTS_FILE)
    if expected is None or expected != {"bytes": len(data), "sha256": bytes_hash(data)}:
        raise IndexCorrupt(
            f"{name} does not match the size and checksum in its manifest: the file was altered "
            "after the build"
        )
    try:
        records = [Document.from_record(json.loads(line)) for line in data.splitlines() if line]
    except (TypeError, KeyError, ValueError, AttributeError) as error:
        raise IndexCorrupt(f"{name} cannot be read ({error})") from error
    return {d.doc_id: d for d in records}


def embedded_texts(version: Path) -> tuple[str, set[str]]:
    """A version's model fingerprint and every text embedded for it: passage inputs, sentences
    and section headings. Not verified: it only tells the embedding cache which rows to keep."""
    manifest = Manifest.read(version)
    documents = _documents(version, manifest)
    chunks = layout.read_records(version, layout.CHUNKS, _chunk)
    sentences = layout.read_records(version, layout.SENTENCES, _sentence)
    texts = {embedding_input(documents[c.doc_id].title, c.section, c.readable) for c in chunks}
    texts.update(s.readable for s in sentences)
    texts.update(s.section for s in sentences)
    return str(manifest.model.get("fingerprint", "")), texts
