"""Recognising byline, date and site lines, so "who wrote this, when, and where" can be cited.

Pure functions over one line of text: every match is returned as offsets into that line, so a
caller can turn it into a FieldSpan of the document's text without rewriting anything. A line
is cut into parts at separators ("|", "·", "•", a spaced dash) and sentence ends, and it counts
only when every part is recognised: "By Jane Doe · 5 min read" is a byline, "By the way, ..."
or any other prose is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.blocks.sentences import ABBREVIATIONS
from ingest.fields.dates import (
    DATE,
    KEYWORD,
    MONTH_NAMES,
    TIME,
    WEEKDAY,
    is_update_keyword,
    iso_date,
)
from ingest.fields.names import (
    LINK,
    is_navigation,
    is_role_or_credential,
    looks_like_name,
    looks_like_site,
)

__all__ = [
    "MAX_LINE_WORDS",
    "Found",
    "LineFields",
    "byline",
    "date_line",
    "iso_date",
    "line_fields",
]

MAX_LINE_WORDS = 20  # bylines and date lines are short; prose never counts
_MAX_COPYRIGHT_WORDS = 40  # "© 2024 Site. This content is not medical advice ..." runs longer
_MAX_LABEL_WORDS = 6
_MAX_TAILS = 3  # "By Jane Doe, MD, Restwell Journal, Jan 4, 2026"
# "Published: 2024-03-01", "Last reviewed: 2 February 2024", "Posted March 3, 2024 by Jane Doe"
_DATE_PART = re.compile(
    rf"(?:(?P<keyword>{KEYWORD})\s*:?\s*)?{WEEKDAY}?(?P<date>{DATE}){TIME}?"
    r"(?:\s+by\s+(?P<name>.+?)(?:\s+in\s+.+)?)?",
    re.IGNORECASE,
)
# A short label before a comma or colon: "Occupational Health Monitor, 21 June 2022".
_LABELLED_DATE = re.compile(
    rf"(?P<label>[^\W\d_][\w .'’&-]{{0,60}}?)\s*[:,]\s*{WEEKDAY}?(?P<date>{DATE}){TIME}?",
    re.IGNORECASE,
)
# A date ending what follows "By": "Jane Doe, Jan 4, 2026", "Jane Doe on 4 March 2024".
_TRAILING_DATE = re.compile(
    rf"(?P<body>.+?)(?:\s*,\s*|\s+on\s+|\s+)(?:(?P<keyword>{KEYWORD})\s*:?\s*)?"
    rf"{WEEKDAY}?(?P<date>{DATE}){TIME}?",
    re.IGNORECASE,
)
# "Published on Site", "Published 2024-10-12 on Site": where (and when) the text appeared, as
# the HTML reader writes a page's metadata into its text.
_ON_SITE = re.compile(
    rf"(?:first\s+)?(?:published|posted|appeared)(?:\s+(?P<date>{DATE}))?\s+(?:on|in|at)\s+"
    r"(?P<site>.+)",
    re.IGNORECASE,
)
# "By", "Written by", "Author:" and the like, then the name (and maybe more, see _author).
_BY_LEAD = re.compile(
    r"(?:(?:written|posted|reported|words|story|article|text|compiled|created)\s+)?by\b\s*:?"
    r"\s*|authors?\s*:\s*",
    re.IGNORECASE,
)
_SIGNATURE_LEAD = re.compile(r"(?:[—–]|-(?=\s))\s*")  # "— Jane Doe, updated 3 May 2021"
# Credits that are not the author: "Medically reviewed by Dr. Lee", "Photo by Sam Wu".
_CREDIT_LEAD = re.compile(
    r"(?:(?:medically|clinically|expert|peer|fact)[- ]?)?(?:reviewed|checked|edited|"
    r"illustrat\w*|photo\w*|images?)\s+by\s*:?\s*",
    re.IGNORECASE,
)
_COMMA = re.compile(",")
_JOINED = re.compile(r"(?:and|&)\s|.*\s(?:and|&)\s")
_LEADING_JOINER = re.compile(r"^(?:and|&)\s+")
_FOR_SITE = re.compile(r"(?P<name>.+?)\s+for\s+(?P<site>.+)")  # "... for The Night Owl Review"
_COPYRIGHT = re.compile(
    r"(?:copyright\s*)?(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"(?P<site>.+?)(?:\s*,?\s*\d{4})?(?:\s*[.,]?\s*all rights reserved)?",
    re.IGNORECASE,
)
_COPYRIGHT_START = re.compile(r"\s*(?:©|\(c\)\s|copyright\b)", re.IGNORECASE)
_READ_TIME = re.compile(r"\d+\s*-?\s*min(?:ute)?s?\.?(?:\s+read)?", re.IGNORECASE)
_RIGHTS = re.compile(r"all rights reserved", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*[|·•]\s*|\s+[–—-]+\s+|\s*;\s+")
_SENTENCE_END = re.compile(r"(?<=[^\s.])\.\s+(?=[A-Z])")
# A full stop after one of these (or a month's name: "Published 5 March.") is not a sentence's.
_ABBREVIATIONS = ABBREVIATIONS | frozenset(MONTH_NAMES)


@dataclass(frozen=True)
class Found:
    """One recognised field of a line: offsets into the line, and its value."""

    start: int
    end: int
    value: str


@dataclass(frozen=True)
class LineFields:
    """What a byline, date or site line states; a field is None when the line does not say."""

    author: Found | None = None
    published: Found | None = None
    updated: bool = False  # the date is an "Updated"/"Reviewed" stamp, not the first publication
    site: Found | None = None


@dataclass(frozen=True)
class _Part:
    """One recognised part of a line: "author", "date", "site", "credit", "plain" or "skip"."""

    kind: str
    found: Found | None = None
    site: Found | None = None
    published: Found | None = None
    updated: bool = False


def _strip(line: str, start: int, end: int) -> tuple[int, int]:
    """A part without spaces and emphasis markers around it, and without a full stop that ends
    a sentence (the one of "Jr." or "Dr." stays)."""
    while start < end and line[start] in " \t*_":
        start += 1
    while end > start and line[end - 1] in " \t*_":
        end -= 1
    if end > start and line[end - 1] == "." and not _is_abbreviation(line[start : end - 1]):
        end -= 1
    return start, end


def _is_abbreviation(before: str) -> bool:
    word = before.split()[-1].lower() if before.split() else ""
    return len(word) <= 1 or word in _ABBREVIATIONS


def _parts(line: str) -> list[tuple[int, int]]:
    """(start, end) of each part of a line, cut at separators and sentence ends."""
    cuts = [(m.start(), m.end()) for m in _SEPARATOR.finditer(line)]
    cuts += [
        (m.start(), m.end())
        for m in _SENTENCE_END.finditer(line)
        if not _is_abbreviation(line[: m.start()])
    ]
    spans, cursor = [], 0
    for cut_start, cut_end in sorted(cuts):
        if cut_start >= cursor:
            spans.append(_strip(line, cursor, cut_start))
            cursor = cut_end
    spans.append(_strip(line, cursor, len(line)))
    return [(s, e) for s, e in spans if e > s]


def _found(line: str, start: int, end: int) -> Found:
    return Found(start, end, line[start:end])


def _unwrapped(line: str, start: int, end: int) -> tuple[int, int]:
    """A name's span without emphasis markers or Markdown link syntax around it."""
    start, end = _strip(line, start, end)
    link = LINK.fullmatch(line, start, end)
    return (link.start("text"), link.end("text")) if link else (start, end)


def _co_authors(tails: list[str]) -> bool:
    """Whether a byline's comma tails name more authors ("..., John Smith and Li Wei")."""
    if not tails or not _JOINED.match(tails[-1]):
        return False
    return all(looks_like_name(_LEADING_JOINER.sub("", t), min_words=1) for t in tails)


def _author(line: str, start: int, end: int) -> _Part | None:
    """What follows "By": a name, maybe " for Site", ", RN", ", Site" or ", updated DATE"."""
    published, updated, site = None, False, None
    trailing = _TRAILING_DATE.fullmatch(line, start, end)
    if trailing:
        published = _found(line, trailing.start("date"), trailing.end("date"))
        updated = bool(is_update_keyword(trailing.group("keyword")))
        end = _strip(line, start, trailing.end("body"))[1]
    for_site = _FOR_SITE.fullmatch(line, start, end)
    if for_site and looks_like_site(for_site.group("site").strip(" *_")):
        site = _found(line, *_strip(line, for_site.start("site"), for_site.end("site")))
        end = for_site.end("name")
    pieces, cursor = [], start
    for comma in _COMMA.finditer(line, start, end):
        pieces.append((cursor, comma.start()))
        cursor = comma.end()
    pieces.append((cursor, end))
    if len(pieces) > _MAX_TAILS + 1:
        return None
    name_end = pieces[0][1]
    tails = [line[a:b].strip() for a, b in pieces[1:]]
    if _co_authors(tails):
        name_end, tails = end, []  # "Jane Doe, John Smith and Li Wei"
    name_start, name_end = _unwrapped(line, pieces[0][0], name_end)
    if not looks_like_name(line[name_start:name_end], min_words=1):
        return None
    for (a, b), tail in zip(pieces[1:], tails, strict=False):
        if is_role_or_credential(tail):
            continue
        if not looks_like_site(tail):
            return None  # "By ELISA, RA sera bound in vitro ...": a sentence, not a byline
        site = site or _found(line, *_strip(line, a, b))
    author = _found(line, name_start, name_end)
    return _Part("author", author, site=site, published=published, updated=updated)


def _part(line: str, start: int, end: int, first: bool) -> _Part | None:
    """What one part of a line is, or None when it is none of the things a byline holds."""
    text = line[start:end]
    if lead := _CREDIT_LEAD.match(line, start, end):  # a reviewer's date is a review date
        credit = _author(line, lead.end(), end)
        return credit and _Part("credit", published=credit.published, updated=True)
    lead = _BY_LEAD.match(line, start, end)
    if lead is None and first:
        lead = _SIGNATURE_LEAD.match(line, start, end)
    if lead is not None:
        return _author(line, lead.end(), end) if lead.end() < end else None
    on_site = _ON_SITE.fullmatch(line, start, end)
    if on_site and not _DATE_PART.fullmatch(on_site.group("site")):  # "Posted on May 3" is a date
        site = _found(line, *_strip(line, on_site.start("site"), on_site.end("site")))
        if not looks_like_site(site.value):
            return None
        date = on_site.start("date")
        published = _found(line, date, on_site.end("date")) if date >= 0 else None
        return _Part("date" if published else "site", site=site, published=published)
    if dated := _DATE_PART.fullmatch(line, start, end):
        part = _Part(
            "date",
            published=_found(line, dated.start("date"), dated.end("date")),
            updated=bool(is_update_keyword(dated.group("keyword"))),
        )
        if dated.group("name") is None:
            return part
        by = _author(line, dated.start("name"), dated.end("name"))
        return by and _Part("author", by.found, published=part.published, updated=part.updated)
    if labelled := _LABELLED_DATE.fullmatch(line, start, end):
        label = labelled.group("label").strip()
        if len(label.split()) > _MAX_LABEL_WORDS:
            return None
        site = None
        if len(label.split()) >= 2 and looks_like_site(label):
            site = _found(line, labelled.start("label"), labelled.start("label") + len(label))
        published = _found(line, labelled.start("date"), labelled.end("date"))
        updated = bool(is_update_keyword(label))
        return _Part("date", site=site, published=published, updated=updated)
    if copyright := _COPYRIGHT.fullmatch(line, start, end):
        site = _found(line, *_strip(line, copyright.start("site"), copyright.end("site")))
        return _Part("site", site=site) if looks_like_site(site.value) else None
    if is_navigation(text) or _READ_TIME.fullmatch(text) or _RIGHTS.fullmatch(text):
        return _Part("skip")
    return _Part("plain", _found(line, start, end))


def line_fields(line: str, known_author: str | None = None) -> LineFields | None:
    """What a byline, date or site line states; None for any other line (prose, headings)."""
    stripped = line.strip()
    limit = _MAX_COPYRIGHT_WORDS if _COPYRIGHT_START.match(stripped) else MAX_LINE_WORDS
    if not stripped or len(stripped.split()) > limit:
        return None
    bare = stripped.strip("*_ ")
    if known_author and bare.casefold() == " ".join(known_author.split()).casefold():
        start = line.index(bare)
        return LineFields(author=Found(start, start + len(bare), bare))
    spans = _parts(line)
    parts = [_part(line, s, e, i == 0) for i, (s, e) in enumerate(spans)]
    if parts and parts[0] is not None and parts[0].kind == "site":
        return LineFields(site=parts[0].site)  # a copyright line: what follows is small print
    if not parts or any(p is None for p in parts):
        return None
    return _combine([p for p in parts if p is not None])


def _combine(parts: list[_Part]) -> LineFields | None:
    dates = [p for p in parts if p.published is not None]
    published = next((p for p in dates if not p.updated), dates[0] if dates else None)
    author = next((p.found for p in parts if p.kind == "author"), None)
    plain = [p for p in parts if p.kind == "plain"]
    site = next((p.site for p in parts if p.site is not None), None)
    if author is None and dates and plain and looks_like_name(plain[0].found.value):
        author, plain = plain[0].found, plain[1:]  # "Jane Doe · March 3, 2024"
    if plain and (site or author or dates or len(plain) > 1 or len(parts) == 1):
        return None  # an unrecognised part beside the fields: prose, not a byline
    if plain:  # "HealthHarbor · Privacy · Contact": a name among navigation links
        if not looks_like_site(plain[0].found.value):
            return None
        site = plain[0].found
    if author is None and published is None and site is None:
        return LineFields() if any(p.kind == "credit" for p in parts) else None
    return LineFields(
        author=author,
        published=published.published if published else None,
        updated=bool(published and published.updated),
        site=site,
    )


def byline(line: str, known_author: str | None = None) -> LineFields | None:
    """A line naming the author: "By Jane Doe" (maybe with a date), or the known author's name."""
    fields = line_fields(line, known_author)
    return fields if fields is not None and fields.author is not None else None


def date_line(line: str) -> LineFields | None:
    """A line that dates the article without naming its author ("Published: 2024-03-01")."""
    fields = line_fields(line)
    if fields is None or fields.author is not None or fields.published is None:
        return None
    return fields
