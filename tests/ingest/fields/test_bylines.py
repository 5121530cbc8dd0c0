import pytest

from ingest.fields.bylines import byline, date_line, line_fields


def _stated(line: str) -> dict[str, str]:
    """What the line states, each field quoted from the line by its offsets."""
    fields = line_fields(line)
    assert fields is not None, line
    return {
        name: line[found.start : found.end]
        for name in ("author", "published", "site")
        if (found := getattr(fields, name)) is not None
    }


@pytest.mark.parametrize(
    ("line", "date", "updated"),
    [
        ("Jan 4, 2026", "Jan 4, 2026", False),
        ("  Published: 2024-03-01 ", "2024-03-01", False),
        ("Posted on March 3, 2024", "March 3, 2024", False),
        ("Updated on March 3rd, 2024", "March 3rd, 2024", True),
        ("Last reviewed: 2 February 2024", "2 February 2024", True),
        ("Last updated 12 January 2023.", "12 January 2023", True),
        ("Occupational Health Monitor, 21 June 2022", "21 June 2022", False),
        ("Tuesday, March 3, 2024 at 10:30 am", "March 3, 2024", False),
        ("Published 2024-03-01T09:00:00Z", "2024-03-01", False),
        ("Sep 14, 2023 · 6 min read", "Sep 14, 2023", False),
        ("Published March 3, 2024 · Updated March 5, 2024", "March 3, 2024", False),
        ("Updated March 5, 2024 | Originally published March 3, 2024", "March 3, 2024", False),
    ],
)
def test_date_lines_give_the_date_span(line, date, updated):
    fields = date_line(line)
    assert fields is not None and fields.published is not None
    assert line[fields.published.start : fields.published.end] == date
    assert fields.updated is updated


@pytest.mark.parametrize(
    "line",
    [
        "On Jan 4, 2026 he left.",
        "He was born on March 3, 2024",
        "One two three four five six seven, 21 June 2022",
        "2024",
        "Published",
        "03/03/2024",  # day and month cannot be told apart
        "Posted 03/03/2024",
        "March 2024",
        "Jan 4, 2026 " + "word " * 20,
        "By Jane Doe · Jan 4, 2026",  # a byline with a date is not a bare date line
    ],
)
def test_other_lines_are_not_date_lines(line):
    assert date_line(line) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Jane Doe", {"author": "Jane Doe"}),
        ("*By Jane Doe*", {"author": "Jane Doe"}),
        ("BY JANE DOE", {"author": "JANE DOE"}),
        ("by Reuters", {"author": "Reuters"}),
        ("Author: Li Wei", {"author": "Li Wei"}),
        (
            "Written by Ana de la Cruz and Li Wei | Jan 4, 2026",
            {"author": "Ana de la Cruz and Li Wei", "published": "Jan 4, 2026"},
        ),
        ("By Jane Doe, John Smith and Li Wei", {"author": "Jane Doe, John Smith and Li Wei"}),
        ("By Jane Doe on 4 March 2024", {"author": "Jane Doe", "published": "4 March 2024"}),
        (
            "By Jean-Luc Picard, 2024-01-02",
            {"author": "Jean-Luc Picard", "published": "2024-01-02"},
        ),
        ("By Jane Doe, Jan 4, 2026", {"author": "Jane Doe", "published": "Jan 4, 2026"}),
        # a credential or a role after a comma is not part of the name, and not a site
        ("By Priya Natarajan, RN", {"author": "Priya Natarajan"}),
        ("By Priya Natarajan, RN, MSN", {"author": "Priya Natarajan"}),
        ("By Jane Doe, MD, PhD", {"author": "Jane Doe"}),
        ("By Jane Doe, Senior Health Reporter", {"author": "Jane Doe"}),
        ("By Jane Doe, staff writer", {"author": "Jane Doe"}),
        # "Dr." stays part of the name; a publication after the comma is the site
        (
            "By Dr. Maya Ellison, Restwell Journal",
            {"author": "Dr. Maya Ellison", "site": "Restwell Journal"},
        ),
        (
            "*By Dr. Maya Ellison · March 3, 2024*",
            {"author": "Dr. Maya Ellison", "published": "March 3, 2024"},
        ),
        (
            "Written by Tomás Reyes · 12 January 2023",
            {"author": "Tomás Reyes", "published": "12 January 2023"},
        ),
        (
            "Written by Tomás Reyes for The Night Owl Review. Last updated 12 January 2023.",
            {
                "author": "Tomás Reyes",
                "site": "The Night Owl Review",
                "published": "12 January 2023",
            },
        ),
        ("— Jane Doe, updated 3 May 2021", {"author": "Jane Doe", "published": "3 May 2021"}),
        ("Jane Doe — May 3, 2021", {"author": "Jane Doe", "published": "May 3, 2021"}),
        ("Jane Doe · March 3, 2024", {"author": "Jane Doe", "published": "March 3, 2024"}),
        ("Posted March 3, 2024 by Jane Doe", {"author": "Jane Doe", "published": "March 3, 2024"}),
        (
            "Posted on March 3, 2024 by Jane Doe in Sleep Tips",
            {"author": "Jane Doe", "published": "March 3, 2024"},
        ),
        ("By [Jane Doe](https://example.com/jane) | 5 min read", {"author": "Jane Doe"}),
        (
            "By **Jane Doe** · Published 2024-03-01",
            {"author": "Jane Doe", "published": "2024-03-01"},
        ),
        ("By Jane Doe · Medically reviewed by Dr. Amy Lee, MD", {"author": "Jane Doe"}),
    ],
)
def test_bylines_give_author_date_and_site_spans(line, expected):
    assert byline(line) is not None
    assert _stated(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "By contrast, this works.",
        "By the way",
        "By 2030 most men",
        "Rob Stonefield",  # a bare name counts only beside a date (article_fields.py)
        "Bylines are great",
        "By ELISA, RA sera bound in vitro citrullinated H4.",
        "By Jane Doe, a mother of two who has not slept since 2019",
        "Jane Doe and John Smith",
        "Medically reviewed by Dr. Amy Lee",  # a reviewer is not the author
    ],
)
def test_sentences_and_other_credits_are_not_bylines(line):
    assert byline(line) is None


def test_a_reviewers_line_is_recognised_but_states_no_author():
    fields = line_fields("Medically reviewed by Dr. Amy Lee")
    assert fields is not None and fields.author is None and fields.published is None
    dated = line_fields("Reviewed by Dr. Amy Lee on March 3, 2024")
    assert dated is not None and dated.author is None and dated.updated


def test_the_known_author_alone_on_a_line_is_a_byline():
    fields = byline("  Rob Stonefield ", known_author="rob stonefield")
    assert fields is not None and fields.author is not None
    assert (fields.author.start, fields.author.end) == (2, 16)


@pytest.mark.parametrize(
    ("line", "site"),
    [
        (
            "© 2023 HealthHarbor. This content is for information only and is not a substitute "
            "for medical advice.",
            "HealthHarbor",
        ),
        ("Copyright 2024 Allotment Weekly. All rights reserved.", "Allotment Weekly"),
        ("Copyright © 2019–2024 The Devotion Blueprint", "The Devotion Blueprint"),
        ("© HealthHarbor 2023", "HealthHarbor"),
        ("© 2024 Sleepwell Blog · Powered by WordPress", "Sleepwell Blog"),
        ("HealthHarbor · Privacy · Contact", "HealthHarbor"),
        ("Garden Notes | About Us | Privacy Policy | Terms of Use", "Garden Notes"),
    ],
)
def test_copyright_and_footer_lines_give_the_site(line, site):
    assert _stated(line) == {"site": site}


@pytest.mark.parametrize(
    "line",
    [
        "© 2024 All rights reserved.",
        "© 2016 The Authors.",
        "Home · About · Contact",
        "Copyright law protects the expression of ideas",
        "Some Heading · Something Else",
        "Share",
    ],
)
def test_lines_that_name_no_site_give_none(line):
    fields = line_fields(line)
    assert fields is None or fields.site is None


def test_offsets_are_into_the_line_as_given_with_its_indent():
    line = "   *By Dr. Maya Ellison · March 3, 2024*  "
    fields = line_fields(line)
    assert fields is not None and fields.author is not None and fields.published is not None
    assert (fields.author.start, fields.author.end) == (7, 23)
    assert line[fields.published.start : fields.published.end] == "March 3, 2024"
    assert fields.author.value == "Dr. Maya Ellison"
