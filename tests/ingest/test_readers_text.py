from ingest.clean import KnownNames
from ingest.corpus import build_document
from ingest.readers import SourceFile
from ingest.readers.text import read_text
from tests.conftest import CORPUS, STONEFIELD
from tests.ingest.files import NAV_HTML


def test_plain_text_keeps_the_file_and_finds_its_sections():
    text = (
        "Notes on Soil\n\nBy Sam Green\nMarch 3, 2024\n\nSoil needs air.\nSoil Life\nWorms help.\n"
    )
    extracted = read_text(SourceFile("notes.txt", text.encode()))
    assert extracted.text == text and extracted.format == "text"
    assert [s.heading for s in extracted.sections] == ["Notes on Soil", "Soil Life"]
    assert (extracted.title, extracted.author, extracted.published) == (
        "Notes on Soil",
        "Sam Green",
        "2024-03-03",
    )
    stated = {s.name: text[s.start : s.end] for s in extracted.spans}
    assert stated == {"author": "Sam Green", "published": "March 3, 2024"}


def test_the_stonefield_article_reads_as_before_with_its_byline():
    data = (CORPUS / STONEFIELD).read_bytes()
    known = KnownNames(author="Rob Stonefield", site="The Devotion Blueprint")
    extracted = read_text(SourceFile(STONEFIELD, data, known))
    assert extracted.text.encode() == data
    assert extracted.sections[0].heading == "Why Men Pull Away When Relationships Deepen"
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
