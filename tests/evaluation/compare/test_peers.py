"""The peer baselines (LangChain-style dense, Haystack-style hybrid, plain bm25s) on the bundled
corpus with the real model: exact offsets, ranked passages, exact quotes, RRF, and scoring."""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np
import pytest

from evaluation.cases.suite import load_suite
from evaluation.compare.peers import (
    CHUNK_WORDS,
    FUSION_DEPTH,
    PEERS,
    SPLITTER_SIZE,
    Peer,
    PeerCache,
    PeerChunk,
    chunk_sentences,
    reciprocal_rank_fusion,
    splitter_chunks,
    word_chunks,
)
from evaluation.runs.runner import corpus_of_index, run_cases, score
from service.engine import Engine
from tests.support.paths import CORPUS, SPACE_QUESTION, STONEFIELD_ID, SUITE

# The sentence of why-men-pull-away that answers SPACE_QUESTION.
SPACE_ANSWER = "Research suggests 3 to 7 days is typical for healthy processing"


@pytest.fixture(scope="module")
def cache() -> PeerCache:
    return PeerCache()


@pytest.fixture(scope="module")
def peers(cache: PeerCache, engine: Engine) -> dict[str, Peer]:
    return cache.peers(engine)


def test_langchain_chunks_map_back_to_their_exact_spans(engine: Engine):
    documents = engine.index.documents
    chunks = splitter_chunks(documents)
    assert {c.doc_id for c in chunks} == set(documents)
    assert len(chunks) > len(documents)  # the articles are longer than one chunk
    for chunk in chunks:
        assert documents[chunk.doc_id].text[chunk.start : chunk.end] == chunk.text
        assert 0 < len(chunk.text) <= SPLITTER_SIZE
    for doc_id, text in ((d, documents[d].text) for d in documents):
        mine = sorted((c for c in chunks if c.doc_id == doc_id), key=lambda c: c.start)
        overlapping = sum(b.start < a.end for a, b in pairwise(mine))
        assert overlapping > 0  # chunk_overlap=200: neighbours share text
        assert mine[0].start == len(text) - len(text.lstrip())


def test_word_chunks_map_back_and_cover_every_word_once(engine: Engine):
    documents = engine.index.documents
    chunks = word_chunks(documents)
    for doc_id, doc in documents.items():
        mine = [c for c in chunks if c.doc_id == doc_id]
        for chunk in mine:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert len(chunk.text.split()) <= CHUNK_WORDS
        assert all(len(c.text.split()) == CHUNK_WORDS for c in mine[:-1])
        assert all(a.end < b.start for a, b in pairwise(mine))  # no overlap
        assert [w for c in mine for w in c.text.split()] == doc.text.split()


def test_word_chunks_keep_offsets_past_odd_whitespace():
    class Doc:
        text = "  one\ttwo\n\nthree  four five "

    [first, second] = word_chunks({"d": Doc()}, words=3)  # type: ignore[dict-item]
    assert (first.start, first.end, first.text) == (2, 16, "one\ttwo\n\nthree")
    assert (second.start, second.end, second.text) == (18, 27, "four five")


def test_reciprocal_rank_fusion_orders_by_summed_reciprocal_ranks():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1, 4]], k=60)
    assert [s.row for s in fused] == [1, 3, 2, 4]
    assert fused[0].score == pytest.approx(1 / 61 + 1 / 62)
    assert fused[1].score == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2].score == pytest.approx(1 / 62)
    assert fused[3].score == pytest.approx(1 / 63)
    # a row in both lists beats each list's first; the two firsts tie, the lower row first
    assert [s.row for s in reciprocal_rank_fusion([[7, 5], [6, 8, 5]])] == [5, 6, 7, 8]


def test_chunk_sentences_are_exact_spans_of_the_document():
    text = "Skip this.\nHeading\n\nFirst one here. Second one\nwraps over a line.\n\n  Last one"
    start = text.index("Heading")
    chunk = PeerChunk("d", start, len(text), text[start:])
    quotes = chunk_sentences(chunk)
    assert [q.text for q in quotes] == [
        "Heading",
        "First one here.",
        "Second one\nwraps over a line.",
        "Last one",
    ]
    assert all(text[q.start : q.end] == q.text for q in quotes)
    assert quotes[2].plain == "Second one wraps over a line."


def test_the_peers_are_built_once_per_index(cache: PeerCache, engine: Engine, peers):
    assert tuple(peers) == PEERS
    assert cache.peers(engine) is peers
    assert peers["haystack hybrid"].index is peers["bm25s"].index  # the same 200-word chunks
    assert peers["langchain faiss"].index.bm25 is None
    assert set(cache.asks(engine)) == set(PEERS)


def test_the_hybrid_peer_fuses_its_dense_and_bm25_rankings(peers):
    hybrid = peers["haystack hybrid"]
    question = "Why does he go quiet and withdraw after we get close?"
    vector = hybrid.embedder.embed_query(question)
    dense = [s.row for s in hybrid.index.by_vector(vector, FUSION_DEPTH)]
    lexical = [s.row for s in hybrid.index.by_terms(question, FUSION_DEPTH, positive=True)]
    assert dense != lexical  # else this test could not tell them apart
    expected = [
        hybrid.index.chunks[s.row].chunk_id for s in reciprocal_rank_fusion([dense, lexical])
    ]
    passages = hybrid.ask(question, 10)["passages"]
    assert [p["chunk_id"] for p in passages] == expected[:10]
    assert passages[0]["score"] == pytest.approx(
        reciprocal_rank_fusion([dense, lexical])[0].score, abs=1e-6
    )


@pytest.mark.parametrize("name", PEERS)
def test_each_peer_ranks_passages_inside_the_documents(name: str, peers, engine: Engine):
    body = peers[name].ask(SPACE_QUESTION, 10)
    documents = engine.index.documents
    passages = body["passages"]
    assert [p["rank"] for p in passages] == list(range(1, 11))
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    assert len({p["chunk_id"] for p in passages}) == 10
    for p in passages:
        text = documents[p["doc_id"]].text
        assert 0 <= p["start"] < p["end"] <= len(text)
        assert text[p["start"] : p["end"]] == p["text"]
    assert body["abstained"] is False
    assert 0.0 <= body["confidence"] <= 1.0


@pytest.mark.parametrize("name", PEERS)
def test_each_peer_quotes_the_closest_sentence_of_its_top_passage(name: str, peers, engine):
    peer = peers[name]
    body = peer.ask(SPACE_QUESTION, 10)
    [citation] = body["citations"]
    top = body["passages"][0]
    text = engine.index.documents[citation["doc_id"]].text
    assert text[citation["start"] : citation["end"]] == citation["quote"]
    assert citation["doc_id"] == top["doc_id"]
    assert top["start"] <= citation["start"] < citation["end"] <= top["end"]
    assert body["answer"] == f"{citation['display']} [1]"
    chunk = PeerChunk(top["doc_id"], top["start"], top["end"], top["text"])
    candidates = chunk_sentences(chunk)
    cosines = peer.embedder.embed([q.plain for q in candidates]) @ peer.embedder.embed_query(
        SPACE_QUESTION
    )
    best = candidates[int(np.argmax(cosines))]
    assert (citation["start"], citation["end"]) == (best.start, best.end)


@pytest.mark.parametrize("name", PEERS)
def test_each_peer_retrieves_the_passage_holding_a_known_answer(name: str, peers, engine):
    text = engine.index.documents[STONEFIELD_ID].text
    start = text.index(SPACE_ANSWER)
    end = start + re.search(r"\.\s", text[start:]).start() + 1  # type: ignore[union-attr]
    passages = peers[name].ask(SPACE_QUESTION, 10)["passages"]
    covering = [
        p["rank"]
        for p in passages
        if p["doc_id"] == STONEFIELD_ID and p["start"] <= start and end <= p["end"]
    ]
    assert covering and covering[0] <= 3


def test_peer_answers_score_like_the_service(engine: Engine, peers):
    cases = load_suite(SUITE, CORPUS)[:6]
    for name in PEERS:
        report = score(run_cases(cases, peers[name].ask), corpus_of_index(engine.index))
        assert report["counts"]["errors"] == 0
        assert report["counts"]["answered"] == report["counts"]["answerable"]  # never abstains
        assert report["metrics"]["groundedness"] == 1.0
        assert report["metrics"]["hit@10"] is not None
