"""The query engine: the loaded model and index, and the functions HTTP and CLI both call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from index.build import build_index
from index.load import IndexData, load_index
from index.manifest import IndexCorrupt, IndexMismatch, IndexNotFound, corpus_changes
from index.manifest import incompatibilities as manifest_incompatibilities
from ingest.documents import load_corpus
from ingest.embed import DEFAULT_MODEL_NAME, Embedder, EmbeddingCache, default_model_dir
from service.abstain import AbstentionModel, load_model
from service.answer import Answer, AnswerConfig, compose_answer
from service.config import Settings
from service.query import clean_question, focus_question, load_word_frequencies
from service.retrieve import FusionConfig, Hit, retrieve
from service.sentence_rank import SentenceRanker, load_ranker

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


def index_problems(index: IndexData, embedder: Embedder, settings: Settings) -> list[str]:
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
    index: IndexData
    timings_ms: dict[str, float]


@dataclass(frozen=True)
class AskResult:
    answer: Answer
    index: IndexData
    timings_ms: dict[str, float]


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


class Engine:
    """Answers questions against one index at a time; `swap` replaces it atomically."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        index: IndexData,
        abstention: AbstentionModel | None = None,
        ranker: SentenceRanker | None = None,
        answer_config: AnswerConfig = AnswerConfig(),  # noqa: B008 - frozen dataclass
        fusion: FusionConfig = FusionConfig(),  # noqa: B008 - frozen dataclass
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.abstention = abstention or load_model()
        self.ranker = ranker or load_ranker()
        self.answer_config = answer_config
        self.fusion = fusion
        self._index = index
        self._swap_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, *, progress: bool = False, log: Log = _quiet) -> Engine:
        """Load the model and the index (building the index first when needed)."""
        embedder = make_embedder(settings)
        embedder.warm_up()
        load_word_frequencies()
        return cls(settings, embedder, ensure_index(settings, embedder, progress=progress, log=log))

    @property
    def index(self) -> IndexData:
        """The current index; callers keep the object they got for a whole request."""
        return self._index

    def swap(self, index: IndexData) -> IndexData:
        """Serve `index` from now on; requests already running finish on the old one."""
        problems = index_problems(index, self.embedder, self.settings)
        if problems:
            raise IndexMismatch("; ".join(problems))
        with self._swap_lock:
            previous, self._index = self._index, index
        return previous

    def reload(self) -> IndexData:
        """Load the index `current` points at now and swap to it (a no-op if unchanged)."""
        latest = load_index(self.settings.index_dir)
        if latest.version != self._index.version:
            self.swap(latest)
        return self._index

    def retrieve(
        self, index: IndexData, query: str, k: int, mode: str | None
    ) -> tuple[str, np.ndarray, list[Hit], dict[str, float]]:
        """The steps every query shares: clean, focus, embed once, retrieve."""
        started = time.perf_counter()
        text = focus_question(clean_question(query))
        vector = self.embedder.embed_query(text)
        embedded = _ms(started)
        mark = time.perf_counter()
        hits = retrieve(index, text, vector, k, mode or self.settings.retrieval_mode, self.fusion)
        return text, vector, hits, {"embed": embedded, "retrieve": _ms(mark)}

    def search(self, query: str, k: int | None = None, mode: str | None = None) -> SearchResult:
        """Ranked passages for a query."""
        started = time.perf_counter()
        index = self._index
        _, _, hits, timings = self.retrieve(index, query, k or self.settings.top_k, mode)
        return SearchResult(tuple(hits), index, {**timings, "total": _ms(started)})

    def ask(self, question: str, top_k: int | None = None, mode: str | None = None) -> AskResult:
        """An extractive, cited answer (or an abstention) for a question."""
        started = time.perf_counter()
        index = self._index
        k = top_k or self.settings.top_k
        depth = max(k, self.answer_config.candidate_passages)
        text, vector, hits, timings = self.retrieve(index, question, depth, mode)
        mark = time.perf_counter()
        answer = compose_answer(
            question, text, vector, hits, index, self.abstention, self.answer_config, self.ranker
        )
        answer = replace(answer, hits=answer.hits[:k])
        return AskResult(answer, index, {**timings, "answer": _ms(mark), "total": _ms(started)})
