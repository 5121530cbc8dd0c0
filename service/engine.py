"""The query engine: the loaded model and index, and the functions HTTP and CLI both call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from index.build import build_index
from index.load import IndexData, load_index
from index.manifest import IndexCorrupt, IndexMismatch, IndexNotFound, corpus_changes
from index.manifest import incompatibilities as manifest_incompatibilities
from ingest.documents import load_corpus
from ingest.embed import DEFAULT_MODEL_NAME, Embedder, EmbeddingCache, default_model_dir
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


def make_embedder(settings: Settings) -> Embedder:
    """The configured model (the bundled all-MiniLM-L6-v2 unless RAG_MODEL says otherwise)."""
    model_dir = settings.model_dir or default_model_dir()
    name = settings.model_name or (
        DEFAULT_MODEL_NAME if settings.model_dir is None else Path(model_dir).name
    )
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite3")
    return Embedder(model_dir, name=name, device=settings.device, cache=cache)


def index_problems(
    index: IndexData | ServingIndex, embedder: Embedder, settings: Settings
) -> list[str]:
    """Why the loaded index cannot serve with these settings (empty when it can)."""
    model = {"name": embedder.name, "fingerprint": embedder.fingerprint}
    return manifest_incompatibilities(
        index.manifest, model=model, chunking=asdict(settings.chunking)
    )


def build(
    settings: Settings, embedder: Embedder, *, progress: bool = False, log: Log = _quiet
) -> Path:
    """Build a fresh index of the configured corpus and make it current."""
    documents = load_corpus(settings.corpus_dir)
    return build_index(
        documents, embedder, settings.chunking, settings.index_dir, progress=progress, log=log
    )


def ensure_index(
    settings: Settings, embedder: Embedder, *, progress: bool = False, log: Log = _quiet
) -> IndexData:
    """Load the current index; build it when missing, corrupt, mismatched or stale."""
    try:
        index = load_index(settings.index_dir)
        problems = index_problems(index, embedder, settings)
        if problems and not settings.auto_build:
            raise IndexMismatch("; ".join(problems) + "; run `rag index` to rebuild")
        current = {d.source: d.sha256 for d in load_corpus(settings.corpus_dir)}
        problems += corpus_changes(index.manifest, current)
        if not problems:
            return index
        log("rebuilding the index: " + "; ".join(problems))
    except IndexNotFound:
        if not settings.auto_build:
            raise
        log(f"no index at {settings.index_dir}; building it")
    except IndexCorrupt as error:
        if not settings.auto_build:
            raise
        log(f"the index is unusable ({error}); rebuilding it")
    build(settings, embedder, progress=progress, log=log)
    return load_index(settings.index_dir)


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


def default_answerer() -> ExtractiveAnswerer:
    """The committed sentence ranker and abstention model; a missing file fails here, loudly."""
    return ExtractiveAnswerer(ranker=load_ranker(), abstention=load_model())


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
        self._index = index if isinstance(index, ServingIndex) else ServingIndex.of(index)
        self._swap_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, *, progress: bool = False, log: Log = _quiet) -> Engine:
        """Load the model and the index (building the index first when needed)."""
        answerer = default_answerer()  # before the slow part: a broken model file fails fast
        embedder = make_embedder(settings)
        embedder.warm_up()
        load_word_frequencies()
        index = ensure_index(settings, embedder, progress=progress, log=log)
        return cls(settings, embedder, index, answerer)

    @property
    def index(self) -> ServingIndex:
        """The current index; callers keep the object they got for a whole request."""
        return self._index

    def swap(self, index: IndexData | ServingIndex) -> ServingIndex:
        """Serve `index` from now on; requests already running finish on the old one."""
        problems = index_problems(index, self.embedder, self.settings)
        if problems:
            raise IndexMismatch("; ".join(problems))
        serving = index if isinstance(index, ServingIndex) else ServingIndex.of(index)
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
