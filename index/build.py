"""Building an index version from the corpus: prepare, embed, write, publish."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.dense import build_dense, to_bytes
from index.manifest import FORMAT_VERSION, DocumentEntry, Manifest
from index.store import build_lock, write_version
from ingest.chunk import ChunkingConfig
from ingest.documents import Document, EmptyCorpus
from ingest.embed import Embedder, embedding_input
from ingest.pipeline import prepare_documents

EMBEDDING_INPUT = "passages: title. section. text; sentences: text"


def _jsonl(records: list) -> bytes:
    return "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in records).encode()


def build_index(
    documents: list[Document],
    embedder: Embedder,
    chunking: ChunkingConfig,
    root: Path,
    *,
    with_sentences: bool = True,
    progress: bool = False,
    log: Callable[[str], None] = lambda _message: None,
) -> Path:
    """Build a new index version under `root` and make it current; return its directory."""
    if not documents:
        raise EmptyCorpus("nothing to index: the corpus is empty")
    with build_lock(root):
        prepared = prepare_documents(documents, chunking, with_sentences=with_sentences)
        chunks = [c for p in prepared for c in p.chunks]
        sentences = [s for p in prepared for s in p.sentences]
        titles = {d.doc_id: d.title for d in documents}
        log(f"{len(documents)} documents, {len(chunks)} chunks, {len(sentences)} sentences")
        chunk_vectors = embedder.embed(
            [embedding_input(titles[c.doc_id], c.section, c.text) for c in chunks],
            progress=progress,
        )
        sentence_vectors = embedder.embed([s.text for s in sentences], progress=progress)
        dense = build_dense(chunk_vectors)
        info = embedder.info()
        now = datetime.now(UTC)
        build_id = f"{now:%Y%m%dT%H%M%S%f}-{os.getpid()}"
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            build_id=build_id,
            built_at=now.isoformat(timespec="seconds"),
            model=asdict(info),
            chunking=asdict(chunking),
            embedding_input=EMBEDDING_INPUT,
            documents=[DocumentEntry(d.doc_id, d.source, d.sha256, len(d.text)) for d in documents],
            counts={
                "documents": len(documents),
                "chunks": len(chunks),
                "sentences": len(sentences),
            },
        )

        def write_files(directory: Path) -> None:
            (directory / "documents.jsonl").write_bytes(_jsonl(documents))
            (directory / "chunks.jsonl").write_bytes(_jsonl(chunks))
            (directory / "sentences.jsonl").write_bytes(_jsonl(sentences))
            with (directory / "sentence_vectors.npy").open("wb") as handle:
                np.save(handle, sentence_vectors.reshape(len(sentences), info.dimension))
            (directory / "dense.faiss").write_bytes(to_bytes(dense))

        return write_version(root, build_id, write_files, manifest)
