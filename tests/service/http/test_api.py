"""The HTTP contract, exercised through a real uvicorn server on loopback."""

from __future__ import annotations

import pytest

from service.config import Settings
from service.http.app import create_app
from tests.support.server import ASK_FIELDS, LiveServer

CITATION_FIELDS = {"n", "doc_id", "title", "section", "start", "end", "quote"}
PASSAGE_FIELDS = {"rank", "doc_id", "chunk_id", "title", "section", "start", "end", "text", "score"}


def test_ask_answers_with_verifiable_citations(client):
    question = "How long should I give him space when he pulls away?"
    response = client.post("/ask", json={"question": question})
    assert response.status_code == 200
    body = response.json()
    assert body.keys() >= ASK_FIELDS
    assert not body["abstained"] and "3 to 7 days" in body["answer"]
    assert body["citations"] and body["passages"]
    documents = {}
    for citation in body["citations"]:
        assert citation.keys() >= CITATION_FIELDS
        doc_id = citation["doc_id"]
        if doc_id not in documents:
            documents[doc_id] = client.get(f"/documents/{doc_id}").json()["text"]
        assert documents[doc_id][citation["start"] : citation["end"]] == citation["quote"]
    for passage in body["passages"]:
        assert passage.keys() >= PASSAGE_FIELDS
    assert body["citations"][0]["title"].startswith("Why Men Pull Away")


def test_ask_abstains_off_topic(client):
    body = client.post("/ask", json={"question": "What is the capital of France?"}).json()
    assert body["abstained"] and body["citations"] == [] and body["passages"]


def test_top_k_limits_passages(client):
    body = client.post("/ask", json={"question": "avoidant attachment", "top_k": 2}).json()
    assert [p["rank"] for p in body["passages"]] == [1, 2]


def test_long_rambling_question_is_answered(client):
    story = "I have been seeing someone for a while and things felt great at first. " * 40
    question = story + "How long should I give him space when he pulls away?"
    assert len(question) < 4000
    body = client.post("/ask", json={"question": question}).json()
    assert not body["abstained"] and "3 to 7 days" in body["answer"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "   \n\t "}, "question"),
        ({"question": "x" * 4001}, "question"),
        ({"question": 42}, "question"),
        ({}, "question"),
        ({"question": "why?", "top_k": 0}, "top_k"),
        ({"question": "why?", "top_k": 51}, "top_k"),
        ({"question": "why?", "top_k": "five"}, "top_k"),
        ({"question": "why?", "top_k": 2.5}, "top_k"),
        ({"question": "why?", "history": "Why do men pull away?"}, "history"),
        ({"question": "why?", "history": ["ok", ""]}, "history"),
        ({"question": "why?", "history": ["ok"] * 6}, "history"),
        ({"question": "why?", "history": ["x" * 1001]}, "history"),
    ],
)
def test_bad_ask_input_is_422_naming_the_field(client, payload, field):
    response = client.post("/ask", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith(field)
    assert any(d["field"] == field for d in body["detail"])


def test_a_follow_up_is_read_with_the_earlier_question(client):
    first = "Why do men pull away when a relationship deepens?"
    alone = client.post("/ask", json={"question": "how long does it last?"}).json()
    followed = client.post(
        "/ask", json={"question": "how long does it last?", "history": [first]}
    ).json()
    assert alone["resolved_question"] == alone["question"] == "how long does it last?"
    assert followed["question"] == "how long does it last?"
    assert followed["resolved_question"].startswith("how long does it last?")
    assert "pull" in followed["resolved_question"]
    assert not followed["abstained"] and "days" in followed["answer"]


def test_search(client):
    body = client.get("/search", params={"q": "dopamine reward motivation", "k": 3}).json()
    assert body["mode"] == "hybrid" and len(body["passages"]) == 3
    first = body["passages"][0]
    assert first.keys() >= PASSAGE_FIELDS
    assert first["section"] == "The Neuroscience of Male Withdrawal"
    signals = {"dense_score", "dense_rank", "bm25_score", "bm25_rank", "fused_score"}
    assert first["signals"].keys() >= signals
    dense = client.get("/search", params={"q": "dopamine", "k": 2, "mode": "dense"}).json()
    assert dense["mode"] == "dense"


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "ok", "k": 0}, {"q": "ok", "k": 99}, {"q": "ok", "mode": "fuzzy"}, {}],
)
def test_bad_search_input(client, params):
    response = client.get("/search", params=params)
    assert response.status_code == 422 and response.json()["error"]


def test_documents(client, corpus):
    listing = client.get("/documents").json()
    assert {d["source"] for d in listing} == {d.source for d in corpus}
    stonefield = next(d for d in listing if d["author"])
    assert stonefield == {
        "doc_id": "why-men-pull-away",
        "title": stonefield["title"],
        "author": "Rob Stonefield",
        "published": "2026-01-04",
        "source": "002_3bb7be61ddf7c7d6.txt",
        "site": "The Devotion Blueprint",
    }
    full = client.get("/documents/why-men-pull-away").json()
    original = next(d for d in corpus if d.doc_id == "why-men-pull-away")
    assert full["text"] == original.text


@pytest.mark.parametrize("doc_id", ["nope", "..%2F..%2Fetc%2Fpasswd", "000_cc2df97eb338bddd.txt"])
def test_unknown_document_is_404(client, doc_id):
    response = client.get(f"/documents/{doc_id}")
    assert response.status_code == 404 and response.json()["error"]
    assert "root:" not in response.text


def test_health_and_openapi(client, index_data):
    health = client.get("/health").json()
    assert health["index_loaded"] and health["chunks"] == len(index_data.chunks)
    assert health["model"] == "all-MiniLM-L6-v2" and health["documents"] == 2
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    paths = {"/ask", "/search", "/documents", "/documents/{doc_id}", "/health"}
    assert schema["paths"].keys() >= paths


def test_no_index_loaded_is_503(tmp_path):
    broken = Settings(
        corpus_dir=tmp_path / "no-corpus", index_dir=tmp_path / "idx", cache_dir=tmp_path / "cache"
    )
    import httpx

    with LiveServer(create_app(broken)) as server, httpx.Client(base_url=server.url) as http:
        response = http.post("/ask", json={"question": "anything?"})
        assert response.status_code == 503
        assert "no index loaded" in response.json()["error"]
        assert http.get("/health").json()["index_loaded"] is False
