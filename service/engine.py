"""The query engine: the loaded model and index, and the functions HTTP and CLI both call."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from index.load import IndexData, load_index
from index.storage.manifest import IndexMismatch
from index.storage.recovery import require_something_to_serve
from ingest.embed import (
    Embedder,
)
from ingest.log import Log, quiet
from service.answer_cache import AnswerCache, AnswerKey
from service.answering.abstention import load_model
from service.answering.evidence import load_word_frequencies
from service.answering.extractive import ExtractiveAnswerer
from service.answering.protocol import Answer, Answerer
from service.answering.ranker import load_ranker
from service.config import Settings
from service.indexing import (
    ensure_index,
    index_problems,
    make_embedder,
    make_query_embedder,
    serving_purpose,
)
from service.query_batching import QueryBatcher
from service.question.followup import Resolved, resolve
from service.question.language import english_only, question_language
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
    resolved: Resolved  # the question as answered: with the earlier turns' subject, if it leaned


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
        query_embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder  # the passages' (the index is checked against it)
        self.query_embedder = query_embedder or embedder
        self.answerer = answerer or default_answerer()
        self.fusion = fusion
        self._index = self._serving(index)
        self._swap_lock = threading.Lock()
        self.queries = QueryBatcher(self.query_embedder.embed_queries)
        self.answers: AnswerCache[AskResult] = AnswerCache(settings.answer_cache)

    @classmethod
    def open(cls, settings: Settings, *, progress: bool = False, log: Log = quiet) -> Engine:
        """Load the model and the index (building the index first when needed)."""
        answerer = default_answerer(settings)  # before the slow part: a broken file fails fast
        if not settings.auto_build:
            require_something_to_serve(settings.index_dir)  # likewise, before the model loads
        embedder = make_embedder(settings, purpose=serving_purpose(settings), log=log)
        queries = make_query_embedder(settings, embedder, log=log)
        if queries is embedder:
            embedder.warm_up()  # else the passages' model loads only if the index is built
        load_word_frequencies()
        index = ensure_index(settings, embedder, progress=progress, log=log)
        return cls(settings, embedder, index, answerer, query_embedder=queries)

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
            self.answers.clear()
        return previous

    def reload(self) -> ServingIndex:
        """Load the index `current` points at now and swap to it (a no-op if unchanged)."""
        latest = load_index(self.settings.index_dir)
        if latest.version != self._index.version:
            self.swap(latest)
        self.answers.clear()  # every reload empties it, even one that found no new version
        return self._index

    def query(self, question: str, index: ServingIndex, asked: str | None = None) -> Query:
        """The typed query for one /ask request, embedded once (`asked`: the follow-up as typed,
        when `question` is it read with the earlier turns)."""
        return build_query(question, index, self.queries.embed, asked)

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
        typed = build_search_query(query, index, self.queries.embed)  # no intent, no IDF
        embedded = _ms(started)
        mark = time.perf_counter()
        hits = self.retrieve(typed, index, k or self.settings.top_k, chosen)
        timings = {"embed": embedded, "retrieve": _ms(mark), "total": _ms(started)}
        return SearchResult(tuple(hits), index, timings, chosen)

    def resolve(self, question: str, history: Sequence[str] = ()) -> Resolved:
        """The question as answered: a follow-up read with the subject of earlier questions."""
        if not history:
            return Resolved(question, False)
        return resolve(question, history, self.query_embedder.embed_queries)

    def ask(
        self,
        question: str,
        top_k: int | None = None,
        mode: Mode | str | None = None,
        history: Sequence[str] = (),
    ) -> AskResult:
        """An extractive, cited answer (or an abstention) for a question; `history` holds the
        chat's earlier questions, oldest first, which a follow-up is read with."""
        started = time.perf_counter()
        index = self._index
        k = top_k or self.settings.top_k
        key = AnswerKey.of(question, history, k, self.mode(mode).value, index.version)
        cached = self.answers.get(key)
        if cached is not None:  # the same question, options and index: the same answer
            return replace(cached, timings_ms={"cache": _ms(started), "total": _ms(started)})
        resolved = self.resolve(question, history)
        query = self.query(resolved.text, index, question if resolved.followed_up else None)
        embedded = _ms(started)
        mark = time.perf_counter()
        hits = self.retrieve(query, index, max(k, self.answerer.candidate_passages), mode)
        retrieved = _ms(mark)
        mark = time.perf_counter()
        answer = self.answerer.answer(query, hits, index)
        if answer.abstained and (language := question_language(question, index)):
            answer = replace(answer, text=english_only(language))  # say why, not just "no"
        answer = replace(answer, question=question, hits=answer.hits[:k])
        timings = {"embed": embedded, "retrieve": retrieved, "answer": _ms(mark)}
        result = AskResult(answer, index, {**timings, "total": _ms(started)}, resolved)
        self.answers.put(key, result)
        return result
