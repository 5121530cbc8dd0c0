from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.blocks.block import CODE, HEADING, LIST_ITEM, TABLE
from ingest.corpus import build_document
from ingest.documents import Document
from ingest.pipeline import document_sentences
from ingest.readers import SourceFile, UnreadableFile
from ingest.readers.pdf import read_pdf
from tests.support.files import FONTS, PDF_PAGES, write_pdf

TITLE = "Shared Widget Database"


class _Manual(FPDF):
    """A manual laid out line by line, as a typesetter does: a running header with the title,
    a page number in the footer, wrapped lines placed where they fall."""

    def header(self) -> None:
        self.set_font("body", size=8)
        self.set_xy(20, 8)
        self.cell(0, 5, TITLE, align="C")

    def footer(self) -> None:
        self.set_font("body", size=8)
        self.set_xy(20, -14)
        self.cell(0, 5, str(self.page_no()), align="C")


def _manual(path: Path) -> Path:
    pdf = _Manual()
    pdf.add_font("body", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("body", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font("mono", "", str(FONTS / "DejaVuSansMono.ttf"))
    pdf.set_auto_page_break(False)
    y = 0.0

    def line(text: str, *, x: float = 20, size: float = 10, style: str = "", font: str = "body"):
        nonlocal y
        pdf.set_font(font, style, size)
        pdf.text(x, y, text)
        y += size * 0.5

    def row(*cells: str, style: str = "") -> None:
        nonlocal y
        pdf.set_font("body", style, 10)
        for x, cell in zip((20, 80), cells, strict=True):
            pdf.text(x, y, cell)
        y += 5

    def gap(mm: float = 3) -> None:
        nonlocal y
        y += mm

    def page() -> None:
        nonlocal y
        pdf.add_page()
        y = 30

    page()
    line(TITLE, size=18, style="B")
    gap(4)
    line("1 Priorities", size=14, style="B")
    gap()
    line("Each rule has a priority. The default priority value is 50, and the maximum is")
    line("100. Rules with a higher priority are tried first, and a match with a low prior-")
    line("ity is used only when nothing else matches the widget.")
    gap()
    line("The following keys are recognised:")
    line("• name, the widget's name;", x=24)
    line("• weight, a number between 0 and 10.", x=24)
    gap()
    line("To list the rules, run:")
    line("widget-db --list", x=24, font="mono", size=9)
    line("    --verbose", x=24, font="mono", size=9)
    page()
    line("2 Matching", size=14, style="B")
    gap()
    line("A rule matches when its pattern and its weight both agree with the widget that is")
    line("being looked up, whatever the order of the files that declare them.")
    gap()
    row("Key", "Default", style="B")
    for key, value in (("name", "none"), ("weight", "5"), ("priority", "50")):
        row(key, value)
    page()
    line("3 Limits", size=14, style="B")
    gap()
    line("No more than 4096 rules are read from one file, because larger files slow down")
    line("every lookup for every program that uses the database.")
    pdf.output(str(path))
    return path


def _read(path: Path) -> Document:
    return build_document(path.name, path.read_bytes())


def test_running_header_and_page_numbers_are_not_text(tmp_path: Path):
    doc = _read(_manual(tmp_path / "manual.pdf"))
    assert doc.title == TITLE
    assert doc.text.count(TITLE) == 1  # the title page's title, never the running header
    body = [doc.text[b.start : b.end] for b in doc.blocks if b.kind != HEADING]
    assert not any(text.strip().isdigit() for text in body)
    assert [s.heading for s in doc.sections] == ["1 Priorities", "2 Matching", "3 Limits"]


def test_wrapped_lines_join_whatever_they_start_with_and_hyphens_rejoin(tmp_path: Path):
    doc = _read(_manual(tmp_path / "manual.pdf"))
    sentences = [u.readable for u in document_sentences(doc)]
    assert "The default priority value is 50, and the maximum is 100." in sentences
    assert (
        "Rules with a higher priority are tried first, and a match with a low priority is used "
        "only when nothing else matches the widget."
    ) in sentences
    assert (
        "A rule matches when its pattern and its weight both agree with the widget that is being "
        "looked up, whatever the order of the files that declare them."
    ) in sentences


def test_lists_code_and_tables_are_blocks(tmp_path: Path):
    doc = _read(_manual(tmp_path / "manual.pdf"))
    kinds = {b.kind: doc.text[b.start : b.end] for b in reversed(doc.blocks)}
    items = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == LIST_ITEM]
    assert items == ["name, the widget's name;", "weight, a number between 0 and 10."]
    assert kinds[CODE] == "widget-db --list\n    --verbose"
    [table] = [b for b in doc.blocks if b.kind == TABLE]
    rows = [[doc.text[a:b] for a, b in row] for row in table.rows]
    assert rows == [["Key", "Default"], ["name", "none"], ["weight", "5"], ["priority", "50"]]


def test_citations_keep_their_page(tmp_path: Path):
    doc = _read(_manual(tmp_path / "manual.pdf"))
    units = {u.readable: u for u in document_sentences(doc)}
    limit = units[
        "No more than 4096 rules are read from one file, because larger files slow down every "
        "lookup for every program that uses the database."
    ]
    assert doc.page_at(limit.start) == 3
    assert doc.page_at(units["The following keys are recognised:"].start) == 1


def test_two_pages_with_their_start_offsets_and_sections(tmp_path: Path):
    extracted = read_pdf(SourceFile("bees.pdf", write_pdf(tmp_path / "bees.pdf").read_bytes()))
    text = extracted.text
    assert extracted.format == "pdf" and len(extracted.pages) == 2
    assert text[extracted.pages[1] :].startswith("Feeding Before Spring")
    doc = _read(tmp_path / "bees.pdf")
    assert [s.heading for s in doc.sections] == [heading for heading, _ in PDF_PAGES]
    for (_, body), section in zip(PDF_PAGES, doc.sections, strict=True):
        assert text[section.start : section.end] == body  # wrapped lines joined back


def test_title_from_metadata_else_the_first_heading(tmp_path: Path):
    assert _read(write_pdf(tmp_path / "a.pdf")).title == "Winter Beekeeping Guide"
    assert _read(write_pdf(tmp_path / "b.pdf", title=None)).title == "Clustering in the Cold"
    named = write_pdf(tmp_path / "c.pdf", title="report-final.docx")
    assert _read(named).title == "Clustering in the Cold"


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
    blank.add_page()
    with pytest.raises(UnreadableFile, match="almost no text"):
        read_pdf(SourceFile("blank.pdf", bytes(blank.output())))
