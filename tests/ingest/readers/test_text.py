from ingest.blocks.block import CODE, HEADING, LIST_ITEM, PARAGRAPH
from ingest.clean import KnownNames
from ingest.corpus import build_document
from ingest.documents import Document
from ingest.pipeline import document_sentences
from ingest.readers import SourceFile
from ingest.readers.text import read_text
from tests.support.files import NAV_HTML
from tests.support.paths import CORPUS, STONEFIELD

# Plain-text documentation as it is exported: hard-wrapped at 72 columns, paged by form feeds
# with a running header and a page footer, bulleted lists, and indented examples.
EXPORT = (
    "Tidy Configuration Guide\n"
    "\n"
    "1. Reading the Configuration\n"
    "\n"
    "   The tool reads its settings from a file named tidy.conf in the\n"
    "   current directory. When no such file exists, the defaults are used\n"
    "   and a warning is printed. The default priority value is 50, and the\n"
    "   maximum is 100. A setting given on the command line always wins.\n"
    "\n"
    "   The file may hold these sections:\n"
    "\n"
    "     * General, for settings that apply to every run of the tool and\n"
    "       every file it checks.\n"
    "     * Rules, one per line.\n"
    "\n"
    "   A minimal file looks like this:\n"
    "\n"
    "       [general]\n"
    "       width = 72\n"
    "\n"
    "Tidy Guide                      March 2024                     [Page 1]\n"
    "\f\n"
    "Tidy Guide                      March 2024                     [Page 2]\n"
    "\n"
    "2. Writing Rules\n"
    "\n"
    "   Each rule names a pattern and what to do when a line matches it. Rules\n"
    "   are tried in the order they are written, and the first rule that\n"
    "   matches wins, so put the most specific rules first.\n"
    "\n"
    "Tidy Guide                      March 2024                     [Page 2]\n"
)


def _doc(text: str, source: str = "guide.txt") -> Document:
    return build_document(source, text.encode())


def test_plain_text_keeps_the_file_and_finds_its_sections():
    text = (
        "Notes on Soil\n\nBy Sam Green\nMarch 3, 2024\n\nSoil needs air.\nSoil Life\nWorms help.\n"
    )
    extracted = read_text(SourceFile("notes.txt", text.encode()))
    assert extracted.text == text and extracted.format == "text"
    doc = _doc(text, "notes.txt")
    assert [s.heading for s in doc.sections] == ["Notes on Soil", "Soil Life"]
    assert (doc.title, doc.author, doc.published) == ("Notes on Soil", "Sam Green", "2024-03-03")
    stated = {s.name: text[s.start : s.end] for s in extracted.spans}
    assert stated == {"author": "Sam Green", "published": "March 3, 2024"}


def test_the_stonefield_article_reads_as_before_with_its_byline():
    data = (CORPUS / STONEFIELD).read_bytes()
    known = KnownNames(author="Rob Stonefield", site="The Devotion Blueprint")
    doc = build_document(STONEFIELD, data)
    extracted = read_text(SourceFile(STONEFIELD, data, known))
    assert extracted.text.encode() == data
    assert doc.sections[0].heading == "Why Men Pull Away When Relationships Deepen"
    stated = {s.name: extracted.text[s.start : s.end] for s in extracted.spans}
    assert stated == {
        "site": "The Devotion Blueprint",
        "author": "Rob Stonefield",
        "published": "Jan 4, 2026",
    }


def test_an_html_page_renamed_to_txt_is_read_as_html():
    doc = build_document("page.txt", NAV_HTML.encode())
    assert doc.format == "html" and doc.title == "Growing Garlic at Home"
    assert "<p>" not in doc.text and "<!DOCTYPE" not in doc.text
    assert doc.doc_id == "page.txt" and doc.source == "page.txt"


def test_a_wrapped_export_reads_in_whole_sentences():
    doc = _doc(EXPORT)
    sentences = [u.readable for u in document_sentences(doc) if u.kind == PARAGRAPH]
    assert sentences[:4] == [
        "The tool reads its settings from a file named tidy.conf in the current directory.",
        "When no such file exists, the defaults are used and a warning is printed.",
        "The default priority value is 50, and the maximum is 100.",
        "A setting given on the command line always wins.",
    ]
    assert (
        "Rules are tried in the order they are written, and the first rule that matches wins, "
        "so put the most specific rules first."
    ) in sentences


def test_page_headers_and_footers_of_an_export_are_not_text():
    doc = _doc(EXPORT)
    for unit in document_sentences(doc):
        assert "Page" not in unit.text and "March 2024" not in unit.text
    assert [s.heading for s in doc.sections] == [
        "1. Reading the Configuration",
        "2. Writing Rules",
    ]


def test_wrapped_list_items_and_indented_examples(tmp_path):
    doc = _doc(EXPORT)
    items = [u.readable for u in document_sentences(doc) if u.kind == LIST_ITEM]
    assert items == [
        "General, for settings that apply to every run of the tool and every file it checks.",
        "Rules, one per line.",
    ]
    [code] = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == CODE]
    assert code == "       [general]\n       width = 72"
    assert all(b.kind != HEADING or "\n" not in doc.text[b.start : b.end] for b in doc.blocks)


def test_one_paragraph_per_line_is_not_taken_for_wrapping():
    text = (
        "Short Guide\n\nThe first paragraph is one long line, as editors and web exports write "
        "them, and it runs well past any column a person would wrap at without a care.\n"
        "A second paragraph follows on the next line without a blank line, as scraped text "
        "often does, and it is a paragraph of its own.\n"
    )
    doc = _doc(text)
    paragraphs = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == PARAGRAPH]
    assert len(paragraphs) == 2 and all("\n" not in p for p in paragraphs)
