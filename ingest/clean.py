"""Cleaning scraped articles into sections without losing track of positions.

Nothing is rewritten: cleaning only decides which spans of the text are body, which are
headings, which are bylines and dates (kept as citable field spans, never as body) and which
are boilerplate, so every later offset still points into the text as given.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.article_fields import Bylines, KnownNames, find_bylines
from ingest.bylines import MAX_LINE_WORDS, date_line
from ingest.documents import Section

MAX_HEADING_WORDS = 14
MAX_HEADING_CHARS = 120
MAX_BOILERPLATE_WORDS = MAX_LINE_WORDS  # navigation and title lines are short; prose never is
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into is of on or not nor the to vs vs. via with when".split()
)
_BOILERPLATE = re.compile(
    r"^(sign ?up|subscribe|newsletter|archives?|menu|home|skip to|share( this)?|follow us|"
    r"cookies?|privacy policy|terms of|all rights reserved|copyright|©|advertisement|"
    r"read more|related posts?|tags?:|categories:|posted in|leave a (comment|reply))\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*([•·▪◦*–-]|\d+[.)])\s+")
# A heading glued to its section's first sentence: "...WithdrawalWhen men feel".
_GLUE = re.compile(r"(?<=[a-z?!)])(?=[A-Z])")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+")
_TRAILING_JUNK = " \t\r\n|"


@dataclass(frozen=True)
class Piece:
    """One classified span: "body", "heading" or "break" (anything that interrupts the body)."""

    kind: str
    start: int
    end: int
    label: str | None = None  # a heading's text when it differs from text[start:end] (Markdown)


@dataclass(frozen=True)
class TextLayout:
    """The outcome of cleaning: body sections, dropped boilerplate spans, byline field spans."""

    sections: tuple[Section, ...]
    dropped: tuple[tuple[int, int], ...]
    bylines: Bylines


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        spans.append((pos, pos + len(body)))
        pos += len(line)
    return spans


def looks_like_heading(text: str, *, strict: bool) -> bool:
    """Short, unpunctuated at the end, and (when `strict`) in Title Case."""
    text = text.strip()
    words = text.split()
    if not words or len(words) > MAX_HEADING_WORDS or len(text) > MAX_HEADING_CHARS:
        return False
    if text[-1] in ".,;:|" or not (text[0].isupper() or text[0].isdigit()) or _BULLET.match(text):
        return False
    if not strict:
        return True
    titled = sum(1 for w in words if w[0].isupper() or w[0].isdigit() or w.lower() in _SMALL_WORDS)
    return titled == len(words) and len(words[-1].strip("?!)")) >= 3


def _is_boilerplate(line: str, known: KnownNames, repeated: set[str]) -> bool:
    key = line.strip().lower()
    if len(key.split()) > MAX_BOILERPLATE_WORDS:
        return False
    names = {v.strip().lower() for v in (known.author, known.site) if v}
    return bool(
        _BOILERPLATE.match(key)
        or date_line(key) is not None
        or key.endswith("|")
        or key in names
        or (key in repeated and not _BULLET.match(line))
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in _TRAILING_JUNK:
        end -= 1
    return start, end


def _split_glued(text: str, start: int, end: int) -> list[Piece]:
    """Body pieces and glued headings of one line."""
    pieces: list[Piece] = []
    cursor = start
    for match in _GLUE.finditer(text, start, end):
        glue = match.start()
        heading_start = cursor
        for stop in _SENTENCE_END.finditer(text, cursor, glue):
            heading_start = stop.end()
        if not looks_like_heading(text[heading_start:glue], strict=True):
            continue
        if heading_start > cursor:
            pieces.append(Piece("body", cursor, heading_start))
        pieces.append(Piece("heading", heading_start, glue))
        cursor = glue
    pieces.append(Piece("body", cursor, end))
    return pieces


def clean_text(text: str, title: str, known: KnownNames | None = None) -> TextLayout:
    """Classify every line of a plain-text article, then group body spans under headings."""
    known = known or KnownNames()
    lines = line_spans(text)
    nonempty = [i for i, (s, e) in enumerate(lines) if text[s:e].strip()]
    bylines = find_bylines(text, lines, nonempty, known)
    counts = Counter(text[lines[i][0] : lines[i][1]].strip().lower() for i in nonempty)
    repeated = {line for line, n in counts.items() if n > 1}
    pieces: list[Piece] = []
    dropped: list[tuple[int, int]] = []
    for position, index in enumerate(nonempty):
        start, end = lines[index]
        line = text[start:end]
        following = nonempty[position + 1] if position + 1 < len(nonempty) else None
        if index in bylines.lines:
            pieces.append(Piece("break", start, end))
        elif index in bylines.navigation or _is_boilerplate(line, known, repeated):
            dropped.append((start, end))
            pieces.append(Piece("break", start, end))
        elif looks_like_heading(line, strict=False) and following is not None:
            pieces.append(Piece("heading", start, end))
        else:
            pieces.extend(_split_glued(text, start, end))
    return TextLayout(group_sections(text, pieces, title), tuple(dropped), bylines)


def group_sections(text: str, pieces: Sequence[Piece], title: str) -> tuple[Section, ...]:
    """Runs of body pieces under the heading before them (the title before the first heading)."""
    sections: list[Section] = []
    heading, heading_span = title, (None, None)
    open_start: int | None = None
    open_end = 0

    def close() -> None:
        nonlocal open_start
        if open_start is not None:
            start, end = _trim(text, open_start, open_end)
            if end > start:
                sections.append(Section(heading, start, end, *heading_span))
        open_start = None

    for piece in pieces:
        if piece.kind == "body":
            if open_start is None:
                open_start = piece.start
            open_end = piece.end
            continue
        close()
        if piece.kind == "heading":
            start, end = _trim(text, piece.start, piece.end)
            heading, heading_span = piece.label or text[start:end], (start, end)
    close()
    return tuple(sections)
