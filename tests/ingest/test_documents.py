from pathlib import Path

import pytest

from ingest.documents import CorpusError, EmptyCorpus, content_hash, load_corpus
from tests.conftest import CORPUS, DISTANCING, STONEFIELD


def test_bundled_corpus_is_the_seed_articles_byte_for_byte(corpus):
    seeds = CORPUS.parent.parent / "shared" / "seeds"
    assert {d.source for d in corpus} == {DISTANCING, STONEFIELD}
    for doc in corpus:
        assert (CORPUS / doc.source).read_bytes() == doc.text.encode("utf-8")
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


def test_file_without_metadata_gets_stem_and_first_line(tmp_path: Path):
    (tmp_path / "notes.md").write_text("\n\nMy Title\nBody text here.\n", encoding="utf-8")
    [doc] = load_corpus(tmp_path)
    assert (doc.doc_id, doc.title, doc.source) == ("notes", "My Title", "notes.md")


def test_crlf_is_kept_so_offsets_match_the_file(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(b"Title\r\n\r\nOne line.\r\n")
    [doc] = load_corpus(tmp_path)
    assert doc.text == "Title\r\n\r\nOne line.\r\n"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "holds no"),
        ({"a.txt": b"\xff\xfe bad"}, "a.txt: not valid UTF-8"),
        ({"a.txt": b"   \n"}, "a.txt: the file is empty"),
        ({"a.txt": b"x", "metadata.json": b"{not json"}, "metadata.json"),
        (
            {"a.txt": b"x", "metadata.json": b'{"documents": [{"source": "gone.txt"}]}'},
            "gone.txt",
        ),
        (
            {
                "a.txt": b"x",
                "b.txt": b"y",
                "metadata.json": b'{"documents": [{"source": "a.txt", "doc_id": "same"},'
                b' {"source": "b.txt", "doc_id": "same"}]}',
            },
            "'same' is used by both",
        ),
        (
            {
                "a.txt": b"x",
                "metadata.json": b'{"documents": [{"source": "a.txt", "doc_id": "../x"}]}',
            },
            "doc_id",
        ),
    ],
)
def test_bad_corpus_is_rejected_with_the_reason(tmp_path: Path, files, message):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(CorpusError, match=message.replace("(", r"\(")):
        load_corpus(tmp_path)


def test_missing_directory(tmp_path: Path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(EmptyCorpus):
        load_corpus(tmp_path)
