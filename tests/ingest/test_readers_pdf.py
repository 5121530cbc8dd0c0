from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.readers import SourceFile, UnreadableFile
from ingest.readers.pdf import page_text, read_pdf
from tests.ingest.files import PDF_PAGES, write_pdf


def _read(path: Path):
    return read_pdf(SourceFile(path.name, path.read_bytes()))


def test_two_pages_with_their_start_offsets_and_sections(tmp_path: Path):
    extracted = _read(write_pdf(tmp_path / "bees.pdf"))
    text = extracted.text
    assert extracted.format == "pdf" and len(extracted.pages) == 2
    second = extracted.pages[1]
    assert text[second:].startswith("Feeding Before Spring")
    assert text[:second].rstrip().endswith("warm centre.")
    assert [s.heading for s in extracted.sections] == [heading for heading, _ in PDF_PAGES]
    for (heading, body), section in zip(PDF_PAGES, extracted.sections, strict=True):
        assert text[section.start : section.end] == body  # wrapped lines joined back
        assert text[section.heading_start : section.heading_end] == heading


def test_title_from_metadata_else_the_first_line(tmp_path: Path):
    assert _read(write_pdf(tmp_path / "a.pdf")).title == "Winter Beekeeping Guide"
    assert _read(write_pdf(tmp_path / "b.pdf", title=None)).title == "Clustering in the Cold"
    assert _read(write_pdf(tmp_path / "c.pdf", title="report-final.docx")).title == (
        "Clustering in the Cold"
    )


def test_page_numbers_and_wrapping_are_repaired():
    raw = "Heading Line\nThe first part of a sentence that\nwraps onto the next line.\n\n3\n"
    assert (
        page_text(raw)
        == "Heading Line\nThe first part of a sentence that wraps onto the next line."
    )
    assert page_text("Page 2 of 9\nA line.") == "A line."


def test_broken_encrypted_and_textless_pdfs_are_unreadable(tmp_path: Path):
    with pytest.raises(UnreadableFile, match="not a readable PDF"):
        read_pdf(SourceFile("x.pdf", b"%PDF-1.7\nnothing else"))
    good = write_pdf(tmp_path / "good.pdf").read_bytes()
    with pytest.raises(UnreadableFile, match="not a readable PDF"):
        read_pdf(SourceFile("cut.pdf", good[: len(good) // 3]))

    locked = FPDF()
    locked.set_encryption(owner_password="owner", user_password="secret")
    locked.add_page()
    locked.set_font("Helvetica", size=12)
    locked.cell(text="A secret page.")
    with pytest.raises(UnreadableFile, match="encrypted"):
        read_pdf(SourceFile("locked.pdf", bytes(locked.output())))

    blank = FPDF()
    blank.add_page()
    with pytest.raises(UnreadableFile, match="no extractable text"):
        read_pdf(SourceFile("blank.pdf", bytes(blank.output())))
