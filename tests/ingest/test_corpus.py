"""Reading a whole folder: every readable file becomes a Document, the rest are skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.corpus import (
    SkippedFile,
    candidate_files,
    is_corpus_path,
    load_corpus,
    read_corpus,
    read_source,
    scan_corpus,
)
from ingest.documents import DOC_ID, CorpusError, Document, EmptyCorpus, bytes_hash
from tests.support.files import PDF_PAGES


def assert_offsets_consistent(doc: Document) -> None:
    """Every section, heading, page and field span indexes the document's own text."""
    assert doc.sections
    for section in doc.sections:
        body = doc.text[section.start : section.end]
        assert 0 <= section.start < section.end <= len(doc.text)
        assert body == body.strip()
        if section.heading_start is not None:
            assert section.heading_start < section.heading_end <= section.start
            assert doc.text[section.heading_start : section.heading_end] == section.heading
    for span in doc.spans:
        assert 0 <= span.start < span.end <= len(doc.text)
    assert list(doc.pages) == sorted(doc.pages)
    assert all(0 <= page <= len(doc.text) for page in doc.pages)


def test_every_readable_file_of_the_folder_becomes_a_document(mixed: Path):
    read = read_corpus(mixed)
    by_source = {d.source: d for d in read.documents}
    assert set(by_source) == {
        "compost.txt",
        "garlic.html",
        "guides/bees.pdf",
        "guides/sourdough.md",
        "guides/pumps.docx",
    }
    assert {d.format for d in read.documents} == {"text", "html", "pdf", "markdown", "docx"}
    for doc in read.documents:
        assert_offsets_consistent(doc)
        assert DOC_ID.fullmatch(doc.doc_id)
        raw = (mixed / doc.source).read_bytes()
        assert (doc.file_sha256, doc.file_bytes) == (bytes_hash(raw), len(raw))

    markdown = by_source["guides/sourdough.md"]
    assert [s.heading for s in markdown.sections] == [
        "Keeping a Sourdough Starter",
        "Feeding in the Fridge",
        "Signs of Hunger",
    ]
    assert markdown.doc_id == "guides--sourdough.md"
    assert not any("#" in markdown.text[s.start : s.end] for s in markdown.sections)

    html = by_source["garlic.html"]
    assert [s.heading for s in html.sections] == [
        "Growing Garlic at Home",
        "Choosing the Cloves",
        "Harvesting the Bulbs",
    ]
    body = " ".join(html.text[b.start : b.end] for b in html.blocks)
    for navigation_or_footer in ("Seed catalogue", "newsletter", "Copyright", "Privacy policy"):
        assert navigation_or_footer not in html.text
    assert "<" not in html.text and "papery skin" in body

    pdf = by_source["guides/bees.pdf"]
    assert len(pdf.pages) == 2 and pdf.pages[0] == 0
    first, second = (pdf.text.index(body[:30]) for _, body in PDF_PAGES)
    assert (pdf.page_at(first), pdf.page_at(second)) == (1, 2)
    assert [s.heading for s in pdf.sections] == [heading for heading, _ in PDF_PAGES]

    assert read.skipped == (
        SkippedFile("latin1.txt", "not valid UTF-8 (invalid continuation byte at byte 3)"),
        SkippedFile(
            "photo.png",
            "unsupported file type '.png'; readable: .docx, .htm, .html, .markdown, .md, "
            ".pdf, .text, .txt",
        ),
    )
    assert read.files == scan_corpus(mixed)
    assert set(read.files) == {*by_source, "latin1.txt", "photo.png"}


def test_hidden_files_folders_and_nested_metadata_are_not_documents(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text("Hidden\n\nNot a document.\n")
    (tmp_path / ".draft.txt").write_text("Hidden\n\nNot a document either.\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "metadata.json").write_text('{"documents": []}')
    (tmp_path / "a.txt").write_text("Title\n\nBody text.\n")
    read = read_corpus(tmp_path)
    assert [d.source for d in read.documents] == ["a.txt"]
    assert read.skipped == (
        SkippedFile("sub/metadata.json", "metadata.json is read only at the top of the corpus"),
    )
    assert [source for source, _ in candidate_files(tmp_path)] == ["a.txt", "sub/metadata.json"]


def test_metadata_wins_over_what_the_document_says(tmp_path: Path):
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "a.md").write_text(
        "# Own Title\n\nBy Jane Doe\n\nMarch 3, 2024\n\nSome body text here.\n"
    )
    (tmp_path / "b.md").write_text("# Second\n\nBy Jane Doe\n\nBody of the second file.\n")
    (tmp_path / "metadata.json").write_text(
        json.dumps(
            {
                "documents": [
                    {
                        "source": "guides/a.md",
                        "doc_id": "chosen-id",
                        "title": "Given Title",
                        "author": "J. Doe",
                        "published": "2024-03-03",
                    },
                    {"source": "b.md", "site": "Example Site", "author": None},
                ]
            }
        )
    )
    b, a = load_corpus(tmp_path)  # in source order: "b.md" < "guides/a.md"
    assert (b.doc_id, b.title, b.author, b.site) == ("b.md", "Second", "Jane Doe", "Example Site")
    assert (a.doc_id, a.title, a.author, a.published) == (
        "chosen-id",
        "Given Title",
        "J. Doe",
        "2024-03-03",
    )
    spans = {s.name: a.text[s.start : s.end] for s in a.spans}
    # The text's "Jane Doe" contradicts metadata's author and is not kept as its span; its date
    # says the same day as metadata's ISO date and is.
    assert spans == {"published": "March 3, 2024"}


def test_without_metadata_the_document_names_itself(tmp_path: Path):
    (tmp_path / "notes.md").write_text("\n\nMy Title\nBody text here.\n", encoding="utf-8")
    [doc] = load_corpus(tmp_path)
    assert (doc.doc_id, doc.title, doc.source) == ("notes.md", "My Title", "notes.md")


def test_crlf_is_kept_so_offsets_match_the_file(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(b"Title\r\n\r\nOne line.\r\n")
    [doc] = load_corpus(tmp_path)
    assert doc.text == "Title\r\n\r\nOne line.\r\n"


def test_unreadable_files_are_skipped_and_only_an_empty_result_fails(tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe bad")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (tmp_path / "notes").write_bytes(b"no suffix")
    with pytest.raises(EmptyCorpus) as raised:
        read_corpus(tmp_path)
    message = str(raised.value)
    for fragment in (
        "holds no readable document",
        "bad.txt: not valid UTF-8",
        "empty.txt: the file is empty",
        "broken.pdf: not a readable PDF",
        "notes: unsupported file type (no suffix)",
    ):
        assert fragment in message
    (tmp_path / "good.txt").write_text("Title\n\nA body.\n")
    read = read_corpus(tmp_path)
    assert [d.source for d in read.documents] == ["good.txt"]
    assert [s.source for s in read.skipped] == ["bad.txt", "broken.pdf", "empty.txt", "notes"]


def test_duplicate_and_invalid_doc_ids_skip_the_file_not_the_build(tmp_path: Path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"{name}\n\nBody of {name}.\n")
    (tmp_path / "metadata.json").write_text(
        json.dumps(
            {
                "documents": [
                    {"source": "a.txt", "doc_id": "same"},
                    {"source": "b.txt", "doc_id": "same"},
                    {"source": "c.txt", "doc_id": "../escape"},
                    {"source": "gone.txt", "title": "A file that was deleted"},
                ]
            }
        )
    )
    read = read_corpus(tmp_path)
    assert [d.doc_id for d in read.documents] == ["same"]
    reasons = {s.source: s.reason for s in read.skipped}
    assert reasons["b.txt"] == "doc_id 'same' is taken by a.txt"
    assert "'../escape'" in reasons["c.txt"]
    assert reasons["metadata.json"] == "entry for 'gone.txt' names no file in the corpus"


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        (b"{not json", "metadata.json: expected"),
        (b'{"documents": {"a.txt": {}}}', "'documents' must be a list"),
        (b'{"documents": [{"title": "x"}]}', "needs a 'source'"),
        (b'{"documents": [{"source": "a.txt", "title": 3}]}', "title must be text or null"),
    ],
)
def test_a_broken_metadata_file_is_an_error_naming_it(tmp_path: Path, metadata, message):
    (tmp_path / "a.txt").write_text("Title\n\nBody.\n")
    (tmp_path / "metadata.json").write_bytes(metadata)
    with pytest.raises(CorpusError, match=message):
        read_corpus(tmp_path)


def test_missing_directory(tmp_path: Path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(EmptyCorpus, match="no files at all"):
        load_corpus(tmp_path)


def test_scan_sees_every_change_without_reading_any_format(mixed: Path):
    before = scan_corpus(mixed)
    assert before["photo.png"] == bytes_hash((mixed / "photo.png").read_bytes())
    (mixed / "guides" / "sourdough.md").write_text("# Changed\n\nNew body.\n")
    (mixed / "metadata.json").write_text('{"documents": []}')
    after = scan_corpus(mixed)
    assert after.keys() - before.keys() == {"metadata.json"}
    assert [s for s in before if before[s] != after[s]] == ["guides/sourdough.md"]


def test_read_source_gives_the_citable_text_of_one_file(mixed: Path):
    html = read_source(mixed, "garlic.html")
    assert html.text.startswith("Growing Garlic at Home\n\nBy Priya Natarajan\n")
    assert (
        read_source(mixed, "guides/sourdough.md").text
        == (mixed / "guides" / "sourdough.md").read_text()
    )
    for bad in ("../x.txt", "/etc/passwd", "guides/../compost.txt", ".hidden.txt", "a\\b.txt"):
        assert not is_corpus_path(bad)
        with pytest.raises(CorpusError, match="not a relative path"):
            read_source(mixed, bad)
    with pytest.raises(CorpusError, match="does not exist"):
        read_source(mixed, "nope.txt")
