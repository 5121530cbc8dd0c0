"""Title, author, date and site of the layouts saved web pages really have, read end to end
(file bytes -> Document) through the text, Markdown and HTML readers."""

import json
import shutil
from pathlib import Path

import pytest

from ingest.chunk import ChunkingConfig
from ingest.clean import line_spans
from ingest.corpus import build_document, load_corpus
from ingest.documents import Document
from ingest.fields.article_fields import KnownNames, find_bylines
from ingest.folder.metadata import METADATA_FILE
from ingest.pipeline import document_sentences, prepare_documents
from tests.support.paths import CORPUS, DISTANCING, SLEEP, STONEFIELD

PROSE = (
    "Most adults need between seven and nine hours of sleep a night, and the hours before "
    "midnight are not more valuable than the ones after it, whatever the old saying claims."
)


def _fields(doc: Document) -> tuple[str, str | None, str | None, str | None]:
    return doc.title, doc.author, doc.published, doc.site


def _stated(doc: Document) -> dict[str, str]:
    """Each field span, quoted from the document's text by its offsets."""
    return {span.name: doc.text[span.start : span.end] for span in doc.spans}


def _sentences(doc: Document) -> list[str]:
    return [s.text for s in document_sentences(doc)]


def _read(text: str, source: str = "page.txt") -> Document:
    return build_document(source, text.encode())


# (file text, (title, author, published, site), the spans as written)
LAYOUTS = {
    "masthead with a menu, then headline, byline and date, then a share bar": (
        "HealthHub\nHome\nHealth A-Z\nParenting\nNewsletter\nSign In\n"
        "Why Toddlers Fight Bedtime\nBy Sam Okoro, RN\nSep 14, 2023\nShare\nPrint\n"
        f"{PROSE}\nBedtime Routines\n{PROSE}\n"
        "© 2023 HealthHub. This content is for information only and is not medical advice.\n",
        ("Why Toddlers Fight Bedtime", "Sam Okoro", "2023-09-14", "HealthHub"),
        {
            "site": "HealthHub",
            "title": "Why Toddlers Fight Bedtime",
            "author": "Sam Okoro",
            "published": "Sep 14, 2023",
        },
    ),
    "site name and a section line above the headline and a review date": (
        "Riverside Clinic\nPatient Information\nKnee Pain: Frequently Asked Questions\n"
        f"Last reviewed: 2 February 2024\n\n{PROSE}\n",
        ("Knee Pain: Frequently Asked Questions", None, "2024-02-02", "Riverside Clinic"),
        {
            "site": "Riverside Clinic",
            "title": "Knee Pain: Frequently Asked Questions",
            "published": "2 February 2024",
        },
    ),
    "a blog's menu, the headline, then 'Posted ... by ...'": (
        "Sleepwell Blog\nHome\nAbout\nContact\n10 Ways to Sleep Better Tonight\n"
        f"Posted on March 3, 2024 by Jane Doe\n\n{PROSE}\n\n"
        "© 2024 Sleepwell Blog · Powered by WordPress\n",
        ("10 Ways to Sleep Better Tonight", "Jane Doe", "2024-03-03", "Sleepwell Blog"),
        {
            "site": "Sleepwell Blog",
            "title": "10 Ways to Sleep Better Tonight",
            "published": "March 3, 2024",
            "author": "Jane Doe",
        },
    ),
    "headline, standfirst, then a byline with date and reading time": (
        "Why We Dream\nScientists are closer to an answer than ever.\n"
        f"By Jane Doe | Mar 3, 2024 | 5 min read\n\n{PROSE}\n",
        ("Why We Dream", "Jane Doe", "2024-03-03", None),
        {"title": "Why We Dream", "author": "Jane Doe", "published": "Mar 3, 2024"},
    ),
    "newsletter name, headline, sentence-case subtitle, bare name above the date": (
        "The Sleep Letter\nWhy Naps Work\nA short answer to a long question\nJane Doe\n"
        f"Mar 3, 2024\n\n{PROSE}\n",
        ("Why Naps Work", "Jane Doe", "2024-03-03", None),
        {"title": "Why Naps Work", "author": "Jane Doe", "published": "Mar 3, 2024"},
    ),
    "a kicker and the date above the headline and byline": (
        f"Nutrition\nMarch 3, 2024\nThe Truth About Late-Night Snacks\nBy Jane Doe\n\n{PROSE}\n",
        ("The Truth About Late-Night Snacks", "Jane Doe", "2024-03-03", None),
        {
            "published": "March 3, 2024",
            "title": "The Truth About Late-Night Snacks",
            "author": "Jane Doe",
        },
    ),
    "headline and dateline label (a publication and its date)": (
        "Working Nights\n\nBy Daniel Hirsch\nOccupational Health Monitor, 21 June 2022\n\n"
        f"{PROSE}\n",
        ("Working Nights", "Daniel Hirsch", "2022-06-21", "Occupational Health Monitor"),
        {
            "title": "Working Nights",
            "author": "Daniel Hirsch",
            "site": "Occupational Health Monitor",
            "published": "21 June 2022",
        },
    ),
    "the author's signature at the end": (
        f"How I Beat Insomnia\n\n{PROSE}\n\n{PROSE}\n\n— Jane Doe, updated 3 May 2021\n",
        ("How I Beat Insomnia", "Jane Doe", "2021-05-03", None),
        {"author": "Jane Doe", "published": "3 May 2021", "title": "How I Beat Insomnia"},
    ),
    "a byline and date at the end": (
        f"How I Beat Insomnia\n\n{PROSE}\n\nWritten by Tomás Reyes · 12 January 2023\n",
        ("How I Beat Insomnia", "Tomás Reyes", "2023-01-12", None),
        {"author": "Tomás Reyes", "published": "12 January 2023", "title": "How I Beat Insomnia"},
    ),
    "a footer line naming the site among its links": (
        f"How to Grow Garlic\n\n{PROSE}\n\nGarden Notes · Privacy · Contact\n",
        ("How to Grow Garlic", None, None, "Garden Notes"),
        {"site": "Garden Notes", "title": "How to Grow Garlic"},
    ),
    "a menu and the headline, and no byline at all": (
        f"Garden Notes\nHome\nVegetables\nFlowers\nHow to Grow Garlic in Small Spaces\n\n{PROSE}\n",
        ("How to Grow Garlic in Small Spaces", None, None, "Garden Notes"),
        {"site": "Garden Notes", "title": "How to Grow Garlic in Small Spaces"},
    ),
    "a published date wins over an update stamp above it": (
        f"Title of the Piece\nUpdated: 2024-05-01\nPublished: 2024-03-01\n\n{PROSE}\n",
        ("Title of the Piece", None, "2024-03-01", None),
        {"title": "Title of the Piece", "published": "2024-03-01"},
    ),
    "a plain article with no furniture": (
        f"How to Grow Garlic\n\n{PROSE}\n\nGarlic Varieties\n\n{PROSE}\n",
        ("How to Grow Garlic", None, None, None),
        {"title": "How to Grow Garlic"},
    ),
    "Markdown: an emphasised byline with a date": (
        f"# A Guide to Naps\n\n*By Dr. Maya Ellison · March 3, 2024*\n\n{PROSE}\n",
        ("A Guide to Naps", "Dr. Maya Ellison", "2024-03-03", None),
        {"title": "A Guide to Naps", "author": "Dr. Maya Ellison", "published": "March 3, 2024"},
    ),
    "Markdown: a byline with a credential and a publication": (
        f"# A Guide to Naps\n\nBy Priya Natarajan, RN\n\n{PROSE}\n\n---\n\n"
        "Written by Priya Natarajan for The Night Owl Review. Last updated 12 January 2023.\n",
        ("A Guide to Naps", "Priya Natarajan", "2023-01-12", "The Night Owl Review"),
        {
            "title": "A Guide to Naps",
            "author": "Priya Natarajan",
            "site": "The Night Owl Review",
            "published": "12 January 2023",
        },
    ),
    "Markdown: a linked, bolded name": (
        f"# A Guide to Naps\n\nBy **[Jane Doe](https://example.com/jane)** | "
        f"Published 2024-03-01\n\n{PROSE}\n",
        ("A Guide to Naps", "Jane Doe", "2024-03-01", None),
        {"title": "A Guide to Naps", "author": "Jane Doe", "published": "2024-03-01"},
    ),
    "Markdown: no # heading, a menu bar of links, then the headline": (
        "Sleep Digest\n\n[Home](/) | [About](/about) | [Contact](/contact)\n\n"
        f"Why Naps Work So Well\n\nBy Jane Doe\n\n{PROSE}\n\n## More\n\n{PROSE}\n",
        ("Why Naps Work So Well", "Jane Doe", None, "Sleep Digest"),
        {"site": "Sleep Digest", "title": "Why Naps Work So Well", "author": "Jane Doe"},
    ),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_saved_page_layouts_give_their_fields_with_exact_spans(layout):
    text, fields, spans = LAYOUTS[layout]
    doc = _read(text, "page.md" if layout.startswith("Markdown") else "page.txt")
    assert _fields(doc) == fields
    assert _stated(doc) == spans
    units = document_sentences(doc)
    for span in doc.spans:  # a field's line is never a block, so never an ordinary answer
        assert not any(u.start < span.end and span.start < u.end for u in units)
    sentences = " ".join(_sentences(doc))
    for furniture in ("By ", "Written by", "Posted", "©", "Updated", "Last reviewed", "Home"):
        assert furniture not in sentences
    assert PROSE.split(",")[0] in sentences


def test_menu_and_share_bar_lines_are_dropped_and_the_intro_sits_under_the_headline():
    text, _, _ = LAYOUTS["masthead with a menu, then headline, byline and date, then a share bar"]
    doc = _read(text)
    assert [s.heading for s in doc.sections] == ["Why Toddlers Fight Bedtime", "Bedtime Routines"]
    body = " ".join(doc.text[s.start : s.end] for s in doc.sections)
    for line in ("Health A-Z", "Parenting", "Sign In", "Share", "Print"):
        assert line not in body


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # a short first line followed by a longer line and the byline: a kicker above a headline
        (f"Sleep\nThe Big Question of Naps\nBy Jane Doe\n\n{PROSE}\n", "The Big Question of Naps"),
        # a four-word headline above its subtitle is kept: it is no kicker
        (f"Why Teens Sleep Late\nThe Science of Body Clocks\nBy Jane Doe\n\n{PROSE}\n", None),
        # a long first line is the page's own title, whatever follows
        (f"{PROSE[:60]}\nShort Subtitle Here\nBy Jane Doe\n\n{PROSE}\n", None),
        # the byline right under the first line: nothing to choose
        (f"Naps\nBy Jane Doe\n\n{PROSE}\n", None),
    ],
)
def test_the_headline_is_preferred_only_below_short_masthead_lines(text, title):
    lines = line_spans(text)
    found = find_bylines(text, lines, [i for i, (s, e) in enumerate(lines) if e > s], KnownNames())
    assert found.title == title
    assert found.author == "Jane Doe"


def test_a_bare_name_is_an_author_only_beside_a_date_and_never_the_first_line():
    doc = _read(f"Sam Green\nMarch 3, 2024\n\n{PROSE}\n")
    assert (doc.title, doc.author, doc.published) == ("Sam Green", None, "2024-03-03")
    doc = _read(f"Compost at Home\nSam Green\nFollow\nMarch 3, 2024\n\n{PROSE}\n")
    assert doc.author == "Sam Green"  # a "Follow" button between name and date is skipped


def test_html_byline_paragraphs_give_the_fields_the_metadata_lacks():
    paragraph = f"<p>{PROSE}</p>"
    html = (
        "<html><head><title>Soil Basics</title></head><body><article><h1>Soil Basics</h1>"
        f"{paragraph * 3}<p>Written by Tomás Reyes · 12 January 2023</p></article></body></html>"
    )
    doc = _read(html, "page.html")
    assert _fields(doc) == ("Soil Basics", "Tomás Reyes", "2023-01-12", None)
    assert _stated(doc) == {
        "title": "Soil Basics",
        "author": "Tomás Reyes",
        "published": "12 January 2023",  # the page's own words, cited where they stand
    }
    assert doc.text.count("Tomás Reyes") == 1  # stated once, in the header, never as body
    assert not any("Written by" in s for s in _sentences(doc))


def test_an_html_copyright_paragraph_gives_the_site_the_metadata_lacks():
    html = (
        "<html><head><title>Soil Basics</title></head><body><article><h1>Soil Basics</h1>"
        f"<p>{PROSE}</p><p>© 2024 Garden Notes. All rights reserved.</p></article></body></html>"
    )
    doc = _read(html, "page.html")
    assert doc.site == "Garden Notes" and _stated(doc)["site"] == "Garden Notes"
    assert not any("©" in s for s in _sentences(doc))


def test_html_metadata_still_wins_over_the_body_byline():
    html = (
        '<html><head><title>Soil Basics</title><meta name="author" content="Ana Lima">'
        "</head><body><article><h1>Soil Basics</h1><p>By Tomás Reyes</p>"
        f"<p>{PROSE}</p><p>{PROSE}</p></article></body></html>"
    )
    assert _read(html, "page.html").author == "Ana Lima"


def test_metadata_json_wins_over_the_detected_title_author_and_site(tmp_path: Path):
    text, _, _ = LAYOUTS["masthead with a menu, then headline, byline and date, then a share bar"]
    (tmp_path / "page.txt").write_text(text, encoding="utf-8")
    entry = {"source": "page.txt", "title": "Given Title", "author": "A. Writer", "site": "Other"}
    (tmp_path / METADATA_FILE).write_text(json.dumps({"documents": [entry]}))
    [doc] = load_corpus(tmp_path)
    assert _fields(doc) == ("Given Title", "A. Writer", "2023-09-14", "Other")
    assert _stated(doc) == {"published": "Sep 14, 2023"}  # spans saying otherwise are dropped


EXPECTED_SLEEP = {
    "coffee-nightcaps-and-naps-explained.md": (
        "Your Coffee, Your Nightcap and Your Nap: What They Really Do to Your Sleep",
        "Tomás Reyes",
        "2023-01-12",
        "The Night Owl Review",
    ),
    "insomnia-faq-brookvale-sleep-centre.txt": (
        "Insomnia and Other Sleep Problems: Frequently Asked Questions",
        None,
        "2024-02-02",
        "Brookvale Sleep Centre",
    ),
    "night-shift-sleep-research-report.txt": (
        "Working While the World Sleeps: What New Research Says About Shift Work and Rest",
        "Daniel Hirsch",
        "2022-06-21",
        "Occupational Health Monitor",
    ),
    "sleep-hygiene-complete-guide.md": (
        "The Complete Guide to Sleep Hygiene",
        "Dr. Maya Ellison",
        "2024-03-03",
        "Restwell Journal",
    ),
    "teen-and-child-sleep-healthharbor.txt": (
        "Why Your Teenager Can’t Fall Asleep Before Midnight (And What Parents Can Do)",
        "Priya Natarajan",
        "2023-09-14",
        "HealthHarbor",
    ),
}


def test_the_development_corpus_states_every_field_it_has():
    docs = {doc.source: doc for doc in load_corpus(SLEEP)}
    assert {source: _fields(doc) for source, doc in docs.items()} == EXPECTED_SLEEP
    for doc in docs.values():
        stated = _stated(doc)
        assert stated["title"] == doc.title
        for name in ("author", "site"):
            assert stated.get(name) == getattr(doc, name)
    assert _stated(docs["teen-and-child-sleep-healthharbor.txt"])["published"] == "Sep 14, 2023"


def test_the_bundled_corpus_without_metadata_names_itself(tmp_path: Path):
    for source in (STONEFIELD, DISTANCING):
        shutil.copy(CORPUS / source, tmp_path / source)
    docs = {doc.source: doc for doc in load_corpus(tmp_path)}
    assert _fields(docs[DISTANCING]) == (
        "Understanding Emotional Distancing in Men",
        None,
        None,
        None,
    )
    assert _fields(docs[STONEFIELD]) == (
        "Unraveling the Mystery: Why Men Distance Themselves as Relationships Get Serious",
        "Rob Stonefield",
        "2026-01-04",
        "The Devotion Blueprint",
    )
    with_metadata = {doc.source: doc for doc in load_corpus(CORPUS)}
    for source, doc in docs.items():  # metadata changes names, never what is body
        assert [(s.start, s.end) for s in doc.sections] == [
            (s.start, s.end) for s in with_metadata[source].sections
        ]


def test_the_bundled_corpus_fields_are_its_byline_lines_never_sentences(corpus):
    prepared = prepare_documents(corpus, ChunkingConfig())
    stonefield = next(p for p in prepared if p.document.source == STONEFIELD)
    assert _stated(stonefield.document) == {
        "site": "The Devotion Blueprint",
        "title": "Why Men Pull Away When Relationships Deepen: The Psychology Behind Emotional "
        "Distance",
        "author": "Rob Stonefield",
        "published": "Jan 4, 2026",
    }
    sentences = [s.text for p in prepared for s in p.sentences]
    assert not any(s in sentences for s in ("Rob Stonefield", "Jan 4, 2026", "Archives"))
