"""Building an index version: prepare and embed documents, then write, publish and prune.

A version is assembled from `DocumentParts`, one per document in corpus order. A full build
makes every document's parts; an incremental build (index/incremental.py) takes the parts of
unchanged documents from the current version and makes only the rest. Both go through
`write_parts`, so an incremental build writes exactly what a full build of the same corpus
would.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.dense import build_dense, describe, is_exact, to_bytes
from index.lexical import build_lexical
from index.storage import layout
from index.storage.manifest import FORMAT_VERSION, DocumentEntry, Manifest
from index.storage.retention import KEEP_VERSIONS, apply_retention, register_with_cache
from index.storage.sentence_tables import SentenceTables, section_starts
from index.storage.store import build_lock, write_version
from ingest.chunk import Chunk, ChunkingConfig
from ingest.corpus import SkippedFile
from ingest.documents import Document, EmptyCorpus
from ingest.embed import Embedder, embedding_input
from ingest.log import Log, quiet
from ingest.pipeline import PreparedDocument, SentenceRecord, prepare_documents

EMBEDDING_INPUT = "passages: title. section. text; sentences: text"
EMBED_GROUP = 256  # texts per `embed` call (the embedder batches within it)
EmbedGroups = Callable[[list[list[str]]], list[np.ndarray]]


@dataclass(frozen=True)
class BuildOptions:
    """How versions are built and how many are kept; recorded in (or checked against) manifests."""

    chunking: ChunkingConfig = ChunkingConfig()  # noqa: RUF009 - frozen dataclass
    with_sentences: bool = True
    keep_versions: int = KEEP_VERSIONS
    progress: bool = False


@dataclass(frozen=True)
class CorpusRecord:
    """What the manifest records about the corpus beyond its documents (ingest.corpus)."""

    files: Mapping[str, str]  # source -> raw-bytes SHA-256 of every candidate file
    skipped: tuple[SkippedFile, ...] = ()


@dataclass(frozen=True)
class DocumentParts:
    """What a version stores for one document: its chunks and sentences with their vectors."""

    document: Document
    chunks: tuple[Chunk, ...]
    sentences: tuple[SentenceRecord, ...]
    chunk_vectors: np.ndarray  # one row per chunk
    sentence_vectors: np.ndarray  # one row per sentence
    section_vectors: np.ndarray  # one row per section (a run of sentences under one heading)


def chunk_inputs(document: Document, chunks: Iterable[Chunk]) -> list[str]:
    """What is embedded for each passage (the embedding cache is keyed by these texts)."""
    return [embedding_input(document.title, c.section, c.readable) for c in chunks]


Prepare = Callable[[Sequence[Document], BuildOptions], list[PreparedDocument]]


def prepare_locally(documents: Sequence[Document], options: BuildOptions) -> list[PreparedDocument]:
    return prepare_documents(
        list(documents), options.chunking, with_sentences=options.with_sentences
    )


def embed_locally(embedder: Embedder, progress: bool = False) -> EmbedGroups:
    """Each group embedded in turn by this process's embedder."""

    def embed(groups: list[list[str]]) -> list[np.ndarray]:
        if progress:
            from tqdm import tqdm

            groups = tqdm(groups, desc="embedding", unit="group")
        return [np.asarray(embedder.embed(group), dtype=np.float32) for group in groups]

    return embed


def embedding_groups(texts: Sequence[str]) -> list[list[int]]:
    """Which texts are embedded together: longest first, EMBED_GROUP per `embed` call.

    A vector's last bits depend on which texts share its padded batch, so the build fixes the
    groups itself: any builder that embeds these groups, one `embed` call each (a Ray worker,
    index/ray_build.py), gets the vectors a local build gets, bit for bit.
    """
    order = sorted(range(len(texts)), key=lambda i: (-len(texts[i]), i))
    return [order[i : i + EMBED_GROUP] for i in range(0, len(order), EMBED_GROUP)]


def embed_texts(texts: Sequence[str], dimension: int, embed: EmbedGroups) -> np.ndarray:
    """One vector per text. Each distinct text is in exactly one group: were a text in two,
    whether the second group embeds it or finds it cached would depend on which group ran
    first (Ray runs them at once), and with it the batch the others share."""
    distinct = list(dict.fromkeys(texts))
    vectors = np.zeros((len(distinct), dimension), dtype=np.float32)
    groups = embedding_groups(distinct)
    for rows, got in zip(groups, embed([[distinct[i] for i in g] for g in groups]), strict=True):
        vectors[rows] = np.asarray(got, dtype=np.float32).reshape(len(rows), dimension)
    row_of = {text: row for row, text in enumerate(distinct)}
    return vectors[[row_of[t] for t in texts]] if texts else vectors


def make_parts(
    documents: Sequence[Document],
    embedder: Embedder,
    options: BuildOptions,
    log: Log = quiet,
    *,
    prepare: Prepare = prepare_locally,
    embed: EmbedGroups | None = None,
) -> list[DocumentParts]:
    """Chunk, segment and embed documents (the only place a build calls the embedder).

    `prepare` and `embed` are where the work runs: in this process by default, on Ray
    workers for `rag index --ray`; the parts are the same either way.
    """
    if not documents:
        return []
    prepared = prepare(documents, options)
    passages = [t for p in prepared for t in chunk_inputs(p.document, p.chunks)]
    sentences = [s.readable for p in prepared for s in p.sentences]
    headings = [section_headings(p.sentences) for p in prepared]
    log(f"{len(documents)} documents, {len(passages)} chunks, {len(sentences)} sentences")
    dimension = embedder.dimension
    run = embed or embed_locally(embedder, options.progress)
    everything = passages + sentences + [h for hs in headings for h in hs]
    vectors = embed_texts(everything, dimension, run)
    chunk_vectors = vectors[: len(passages)]
    sentence_vectors = vectors[len(passages) : len(passages) + len(sentences)]
    section_vectors = vectors[len(passages) + len(sentences) :]
    parts, rows = [], np.zeros(3, dtype=np.int64)
    for p, heads in zip(prepared, headings, strict=True):
        ends = rows + np.array([len(p.chunks), len(p.sentences), len(heads)])
        parts.append(
            DocumentParts(
                p.document,
                p.chunks,
                p.sentences,
                chunk_vectors[rows[0] : ends[0]],
                sentence_vectors[rows[1] : ends[1]],
                section_vectors[rows[2] : ends[2]],
            )
        )
        rows = ends
    return parts


def section_headings(sentences: Sequence[SentenceRecord]) -> list[str]:
    """The heading of each section of one document's sentences (answering compares a
    question with them; ServingIndex reads their stored vectors)."""
    return [sentences[int(s)].section for s in section_starts(sentences)[:-1]]


def _stacked(blocks: list[np.ndarray], dimension: int, dtype: np.dtype) -> np.ndarray:
    """One matrix in the storage dtype: the values every later step reads are those stored."""
    rows = [b for b in blocks if len(b)]
    if not rows:
        return np.zeros((0, dimension), dtype=dtype)
    return np.ascontiguousarray(np.concatenate(rows).astype(dtype, copy=False))


def write_parts(
    root: Path,
    parts: Sequence[DocumentParts],
    model: Mapping[str, object],
    corpus: CorpusRecord,
    options: BuildOptions,
) -> Path:
    """Write a version of these documents (in this order), make it current, apply retention.

    The caller holds the build lock. `model` is the embedder's ModelInfo as a dict.
    """
    if not parts:
        raise EmptyCorpus("nothing to index: the corpus is empty")
    dimension = int(model["dimension"])
    documents = [p.document for p in parts]
    by_id = {d.doc_id: d for d in documents}
    chunks = [c for p in parts for c in p.chunks]
    sentences = [s for p in parts for s in p.sentences]
    dtype = layout.stored_dtype(len(chunks))
    vectors = {
        name: _stacked([getattr(p, name) for p in parts], dimension, dtype)
        for name in ("chunk_vectors", "sentence_vectors", "section_vectors")
    }
    dense = build_dense(vectors["chunk_vectors"].astype(np.float32, copy=False))
    lexical = build_lexical(
        [embedding_input(by_id[c.doc_id].title, c.section, c.readable) for c in chunks]
    )
    tables = SentenceTables.derive(by_id, chunks, sentences, vectors["sentence_vectors"])
    if len(tables.section_starts) - 1 != len(vectors["section_vectors"]):
        raise ValueError("section vectors do not match the documents' sections")
    rows = layout.document_rows(
        [(len(p.chunks), len(p.sentences), len(p.section_vectors)) for p in parts]
    )
    now = datetime.now(UTC)
    build_id = f"{now:%Y%m%dT%H%M%S%f}-{os.getpid()}"
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        build_id=build_id,
        built_at=now.isoformat(timespec="microseconds"),
        model=dict(model),
        chunking=asdict(options.chunking),
        embedding_input=EMBEDDING_INPUT,
        documents=[DocumentEntry(d.doc_id, d.source, d.sha256, len(d.text)) for d in documents],
        corpus_files=dict(corpus.files),
        skipped=list(corpus.skipped),
        counts={"documents": len(documents), "chunks": len(chunks), "sentences": len(sentences)},
        with_sentences=options.with_sentences,
        dense=describe(dense),
        vector_dtype=dtype.name,
    )

    def write_files(directory: Path) -> None:
        layout.write_records(directory, layout.DOCUMENTS, (d.to_record() for d in documents))
        # vars(), not asdict(): the same flat records, without asdict's deep copies (seconds
        # for SciFact's 65,000 chunks and sentences)
        layout.write_records(directory, layout.CHUNKS, map(vars, chunks))
        layout.write_records(directory, layout.SENTENCES, map(vars, sentences))
        layout.save_document_rows(directory, rows)
        for name, file in (
            ("sentence_vectors", layout.SENTENCE_VECTORS),
            ("section_vectors", layout.SECTION_VECTORS),
        ):
            layout.save_vectors(directory, file, vectors[name], dtype)
        if not is_exact(dense):  # reused by incremental builds; a flat index holds them itself
            layout.save_vectors(directory, layout.CHUNK_VECTORS, vectors["chunk_vectors"], dtype)
        (directory / layout.DENSE_FILE).write_bytes(to_bytes(dense))
        lexical.save(directory)
        tables.save(directory)

    version = write_version(root, build_id, write_files, manifest)
    apply_retention(root, options.keep_versions)
    return version


def build_index(
    documents: list[Document],
    embedder: Embedder,
    chunking: ChunkingConfig,
    root: Path,
    *,
    with_sentences: bool = True,
    corpus_files: Mapping[str, str] | None = None,
    skipped: Sequence[SkippedFile] = (),
    progress: bool = False,
    log: Log = quiet,
    keep_versions: int = KEEP_VERSIONS,
) -> Path:
    """Build a new version of every document from scratch, make it current; return its path.

    `corpus_files` and `skipped` (from ingest.corpus.read_corpus) are recorded in the manifest,
    so start-up can detect a changed corpus by hashing files, and /health can list the skips.
    index/incremental.py's `apply_changes` is the build that redoes only what changed.
    """
    if not documents:
        raise EmptyCorpus("nothing to index: the corpus is empty")
    options = BuildOptions(chunking, with_sentences, keep_versions, progress)
    with build_lock(root):
        register_with_cache(embedder, root)
        parts = make_parts(documents, embedder, options, log)
        corpus = CorpusRecord(dict(corpus_files or {}), tuple(skipped))
        return write_parts(root, parts, asdict(embedder.info()), corpus, options)
