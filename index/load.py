"""Loading an index version into memory, after verifying it against its manifest."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.dense import from_bytes
from index.lexical import LexicalIndex, build_lexical
from index.manifest import IndexCorrupt, Manifest
from index.store import current_version, verify_files
from ingest.chunk import Chunk
from ingest.documents import Document
from ingest.embed import embedding_input
from ingest.pipeline import SentenceRecord


@dataclass(frozen=True)
class IndexData:
    """One immutable, fully loaded index version; swapping versions swaps this object."""

    path: Path
    manifest: Manifest
    documents: dict[str, Document]
    chunks: tuple[Chunk, ...]
    dense: faiss.Index
    lexical: LexicalIndex
    sentences: tuple[SentenceRecord, ...]
    sentence_vectors: np.ndarray

    @property
    def version(self) -> str:
        return self.manifest.build_id


def _records(path: Path, cls: type) -> list:
    try:
        with path.open(encoding="utf-8") as handle:
            return [cls(**json.loads(line)) for line in handle if line.strip()]
    except (json.JSONDecodeError, TypeError) as error:
        raise IndexCorrupt(f"{path.name} cannot be read ({error})") from error


def load_index(root: Path) -> IndexData:
    """Load the current version under `root`; raises IndexNotFound or IndexCorrupt."""
    version = current_version(root)
    manifest = Manifest.read(version)
    verify_files(version, manifest)
    chunks = _records(version / "chunks.jsonl", Chunk)
    sentences = _records(version / "sentences.jsonl", SentenceRecord)
    documents = {d.doc_id: d for d in _records(version / "documents.jsonl", Document)}
    try:
        dense = from_bytes((version / "dense.faiss").read_bytes())
        vectors = np.load(io.BytesIO((version / "sentence_vectors.npy").read_bytes()))
    except (RuntimeError, ValueError) as error:
        raise IndexCorrupt(f"{version.name}: vector files cannot be read ({error})") from error
    if dense.ntotal != len(chunks) or len(vectors) != len(sentences):
        raise IndexCorrupt(
            f"{version.name}: {dense.ntotal} vectors for {len(chunks)} chunks, "
            f"{len(vectors)} for {len(sentences)} sentences"
        )
    lexical = build_lexical(
        [embedding_input(documents[c.doc_id].title, c.section, c.text) for c in chunks]
    )
    return IndexData(
        path=version,
        manifest=manifest,
        documents=documents,
        chunks=tuple(chunks),
        dense=dense,
        lexical=lexical,
        sentences=tuple(sentences),
        sentence_vectors=vectors,
    )
