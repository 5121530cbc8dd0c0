import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.documents import (
    DOC_ID,
    Document,
    FieldSpan,
    Section,
    content_hash,
    doc_id_for,
)
from tests.support.paths import CORPUS, DISTANCING, STONEFIELD


def test_bundled_corpus_is_the_seed_articles_byte_for_byte(corpus):
    seeds = CORPUS.parent.parent / "shared" / "seeds"
    assert {d.source for d in corpus} == {DISTANCING, STONEFIELD}
    for doc in corpus:
        assert (CORPUS / doc.source).read_bytes() == doc.text.encode("utf-8")
        assert doc.format == "text" and doc.file_sha256 == doc.sha256
        assert doc.file_bytes == len(doc.text.encode("utf-8")) and doc.pages == ()
        if seeds.is_dir():
            assert (seeds / doc.source).read_bytes() == (CORPUS / doc.source).read_bytes()


def test_metadata_per_article(corpus):
    by_source = {d.source: d for d in corpus}
    stonefield = by_source[STONEFIELD]
    assert stonefield.author == "Rob Stonefield"
    assert stonefield.published == "2026-01-04"
    assert stonefield.title.startswith("Why Men Pull Away When Relationships Deepen")
    distancing = by_source[DISTANCING]
    assert distancing.title == "Understanding Emotional Distancing in Men"
    assert distancing.author is None and distancing.published is None
    assert len({d.doc_id for d in corpus}) == 2
    assert stonefield.sha256 == content_hash((CORPUS / STONEFIELD).read_text(encoding="utf-8"))


def test_a_document_survives_its_json_record(corpus):
    for doc in corpus:
        assert Document.from_record(json.loads(json.dumps(doc.to_record()))) == doc
    pdf_like = Document(
        "d",
        "T",
        "d.pdf",
        "Page one.\n\nPage two.",
        content_hash("Page one.\n\nPage two."),
        format="pdf",
        sections=(Section("T", 0, 9), Section("T", 11, 20)),
        pages=(0, 11),
        spans=(FieldSpan("title", 0, 4),),
    )
    assert Document.from_record(json.loads(json.dumps(pdf_like.to_record()))) == pdf_like


def test_records_written_before_sections_and_spans_still_read():
    old = {"doc_id": "a", "title": "A", "source": "a.txt", "text": "x", "sha256": "0"}
    doc = Document.from_record(old)
    assert (doc.sections, doc.pages, doc.spans, doc.format) == ((), (), (), "text")


def test_page_at_is_one_based_and_none_without_pages():
    doc = Document("d", "T", "d.pdf", "a" * 30, "0", pages=(0, 10, 20))
    assert [doc.page_at(i) for i in (0, 9, 10, 19, 20, 29)] == [1, 1, 2, 2, 3, 3]
    assert Document("d", "T", "d.txt", "abc", "0").page_at(1) is None


def test_span_by_name(corpus):
    stonefield = next(d for d in corpus if d.source == STONEFIELD)
    author = stonefield.span("author")
    assert author is not None
    assert stonefield.text[author.start : author.end] == "Rob Stonefield"
    assert stonefield.span("nothing") is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("notes.md", "notes.md"),
        ("guides/intro.md", "guides--intro.md"),
        ("a/b/c.txt", "a--b--c.txt"),
        ("Mixed_Case-1.2.TXT", "Mixed_Case-1.2.TXT"),
    ],
)
def test_doc_ids_keep_safe_paths_readable(source, expected):
    assert doc_id_for(source) == expected


@pytest.mark.parametrize(
    "source",
    ["my notes.md", "café.txt", "a--b.md", "_draft.md", "x" * 200 + ".txt", "über/ß.md", "-.md"],
)
def test_lossy_paths_get_a_hash_and_stay_safe(source):
    doc_id = doc_id_for(source)
    assert DOC_ID.fullmatch(doc_id)
    assert doc_id == doc_id_for(source)  # stable
    assert len(doc_id.rsplit("-", 1)[-1]) == 10


def test_paths_that_clean_up_alike_get_different_ids():
    clashing = ["a/b.md", "a--b.md", "a b.md", "a-b.md", "a?b.md", "A/b.md", "a/b.MD"]
    assert len({doc_id_for(source) for source in clashing}) == len(clashing)


_PATH_PART = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1,
    max_size=40,
)


@given(st.lists(_PATH_PART, min_size=1, max_size=4))
def test_any_relative_path_gets_a_safe_id(parts):
    assert DOC_ID.fullmatch(doc_id_for("/".join(parts)))
