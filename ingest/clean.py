"""Cleaning scraped articles into sections without losing track of positions.

Nothing is rewritten: cleaning only decides which spans of the original text are body, which
are headings and which are boilerplate, so every later offset still points into the file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.documents import Document

MAX_HEADING_WORDS = 14
MAX_HEADING_CHARS = 120
MAX_BOILERPLATE_WORDS = 20  # navigation and title lines are short; prose never counts
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into is of on or not nor the to vs vs. via with when".split()
)
_BOILERPLATE = re.compile(
    r"^(sign ?up|subscribe|newsletter|archives?|menu|home|skip to|share( this)?|follow us|"
    r"cookies?|privacy policy|terms of|all rights reserved|copyright|©|advertisement|"
    r"read more|related posts?|tags?:|categories:|posted in|leave a (comment|reply))\b",
    re.IGNORECASE,
)
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    rf"^((published|updated|posted)( on)?:?\s*)?({_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|"
    rf"\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*([•·▪◦*–-]|\d+[.)])\s+")
# A heading glued to its section's first sentence: "...WithdrawalWhen men feel".
_GLUE = re.compile(r"(?<=[a-z?!)])(?=[A-Z])")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+")
_TRAILING_JUNK = " \t\r\n|"


@dataclass(frozen=True)
class Section:
    """A run of body text under one heading; `start:end` indexes the original file text."""

    heading: str
    start: int
    end: int
    heading_start: int | None = None
    heading_end: int | None = None


@dataclass(frozen=True)
class CleanDocument:
    """The outcome of cleaning: body sections, and the boilerplate spans that were dropped."""

    doc_id: str
    sections: tuple[Section, ...]
    dropped: tuple[tuple[int, int], ...]


def _lines(text: str) -> list[tuple[int, int]]:
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


def _is_boilerplate(line: str, doc: Document, repeated: set[str]) -> bool:
    key = line.strip().lower()
    if len(key.split()) > MAX_BOILERPLATE_WORDS:
        return False
    known = {v.strip().lower() for v in (doc.author, doc.site) if v}
    return bool(
        _BOILERPLATE.match(key)
        or _DATE_LINE.match(key)
        or key.endswith("|")
        or key in known
        or (key in repeated and not _BULLET.match(line))
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in _TRAILING_JUNK:
        end -= 1
    return start, end


def _split_glued(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Body pieces and glued headings of one line, as ("body"|"heading", start, end)."""
    pieces: list[tuple[str, int, int]] = []
    cursor = start
    for match in _GLUE.finditer(text, start, end):
        glue = match.start()
        heading_start = cursor
        for stop in _SENTENCE_END.finditer(text, cursor, glue):
            heading_start = stop.end()
        if not looks_like_heading(text[heading_start:glue], strict=True):
            continue
        if heading_start > cursor:
            pieces.append(("body", cursor, heading_start))
        pieces.append(("heading", heading_start, glue))
        cursor = glue
    pieces.append(("body", cursor, end))
    return pieces


def _next_text_line(text: str, spans: list[tuple[int, int]], index: int) -> str | None:
    for start, end in spans[index + 1 :]:
        if text[start:end].strip():
            return text[start:end]
    return None


def clean_document(doc: Document) -> CleanDocument:
    """Classify every line of the document, then group body spans under their headings."""
    text = doc.text
    spans = _lines(text)
    counts = Counter(text[s:e].strip().lower() for s, e in spans if text[s:e].strip())
    repeated = {line for line, n in counts.items() if n > 1}
    pieces: list[tuple[str, int, int]] = []
    dropped: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(spans):
        line = text[start:end]
        if not line.strip():
            continue
        if _is_boilerplate(line, doc, repeated):
            dropped.append((start, end))
            pieces.append(("break", start, end))
        elif looks_like_heading(line, strict=False) and _next_text_line(text, spans, index):
            pieces.append(("heading", start, end))
        else:
            pieces.extend(_split_glued(text, start, end))
    return CleanDocument(doc.doc_id, tuple(_group(text, pieces, doc.title)), tuple(dropped))


def _group(text: str, pieces: list[tuple[str, int, int]], title: str) -> list[Section]:
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

    for kind, start, end in pieces:
        if kind == "body":
            if open_start is None:
                open_start = start
            open_end = end
            continue
        close()
        if kind == "heading":
            start, end = _trim(text, start, end)
            heading, heading_span = text[start:end], (start, end)
    close()
    return sections
