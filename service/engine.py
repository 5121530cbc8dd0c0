"""The query engine: the loaded model and index, and the functions HTTP and CLI both call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from index.build import BuildOptions, make_parts
from index.incremental import BuildResult, MakeParts, apply_changes
from index.load import IndexData, load_index
from index.manifest import IndexCorrupt, IndexMismatch, IndexNotFound, corpus_file_changes
from index.manifest import incompatibilities as manifest_incompatibilities
from index.recovery import require_something_to_serve, restore_newest_intact
from index.retention import register_with_cache
from index.store import current_version
from ingest.corpus import read_corpus, scan_corpus
from ingest.embed import (
    DEFAULT_MODEL_NAME,
    Embedder,
    EmbedderConfig,
    EmbeddingCache,
    Purpose,
    create_embedder,
    default_model_dir,
)
from service.answering.abstention import load_model
from service.answering.evidence import load_word_frequencies
from service.answering.extractive import ExtractiveAnswerer
from service.answering.protocol import Answer, Answerer
from service.answering.ranker import load_ranker
from service.config import Settings
from service.query import Query, build_query
from service.retrieval.modes import Mode
from service.retrieval.retrieve import FusionConfig, Hit, retrieve
from service.serving import ServingIndex

Log = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


def embedder_config(settings: Settings, purpose: Purpose = Purpose.BUILD) -> EmbedderConfig:
    """The configured model (the bundled all-MiniLM-L6-v2 unless RAG_MODEL says otherwise)."""
    model_dir = settings.model_dir or default_model_dir()
    name = settings.model_name or (
        DEFAULT_MODEL_NAME if settings.model_dir is None else Path(model_dir).name
    )
    return EmbedderConfig(
        model_dir=Path(model_dir),
        name=name,
        export_root=settings.cache_dir / "onnx",
        backend=settings.embed_backend,
        precision=settings.embed_precision,
        threads=settings.embed_threads,
        device=settings.device,
        purpose=purpose,
    )


def make_embedder(
    settings: Settings, *, purpose: Purpose = Purpose.BUILD, log: Log | None = None
) -> Embedder:
    """The configured embedder, with the embedding cache, on the backend RAG_EMBED_BACKEND picks.

    BUILD may make the ONNX export (stored under the cache directory, ingest/embed/factory.py);
    QUERY, for serve/ask/search, falls back to torch instead when there is none yet.
    """
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite3")
    return create_embedder(embedder_config(settings, purpose), cache=cache, log=log)


def serving_purpose(settings: Settings) -> Purpose:
    """QUERY when there is an index to serve; BUILD when start-up must build the first one.

    So the first `make serve` on a fresh machine makes the ONNX export while it builds, and
    every later start is torch-free, rather than falling back to torch for good.
    """
    try:
        current_version(settings.index_dir)
    except IndexNotFound:
        return Purpose.BUILD if settings.auto_build else Purpose.QUERY
    except IndexCorrupt:  # ensure_index falls back to an intact version, most likely
        return Purpose.QUERY
    return Purpose.QUERY


def index_problems(
    index: IndexData | ServingIndex, embedder: Embedder, settings: Settings
) -> list[str]:
    """Why the loaded index cannot serve with these settings (empty when it can)."""
    model = {"name": embedder.name, "fingerprint": embedder.fingerprint}
    return manifest_incompatibilities(
        index.manifest, model=model, chunking=asdict(settings.chunking)
    )


def build(
    settings: Settings,
    embedder: Embedder,
    *,
    progress: bool = False,
    full: bool = False,
    log: Log = _quiet,
    make: MakeParts = make_parts,
) -> BuildResult:
    """Bring the index up to date with the configured corpus (index/incremental.py).

    Only added and changed documents are chunked and embedded; an unchanged corpus publishes
    no new version. `full` redoes every document. `make` does that work (on Ray for
    `rag index --ray`: index/ray_build.py).
    """
    corpus = read_corpus(settings.corpus_dir)
    for skipped in corpus.skipped:
        log(f"warning: {skipped.warning()}")
    options = BuildOptions(
        settings.chunking, keep_versions=settings.keep_versions, progress=progress
    )
    return apply_changes(
        settings.index_dir, corpus, embedder, options, full=full, log=log, make=make
    )


def _shown(problems: list[str], limit: int = 3) -> str:
    more = f"; … ({len(problems)} in all)" if len(problems) > limit else ""
    return "; ".join(problems[:limit]) + more


def ensure_index(
    settings: Settings, embedder: Embedder, *, progress: bool = False, log: Log = _quiet
) -> IndexData:
    """The index to serve at start-up.

    A broken `current` (or a broken version behind it) falls back to the newest intact
    version, re-pointing `current` at it; only when no intact version is left is the index
    rebuilt, and only with auto-build on. An index that is missing, built with another model or
    chunking, or older than the corpus is then (re)built, incrementally where it can be.
    """
    root = settings.index_dir
    try:
        index = load_index(root)
    except (IndexNotFound, IndexCorrupt) as error:
        restored = restore_newest_intact(root)
        if restored is not None:
            problem = "`current` is missing" if isinstance(error, IndexNotFound) else error
            log(f"{problem}; serving the newest intact version {restored.version} instead")
            index = restored
        elif not settings.auto_build:
            if isinstance(error, IndexNotFound):
                raise
            raise IndexCorrupt(
                f"{error}; no intact version to fall back to, and RAG_AUTO_BUILD is off: "
                "run `rag index` to rebuild"
            ) from error
        else:
            log(
                f"no index at {root}; building it"
                if isinstance(error, IndexNotFound)
                else f"{error}; no intact version to fall back to: rebuilding the index"
            )
            build(settings, embedder, progress=progress, log=log)
            return load_index(root)
    register_with_cache(embedder, root)
    problems = index_problems(index, embedder, settings)
    if problems and not settings.auto_build:
        raise IndexMismatch("; ".join(problems) + "; run `rag index` to rebuild")
    # hashing the files, not parsing them: no reader runs when nothing changed
    problems += corpus_file_changes(index.manifest, scan_corpus(settings.corpus_dir))
    if not problems:
        return index
    log("updating the index: " + _shown(problems))
    build(settings, embedder, progress=progress, log=log)
    return load_index(root)


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    index: ServingIndex
    timings_ms: dict[str, float]


@dataclass(frozen=True)
class AskResult:
    answer: Answer
    index: ServingIndex
    timings_ms: dict[str, float]


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


INDEX_ABSTENTION = "abstention.json"  # `rag calibrate` writes a user's own model here


def default_answerer(settings: Settings | None = None) -> ExtractiveAnswerer:
    """The committed sentence ranker and abstention model, or the abstention model calibrated
    on the user's own questions beside their index; a missing or broken file fails loudly."""
    own = settings.index_dir / INDEX_ABSTENTION if settings is not None else None
    abstention = load_model(own) if own is not None and own.is_file() else load_model()
    return ExtractiveAnswerer(ranker=load_ranker(), abstention=abstention)


class Engine:
    """Answers questions against one index at a time; `swap` replaces it atomically."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        index: IndexData | ServingIndex,
        answerer: Answerer | None = None,
        fusion: FusionConfig = FusionConfig(),  # noqa: B008 - frozen dataclass
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.answerer = answerer or default_answerer()
        self.fusion = fusion
        self._index = self._serving(index)
        self._swap_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, *, progress: bool = False, log: Log = _quiet) -> Engine:
        """Load the model and the index (building the index first when needed)."""
        answerer = default_answerer(settings)  # before the slow part: a broken file fails fast
        if not settings.auto_build:
            require_something_to_serve(settings.index_dir)  # likewise, before the model loads
        embedder = make_embedder(settings, purpose=serving_purpose(settings), log=log)
        embedder.warm_up()
        load_word_frequencies()
        index = ensure_index(settings, embedder, progress=progress, log=log)
        return cls(settings, embedder, index, answerer)

    def _serving(self, index: IndexData | ServingIndex) -> ServingIndex:
        return (
            index
            if isinstance(index, ServingIndex)
            else ServingIndex.of(index, self.embedder.embed)
        )

    @property
    def index(self) -> ServingIndex:
        """The current index; callers keep the object they got for a whole request."""
        return self._index

    def swap(self, index: IndexData | ServingIndex) -> ServingIndex:
        """Serve `index` from now on; requests already running finish on the old one."""
        problems = index_problems(index, self.embedder, self.settings)
        if problems:
            raise IndexMismatch("; ".join(problems))
        serving = self._serving(index)
        with self._swap_lock:
            previous, self._index = self._index, serving
        return previous

    def reload(self) -> ServingIndex:
        """Load the index `current` points at now and swap to it (a no-op if unchanged)."""
        latest = load_index(self.settings.index_dir)
        if latest.version != self._index.version:
            self.swap(latest)
        return self._index

    def query(self, question: str, index: ServingIndex) -> Query:
        """The typed query for one request, embedded once."""
        return build_query(question, index, self.embedder.embed_query)

    def retrieve(
        self, query: Query, index: ServingIndex, k: int, mode: Mode | str | None = None
    ) -> list[Hit]:
        """Ranked passages for an already built query."""
        chosen = Mode.from_str(mode) if mode else Mode.from_str(self.settings.retrieval_mode)
        return retrieve(index, query, k, chosen, self.fusion)

    def search(
        self, query: str, k: int | None = None, mode: Mode | str | None = None
    ) -> SearchResult:
        """Ranked passages for a query."""
        started = time.perf_counter()
        index = self._index
        typed = self.query(query, index)
        embedded = _ms(started)
        mark = time.perf_counter()
        hits = self.retrieve(typed, index, k or self.settings.top_k, mode)
        timings = {"embed": embedded, "retrieve": _ms(mark), "total": _ms(started)}
        return SearchResult(tuple(hits), index, timings)

    def ask(
        self, question: str, top_k: int | None = None, mode: Mode | str | None = None
    ) -> AskResult:
        """An extractive, cited answer (or an abstention) for a question."""
        started = time.perf_counter()
        index = self._index
        k = top_k or self.settings.top_k
        query = self.query(question, index)
        embedded = _ms(started)
        mark = time.perf_counter()
        hits = self.retrieve(query, index, max(k, self.answerer.candidate_passages), mode)
        retrieved = _ms(mark)
        mark = time.perf_counter()
        answer = self.answerer.answer(query, hits, index)
        answer = replace(answer, hits=answer.hits[:k])
        timings = {"embed": embedded, "retrieve": retrieved, "answer": _ms(mark)}
        return AskResult(answer, index, {**timings, "total": _ms(started)})
