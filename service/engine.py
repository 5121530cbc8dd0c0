"""The query engine: the loaded model and index, and the functions HTTP and CLI both call."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from index.load import IndexData, load_index
from index.storage.manifest import IndexMismatch
from index.storage.recovery import require_something_to_serve
from ingest.embed import (
    Embedder,
)
from ingest.log import Log, quiet
from service.answering.abstention import load_model
from service.answering.evidence import load_word_frequencies
from service.answering.extractive import ExtractiveAnswerer
from service.answering.protocol import Answer, Answerer
from service.answering.ranker import load_ranker
from service.config import Settings
from service.indexing import ensure_index, index_problems, make_embedder, serving_purpose
from service.question.query import Query, SearchQuery, build_query, build_search_query
from service.retrieval.modes import Mode
from service.retrieval.retrieve import FusionConfig, Hit, retrieve
from service.serving import ServingIndex


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    index: ServingIndex
    timings_ms: dict[str, float]
    mode: Mode  # the mode the passages were ranked under


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
    def open(cls, settings: Settings, *, progress: bool = False, log: Log = quiet) -> Engine:
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
        return index if isinstance(index, ServingIndex) else ServingIndex.of(index)

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
        """The typed query for one /ask request, embedded once."""
        return build_query(question, index, self.embedder.embed_query)

    def mode(self, asked: Mode | str | None = None) -> Mode:
        """The retrieval mode of a request: the one asked for, else the configured one (the
        one place a request's mode is decided)."""
        return Mode.from_str(asked) if asked else Mode.from_str(self.settings.retrieval_mode)

    def retrieve(
        self, query: SearchQuery, index: ServingIndex, k: int, mode: Mode | str | None = None
    ) -> list[Hit]:
        """Ranked passages for an already built query."""
        return retrieve(index, query, k, self.mode(mode), self.fusion)

    def search(
        self, query: str, k: int | None = None, mode: Mode | str | None = None
    ) -> SearchResult:
        """Ranked passages for a query."""
        started = time.perf_counter()
        index, chosen = self._index, self.mode(mode)
        typed = build_search_query(query, index, self.embedder.embed_query)  # no intent, no IDF
        embedded = _ms(started)
        mark = time.perf_counter()
        hits = self.retrieve(typed, index, k or self.settings.top_k, chosen)
        timings = {"embed": embedded, "retrieve": _ms(mark), "total": _ms(started)}
        return SearchResult(tuple(hits), index, timings, chosen)

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
