import pytest

from ingest.readers import SourceFile, UnreadableFile
from ingest.readers.html import read_html
from ingest.sentences import split_sentences
from tests.ingest.files import NAV_HTML


def _read(html: str):
    return read_html(SourceFile("page.html", html.encode()))


def test_main_content_only_with_headings_as_sections():
    extracted = _read(NAV_HTML)
    text = extracted.text
    assert [s.heading for s in extracted.sections] == [
        "Growing Garlic at Home",
        "Choosing the Cloves",
        "Harvesting the Bulbs",
    ]
    for dropped in ("Seed catalogue", "Subscribe", "Copyright", "Privacy", "Contact the editors"):
        assert dropped not in text
    for section in extracted.sections:
        assert text[section.heading_start : section.heading_end] == section.heading
    assert text.count("Growing Garlic at Home") == 1  # the <h1> repeats the title: kept once


def test_title_byline_and_date_head_the_text_as_citable_spans():
    extracted = _read(NAV_HTML)
    assert extracted.text.startswith(
        "Growing Garlic at Home\nBy Priya Natarajan\nPublished 2024-10-12 on Allotment Weekly\n\n"
    )
    assert (extracted.title, extracted.author, extracted.published, extracted.site) == (
        "Growing Garlic at Home",
        "Priya Natarajan",
        "2024-10-12",
        "Allotment Weekly",
    )
    stated = {s.name: extracted.text[s.start : s.end] for s in extracted.spans}
    assert stated == {
        "title": "Growing Garlic at Home",
        "author": "Priya Natarajan",
        "published": "2024-10-12",
        "site": "Allotment Weekly",
    }
    body = [extracted.text[s.start : s.end] for s in extracted.sections]
    assert not any("Priya" in b or "2024-10-12" in b for b in body)  # never an answer sentence


def test_paragraphs_and_list_items_become_sentences():
    extracted = _read(NAV_HTML)
    sentences = [
        s for sec in extracted.sections for s in split_sentences(extracted.text, sec.start, sec.end)
    ]
    items = [s.text for s in sentences if s.bullet]
    assert items == [
        "Separate the cloves only on the day of planting",
        "Keep the papery skin on each clove",
    ]
    # a paragraph's own line breaks in the HTML source are not sentence breaks
    assert any(
        s.text.startswith("Garlic is planted in autumn") and s.text.endswith("spring.")
        for s in sentences
    )


def test_a_page_without_metadata_takes_its_title_from_its_heading():
    html = (
        "<html><body><h1>Soil Basics</h1>"
        + "<p>Healthy soil holds water and air in roughly equal measure, and it teems with life "
        "that breaks down dead plants into food for new ones.</p>" * 3 + "</body></html>"
    )
    extracted = _read(html)
    assert extracted.title == "Soil Basics" and extracted.author is None
    assert extracted.published is None and extracted.text.startswith("Soil Basics\n\n")


def test_a_byline_paragraph_in_the_body_is_not_body():
    html = NAV_HTML.replace(
        "<h1>Growing Garlic at Home</h1>",
        "<h1>Growing Garlic at Home</h1><p>By Priya Natarajan</p>",
    )
    extracted = _read(html)
    assert extracted.text.count("Priya Natarajan") == 1


@pytest.mark.parametrize("html", ["", "   ", "<html><body></body></html>"])
def test_pages_without_text_are_unreadable(html):
    with pytest.raises(UnreadableFile):
        _read(html)
