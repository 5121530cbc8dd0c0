from pathlib import Path

import pytest

from ingest.blocks.block import CODE, LIST_ITEM, QUOTE, TABLE
from ingest.corpus import build_document
from ingest.documents import Document
from ingest.pipeline import document_sentences
from ingest.readers import SourceFile, UnreadableFile
from ingest.readers.html import read_html
from tests.support.files import NAV_HTML

# A page as Sphinx writes it: navigation and a sidebar, permalink signs, an "Edit on GitHub"
# link, wrapped source, inline code, a highlighted code block, an admonition and a table.
SPHINX = (Path(__file__).parent / "pages" / "sphinx.html").read_text(encoding="utf-8")


def _doc(html: str, source: str = "page.html") -> Document:
    return build_document(source, html.encode())


def test_main_content_only_with_headings_as_sections():
    doc = _doc(NAV_HTML)
    assert [s.heading for s in doc.sections] == [
        "Growing Garlic at Home",
        "Choosing the Cloves",
        "Harvesting the Bulbs",
    ]
    for dropped in ("Seed catalogue", "Subscribe", "Copyright", "Privacy", "Contact the editors"):
        assert dropped not in doc.text
    for section in doc.sections[1:]:
        assert doc.text[section.heading_start : section.heading_end] == section.heading
    assert doc.text.count("Growing Garlic at Home") == 1  # the <h1> repeats the title: kept once


def test_title_byline_and_date_head_the_text_as_citable_spans():
    doc = _doc(NAV_HTML)
    assert doc.text.startswith(
        "Growing Garlic at Home\n\nBy Priya Natarajan\nPublished 2024-10-12 on Allotment Weekly\n\n"
    )
    assert (doc.title, doc.author, doc.published, doc.site) == (
        "Growing Garlic at Home",
        "Priya Natarajan",
        "2024-10-12",
        "Allotment Weekly",
    )
    stated = {s.name: doc.text[s.start : s.end] for s in doc.spans}
    assert stated == {
        "title": "Growing Garlic at Home",
        "author": "Priya Natarajan",
        "published": "2024-10-12",
        "site": "Allotment Weekly",
    }
    assert not any("Priya" in u.text for u in document_sentences(doc))  # never an answer


def test_paragraphs_and_list_items_become_sentences():
    doc = _doc(NAV_HTML)
    units = document_sentences(doc)
    assert [u.text for u in units if u.bullet] == [
        "Separate the cloves only on the day of planting",
        "Keep the papery skin on each clove",
    ]
    # a paragraph's own line breaks in the HTML source are not sentence breaks
    assert any(
        u.text.startswith("Garlic is planted in autumn") and u.text.endswith("spring.")
        for u in units
    )


def test_a_page_without_metadata_takes_its_title_from_its_heading():
    html = (
        "<html><body><h1>Soil Basics</h1>"
        + "<p>Healthy soil holds water and air in roughly equal measure, and it teems with life "
        "that breaks down dead plants into food for new ones.</p>" * 3 + "</body></html>"
    )
    doc = _doc(html)
    assert doc.title == "Soil Basics" and doc.author is None
    assert doc.published is None and doc.text.startswith("Soil Basics\n\n")


def test_a_byline_paragraph_in_the_body_is_a_field_not_body():
    html = NAV_HTML.replace('<meta name="author" content="Priya Natarajan">', "").replace(
        "<h1>Growing Garlic at Home</h1>",
        "<h1>Growing Garlic at Home</h1><p>By Priya Natarajan</p>",
    )
    doc = _doc(html)
    assert doc.text.count("Priya Natarajan") == 1 and doc.author == "Priya Natarajan"
    assert not any("Priya" in u.text for u in document_sentences(doc))


def test_a_documentation_page_reads_as_its_author_wrote_it():
    doc = _doc(SPHINX, "howto.html")
    assert doc.title == "Logging HOWTO" and [s.heading for s in doc.sections] == [
        "Logging HOWTO",
        "Levels",
    ]
    for furniture in (
        "¶",
        "Edit on GitHub",
        "Table of Contents",
        "Index",
        "Copyright",
        "Created using",
    ):
        assert furniture not in doc.text
    units = document_sentences(doc)
    prose = [u.readable for u in units if u.kind == "paragraph"]
    assert prose[1] == (
        "The software’s developer adds logging calls to their code to indicate that certain "
        "events have occurred; call basicConfig() once, before anything else logs."
    )
    warning = "The default level is WARNING, which means that only events of this level and above"
    assert f"{warning} will be tracked." in prose
    [note] = [u.readable for u in units if u.kind == QUOTE]
    assert note == (
        "Note: Levels are checked before the message is formatted, so a disabled call costs "
        "almost nothing."
    )
    [code] = [u for u in units if u.kind == CODE]
    assert code.text == "import logging\nif ready:\n    logging.warning('Watch out!')"
    [table] = [u for u in units if u.kind == TABLE]
    assert table.readable == "Level | Numeric value\nERROR | 40\nWARNING | 30"
    items = [u.readable for u in units if u.kind == LIST_ITEM]
    assert items == [
        "Use debug() for diagnosis, when a problem is being investigated.",
        "Use error() for failures.",
    ]


@pytest.mark.parametrize("html", ["", "   ", "<html><body></body></html>"])
def test_pages_without_text_are_unreadable(html):
    with pytest.raises(UnreadableFile):
        read_html(SourceFile("page.html", html.encode()))


# A chapter as the DocBook XSL stylesheets write it: navigation tables above and below, an
# equation and an example each under a bold title, and a note box whose cell holds two
# paragraphs.
DOCBOOK = (Path(__file__).parent / "pages" / "docbook.html").read_text(encoding="utf-8")


def test_a_docbook_page_keeps_its_equations_examples_and_notes_and_drops_its_navigation():
    doc = _doc(DOCBOOK, "ch03s02.html")
    assert doc.title == "3.2. Keeping a Ledger"
    text = doc.text
    assert "Equation 3.1. The running balance" in text
    assert "Balance = Opening balance + Money in - Money out" in text
    assert "Example 3.1. A week of entries" in text
    assert "Monday's groceries and Friday's wages, entered as they happened." in text
    assert "Enter a refund as money in, not as a negative expense. Reconcile the ledger" in text
    for furniture in ("Prev", "Next", "Home", "Up", "3.3. Budgets", "Chapter 3. Records"):
        assert furniture not in text, furniture
