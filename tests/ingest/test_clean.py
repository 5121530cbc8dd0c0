from ingest.blocks.sections import sections_of
from ingest.clean import KnownNames, TextLayout, clean_text, looks_like_heading
from ingest.documents import Document
from tests.support.paths import DISTANCING, STONEFIELD

STONEFIELD_HEADINGS = [
    "Why Men Pull Away When Relationships Deepen",
    "The Neuroscience of Male Withdrawal",
    "Masculine Identity Threats and Relationship Withdrawal",
    "Attachment Styles and Intimacy Patterns",
    "The Paradox of Asking Directly",
    "Recognising Withdrawal Patterns: 12 Behavioural Signs",
    "The Independence Paradox",
    "What Not to Do When He Withdraws",
    "Timeline Expectations: Normal vs Concerning Patterns",
    "Communication Strategies That Work",
    "When Professional Help Makes Sense",
    "Building Sustainable Connection",
    "Frequently Asked Questions",
    "Moving Forward With Understanding",
]


def _by_source(corpus, source):
    return next(d for d in corpus if d.source == source)


def _clean(doc: Document) -> TextLayout:
    """Clean a document's text the way its reader did, with metadata's names."""
    return clean_text(doc.text, doc.title, KnownNames(doc.title, doc.author, doc.site))


def test_glued_headings_are_split_and_offsets_kept(corpus):
    doc = _by_source(corpus, STONEFIELD)
    sections = doc.sections
    assert sections_of(doc.text, _clean(doc).blocks, doc.title) == sections
    assert [s.heading for s in sections] == STONEFIELD_HEADINGS
    for section in sections:
        body = doc.text[section.start : section.end]
        assert body == body.strip() and not body.endswith("|")
        assert doc.text[section.heading_start : section.heading_end] == section.heading
        # The heading is not part of its body: the body starts right where the heading ends.
        assert section.heading not in body[: len(section.heading)]
    neuro = sections[1]
    assert doc.text[neuro.start :].startswith("When men feel useful and valued")
    faq = sections[12]
    assert doc.text[faq.start :].startswith("How long should I give him space")


def test_boilerplate_lines_are_dropped(corpus):
    doc = _by_source(corpus, STONEFIELD)
    cleaned = _clean(doc)
    dropped = [doc.text[s:e] for s, e in cleaned.dropped]
    for line in (
        "SIGN UP FOR OUR NEWSLETTER",
        "Archives",
        "The Psychology Behind Emotional Distance |",
    ):
        assert line in dropped
    for byline in ("The Devotion Blueprint", "Rob Stonefield", "Jan 4, 2026"):
        assert byline not in dropped  # not boilerplate: citable field spans (next test)
    assert (
        dropped.count(
            "Unraveling the Mystery: Why Men Distance Themselves as Relationships Get Serious"
        )
        == 2
    )
    body = " ".join(
        doc.text[s.start : s.end] for s in sections_of(doc.text, cleaned.blocks, doc.title)
    )
    assert "NEWSLETTER" not in body and "Archives" not in body
    assert all(
        s.start >= 424 for s in sections_of(doc.text, cleaned.blocks, doc.title)
    )  # nothing before the first heading


def test_standalone_headings_of_the_other_article(corpus):
    doc = _by_source(corpus, DISTANCING)
    cleaned = _clean(doc)
    assert cleaned.dropped == () and cleaned.bylines.spans == ()
    assert [s.heading for s in sections_of(doc.text, cleaned.blocks, doc.title)] == [
        "Understanding Emotional Distancing in Men",
        "Psychological Reasons Men Withdraw in Love",
        "Attachment Styles in Dating and Their Impact",
        "Why Do Men Go Silent When Things Get Serious?",
        "How to Respond When He Pulls Away",
        "Conclusion: Navigating Emotional Distance With Awareness",
    ]


def test_heading_rules():
    assert looks_like_heading("The Paradox of Asking Directly", strict=True)
    assert not looks_like_heading("This is a sentence.", strict=False)
    assert not looks_like_heading("Key reasons men pull away:", strict=False)
    assert not looks_like_heading("Ronald Mc", strict=True)  # "McDonald" is not a glued heading
    assert not looks_like_heading("the lower case start", strict=True)


def test_camel_case_inside_a_sentence_is_not_a_heading():
    text = "Intro\n\nShe bought an iPhone and met Ronald McDonald there. Then she left.\n"
    [section] = sections_of(text, clean_text(text, "Intro").blocks, "Intro")
    assert text[section.start : section.end].startswith("She bought an iPhone")


def _stated(text: str, layout: TextLayout) -> dict[str, str]:
    return {span.name: text[span.start : span.end] for span in layout.bylines.spans}


def test_stonefield_byline_and_date_are_citable_spans_not_body(corpus):
    doc = _by_source(corpus, STONEFIELD)
    assert {s.name: doc.text[s.start : s.end] for s in doc.spans} == {
        "site": "The Devotion Blueprint",
        "title": "Why Men Pull Away When Relationships Deepen: The Psychology Behind Emotional "
        "Distance",
        "author": "Rob Stonefield",
        "published": "Jan 4, 2026",
    }
    blocks = doc.blocks
    for span in doc.spans:
        assert not any(b.start < span.end and span.start < b.end for b in blocks)


def test_stonefield_without_metadata_finds_its_author_and_date(corpus):
    doc = _by_source(corpus, STONEFIELD)
    layout = clean_text(doc.text, "untitled")  # no metadata names at all
    assert _stated(doc.text, layout) == {
        "site": "The Devotion Blueprint",  # the short line above the "Archives" menu
        "author": "Rob Stonefield",
        "published": "Jan 4, 2026",
    }
    assert (layout.bylines.author, layout.bylines.published) == ("Rob Stonefield", "2026-01-04")
    assert layout.blocks == _clean(doc).blocks


def test_explicit_bylines_and_dates_anywhere_in_the_header():
    text = (
        "Title of the Piece\n"
        "Written by Ana de la Cruz | 4 March 2024\n"
        "Updated: 2024-05-01\n"
        "\n"
        "The first paragraph of the article is long enough to be prose, so the header ends "
        "here and nothing below it is a byline unless it says so.\n"
        "Jane Doe\n"
        "May 2, 2024\n"
    )
    layout = clean_text(text, "Title of the Piece")
    assert _stated(text, layout) == {"author": "Ana de la Cruz", "published": "4 March 2024"}
    assert layout.bylines.published == "2024-03-04"
    body = " ".join(text[b.start : b.end] for b in layout.blocks)
    assert "Written by" not in body and "Updated" not in body and "May 2, 2024" not in body


def test_a_name_counts_as_a_byline_only_beside_a_date_in_the_header():
    text = "Compost at Home\nSam Green\nMarch 3, 2024\n\nSam Green turned the heap.\n"
    assert _stated(text, clean_text(text, "t")) == {
        "author": "Sam Green",
        "published": "March 3, 2024",
    }
    prose = (
        "The heap was turned every two weeks, which is what every guide to compost says, "
        "and it was warm in the middle within a month. "
    )
    text = f"Compost at Home\n\n{prose}\nSam Green\nMarch 3, 2024\n"
    assert _stated(text, clean_text(text, "t")) == {"published": "March 3, 2024"}
    text = "Winter Feeding Tips\n\nBees need stores. They need them all winter long.\n"
    layout = clean_text(text, "t")
    sections = sections_of(text, layout.blocks, "t")
    assert layout.bylines.spans == () and sections[0].heading == "Winter Feeding Tips"
