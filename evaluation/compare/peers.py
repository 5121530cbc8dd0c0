"""Peer baselines: the same questions answered as a LangChain or a Haystack tutorial pipeline
would answer them, over the same documents' citable text and with the same embedding model.

- langchain faiss: RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) chunks,
  dense search in a FAISS IndexFlatIP;
- haystack hybrid: 200-word chunks, bm25s (English stemmer and stopwords) and dense search,
  joined by reciprocal rank fusion (k=60);
- bm25s: plain bm25s over the same 200-word chunks.

Each returns its top chunks as passages and quotes the sentence of the top chunk closest to the
question (cosine); none ever abstains. Chunks and vectors are built once per index (`PeerCache`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import bm25s
import faiss
import numpy as np
import Stemmer

from evaluation.runs.runner import EVAL_TOP_K, Ask
from ingest.blocks.sentences import split_sentences
from ingest.documents import Document
from ingest.embed.protocol import Embedder
from service.engine import Engine
from service.question.validation import check_question

PEERS = ("langchain faiss", "haystack hybrid", "bm25s")
SPLITTER_SIZE, SPLITTER_OVERLAP = 1000, 200  # LangChain's RecursiveCharacterTextSplitter
CHUNK_WORDS = 200  # Haystack's DocumentSplitter(split_by="word", split_length=200)
RRF_K = 60
FUSION_DEPTH = 50  # candidates each retriever hands to the fusion
_WORD = re.compile(r"\S+")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


@dataclass(frozen=True)
class PeerChunk:
    """A peer's passage: `text == documents[doc_id].text[start:end]`."""

    doc_id: str
    start: int
    end: int
    text: str

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}:{self.start}-{self.end}"


@dataclass(frozen=True)
class Scored:
    """A chunk (its row among the peer's chunks) with the score it was ranked by."""

    row: int
    score: float


@dataclass(frozen=True)
class Quote:
    """The sentence an answer quotes: `text == documents[doc_id].text[start:end]`; `plain` is
    how it reads (wrapping collapsed)."""

    doc_id: str
    start: int
    end: int
    text: str
    plain: str
    cosine: float


def splitter_chunks(documents: Mapping[str, Document]) -> tuple[PeerChunk, ...]:
    """LangChain's recursive character chunks of each document, at the offsets it reports."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=SPLITTER_SIZE, chunk_overlap=SPLITTER_OVERLAP, add_start_index=True
    )
    chunks = []
    for doc_id, doc in documents.items():
        for piece in splitter.create_documents([doc.text]):
            start, text = int(piece.metadata["start_index"]), piece.page_content
            if start < 0 or doc.text[start : start + len(text)] != text:
                raise ValueError(f"{doc_id}: a LangChain chunk is not where it says ({start})")
            chunks.append(PeerChunk(doc_id, start, start + len(text), text))
    return tuple(chunks)


def word_chunks(
    documents: Mapping[str, Document], words: int = CHUNK_WORDS
) -> tuple[PeerChunk, ...]:
    """Runs of `words` whitespace-separated words of each document, no overlap."""
    chunks = []
    for doc_id, doc in documents.items():
        spans = [m.span() for m in _WORD.finditer(doc.text)]
        for first in range(0, len(spans), words):
            start, end = spans[first][0], spans[min(first + words, len(spans)) - 1][1]
            chunks.append(PeerChunk(doc_id, start, end, doc.text[start:end]))
    return tuple(chunks)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[Scored]:
    """Rows by the sum of 1 / (k + rank) over the rankings (ranks from 1); ties by row."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
    return [Scored(row, s) for row, s in sorted(scores.items(), key=lambda i: (-i[1], i[0]))]


def _top(scores: np.ndarray, k: int, *, positive: bool) -> list[Scored]:
    order = np.argsort(-scores, kind="stable")[:k]
    return [Scored(int(r), float(scores[r])) for r in order if not positive or scores[r] > 0]


@dataclass(frozen=True)
class ChunkIndex:
    """A peer's chunks with their dense index and (for the word chunks) their BM25 model."""

    chunks: tuple[PeerChunk, ...]
    dense: faiss.IndexFlatIP
    bm25: bm25s.BM25 | None = None
    stemmer: Stemmer.Stemmer | None = None

    @classmethod
    def build(
        cls, chunks: tuple[PeerChunk, ...], embedder: Embedder, *, lexical: bool
    ) -> ChunkIndex:
        vectors = np.ascontiguousarray(embedder.embed([c.text for c in chunks]), dtype=np.float32)
        dense = faiss.IndexFlatIP(vectors.shape[1])
        dense.add(vectors)
        if not lexical:
            return cls(chunks, dense)
        stemmer = Stemmer.Stemmer("english")
        tokens = bm25s.tokenize(
            [c.text for c in chunks], stopwords="en", stemmer=stemmer, show_progress=False
        )
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
        return cls(chunks, dense, bm25, stemmer)

    def by_vector(self, vector: np.ndarray, depth: int) -> list[Scored]:
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, rows = self.dense.search(query, min(depth, self.dense.ntotal))
        return [Scored(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

    def by_terms(self, question: str, depth: int, *, positive: bool) -> list[Scored]:
        if self.bm25 is None:
            raise ValueError("these chunks have no BM25 index")
        [tokens] = bm25s.tokenize(
            [question], stopwords="en", stemmer=self.stemmer, return_ids=False, show_progress=False
        )
        known = [t for t in tokens if t in self.bm25.vocab_dict]
        scores = (
            np.asarray(self.bm25.get_scores(known), dtype=np.float32)
            if known
            else np.zeros(len(self.chunks), dtype=np.float32)
        )
        return _top(scores, depth, positive=positive)


Ranker = Callable[[ChunkIndex, str, np.ndarray, int], list[Scored]]


def _dense(index: ChunkIndex, _question: str, vector: np.ndarray, k: int) -> list[Scored]:
    return index.by_vector(vector, k)


def _hybrid(index: ChunkIndex, question: str, vector: np.ndarray, k: int) -> list[Scored]:
    dense = [s.row for s in index.by_vector(vector, FUSION_DEPTH)]
    # Haystack's BM25 retriever keeps only documents with a positive score
    lexical = [s.row for s in index.by_terms(question, FUSION_DEPTH, positive=True)]
    return reciprocal_rank_fusion([dense, lexical])[:k]


def _bm25(index: ChunkIndex, question: str, _vector: np.ndarray, k: int) -> list[Scored]:
    return index.by_terms(question, k, positive=False)  # bm25s.retrieve returns k, zeros too


RANKERS: dict[str, Ranker] = dict(zip(PEERS, (_dense, _hybrid, _bm25), strict=True))


def chunk_sentences(chunk: PeerChunk) -> list[Quote]:
    """The sentences of a chunk (ingest's splitter, within each blank-line-separated paragraph),
    at their offsets in the document; cosine still 0."""
    quotes, cursor = [], 0
    bounds = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(chunk.text)]
    for stop, after in [*bounds, (len(chunk.text), len(chunk.text))]:
        for s in split_sentences(chunk.text[cursor:stop]):
            start = chunk.start + cursor + s.start
            quotes.append(Quote(chunk.doc_id, start, start + len(s.text), s.text, s.plain, 0.0))
        cursor = after
    return quotes


def best_sentence(chunk: PeerChunk, vector: np.ndarray, embedder: Embedder) -> Quote:
    """The sentence of `chunk` with the highest cosine to the question (the chunk if none)."""
    quotes = chunk_sentences(chunk) or [
        Quote(chunk.doc_id, chunk.start, chunk.end, chunk.text, chunk.text, 0.0)
    ]
    cosines = embedder.embed([q.plain for q in quotes]) @ vector
    best = int(np.argmax(cosines))
    q = quotes[best]
    return Quote(q.doc_id, q.start, q.end, q.text, q.plain, float(cosines[best]))


def _section(doc: Document, offset: int) -> str:
    heading = doc.title
    for section in sorted(doc.sections, key=lambda s: s.start):
        if section.start <= offset:
            heading = section.heading
    return heading


@dataclass(frozen=True)
class Peer:
    """One peer over one index's documents; `ask` gives the /ask body shape."""

    name: str
    index: ChunkIndex
    documents: Mapping[str, Document]
    embedder: Embedder
    version: str

    def ask(self, question: str, top_k: int = EVAL_TOP_K, history: Sequence[str] = ()) -> dict:
        """Answer the last turn only (`history` is not read): top_k passages and one quote."""
        started = time.perf_counter()
        question = check_question(question)
        vector = self.embedder.embed_query(question)
        ranked = RANKERS[self.name](self.index, question, vector, top_k)
        quote = best_sentence(self.index.chunks[ranked[0].row], vector, self.embedder)
        top = ranked[0].score
        return {
            "question": question,
            "answer": f"{quote.plain} [1]",
            "abstained": False,
            "confidence": round(min(max(top, 0.0), 1.0), 4),
            "citations": [self._citation(quote)],
            "passages": [self._passage(rank, s) for rank, s in enumerate(ranked, start=1)],
            "timings_ms": {"total": round((time.perf_counter() - started) * 1000, 2)},
            "index_version": self.version,
            "evidence": {"top_score": round(top, 4), "best_sentence": round(quote.cosine, 4)},
            "resolved_question": question,
        }

    def _citation(self, quote: Quote) -> dict[str, Any]:
        doc = self.documents[quote.doc_id]
        return {
            "n": 1, "doc_id": quote.doc_id, "title": doc.title,
            "section": _section(doc, quote.start), "start": quote.start, "end": quote.end,
            "quote": quote.text, "page": doc.page_at(quote.start), "display": quote.plain,
            "kind": "paragraph",
        }  # fmt: skip

    def _passage(self, rank: int, scored: Scored) -> dict[str, Any]:
        chunk = self.index.chunks[scored.row]
        doc = self.documents[chunk.doc_id]
        return {
            "rank": rank, "doc_id": chunk.doc_id, "chunk_id": chunk.chunk_id, "title": doc.title,
            "section": _section(doc, chunk.start), "start": chunk.start, "end": chunk.end,
            "text": chunk.text, "score": round(scored.score, 6), "signals": {},
        }  # fmt: skip


class PeerCache:
    """Each index's peers, their chunks and vectors built on first use and kept for the run."""

    def __init__(self) -> None:
        self._peers: dict[tuple[str, str], dict[str, Peer]] = {}

    def peers(self, engine: Engine) -> dict[str, Peer]:
        """The three peers over `engine`'s index, answered with its embedder."""
        index, embedder = engine.index, engine.embedder
        key = (str(index.path), embedder.fingerprint)
        if key not in self._peers:
            documents = index.documents
            dense = ChunkIndex.build(splitter_chunks(documents), embedder, lexical=False)
            words = ChunkIndex.build(word_chunks(documents), embedder, lexical=True)
            chunk_indexes = dict(zip(PEERS, (dense, words, words), strict=True))
            self._peers[key] = {
                name: Peer(name, chunk_indexes[name], documents, embedder, index.version)
                for name in PEERS
            }
        return self._peers[key]

    def asks(self, engine: Engine) -> dict[str, Ask]:
        """Each peer's ask, as evaluation.runs.runner.run_cases takes it."""
        return {name: peer.ask for name, peer in self.peers(engine).items()}
