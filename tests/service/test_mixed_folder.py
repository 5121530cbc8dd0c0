"""Serving a user's own mixed folder: every readable format answers, skipped files are listed."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from service.engine import Engine
from service.http.app import create_app
from service.indexing import ensure_index
from tests.support.files import SECTIONED, write_mixed_folder
from tests.support.server import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory, settings, embedder):
    work = tmp_path_factory.mktemp("mixed")
    corpus = write_mixed_folder(work / "corpus")
    scratch = replace(settings, corpus_dir=corpus, index_dir=work / "index")
    engine = Engine(scratch, embedder, ensure_index(scratch, embedder))
    with LiveServer(create_app(scratch, engine)) as live:
        yield live


def test_health_lists_the_skipped_files_with_their_reasons(server):
    health = httpx.get(f"{server.url}/health").json()
    assert health["documents"] == 5
    reasons = {s["source"]: s["reason"] for s in health["skipped"]}
    assert set(reasons) == {"latin1.txt", "photo.png"}
    assert reasons["latin1.txt"].startswith("not valid UTF-8")
    assert reasons["photo.png"].startswith("unsupported file type '.png'")


def test_documents_are_listed_by_relative_path(server):
    listing = httpx.get(f"{server.url}/documents").json()
    assert {d["source"] for d in listing} == {
        "compost.txt",
        "garlic.html",
        "guides/bees.pdf",
        "guides/sourdough.md",
        "guides/pumps.docx",
    }


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("How many kilograms of honey does a bee colony need for winter?", "guides--bees.pdf"),
        ("When should garlic bulbs be harvested?", "garlic.html"),
        ("How often does a sourdough starter in the fridge need feeding?", "guides--sourdough.md"),
        ("How often should the pump seals be replaced?", "guides--pumps.docx"),
    ],
)
def test_each_format_is_answered_with_verbatim_citations(server, question, doc_id):
    body = httpx.post(f"{server.url}/ask", json={"question": question}, timeout=30).json()
    assert not body["abstained"], body["answer"]
    cited = [c for c in body["citations"] if c["doc_id"] == doc_id]
    assert cited, body["citations"]
    text = httpx.get(f"{server.url}/documents/{doc_id}").json()["text"]
    for citation in cited:
        assert text[citation["start"] : citation["end"]] == citation["quote"]


@pytest.mark.parametrize(("question", "doc_id", "words", "section", "page"), SECTIONED)
def test_sections_come_from_the_headings_and_pdf_citations_carry_their_page(
    server, question, doc_id, words, section, page
):
    body = httpx.post(f"{server.url}/ask", json={"question": question}, timeout=30).json()
    assert not body["abstained"], body["answer"]
    cited = [c for c in body["citations"] if c["doc_id"] == doc_id and words in c["quote"]]
    assert cited, body["citations"]
    if section is not None:
        assert cited[0]["section"] == section, cited
    assert cited[0]["page"] == page, cited
    text = httpx.get(f"{server.url}/documents/{doc_id}").json()["text"]
    assert text[cited[0]["start"] : cited[0]["end"]] == cited[0]["quote"]
    if doc_id == "garlic.html":  # the page's navigation and footer are not citable text
        assert "Seed catalogue" not in text and "All rights reserved" not in text
