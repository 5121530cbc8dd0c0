"""Sentence segmentation with exact character offsets, the unit an answer quotes and cites."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_BULLET_PREFIX = re.compile(r"\s*(?:[•·▪◦*–-]|\d+[.)])\s+")
# End of a sentence: terminal punctuation, closing quotes/brackets, then space and a capital,
# digit or opening quote. Lower-case continuations ("?" rather than) stay in one sentence.
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    (
        "e.g i.e etc vs dr mr mrs ms prof st no fig al approx dept "
        "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k inc ltd co"
    ).split()
)


@dataclass(frozen=True)
class Sentence:
    """One sentence or list item: `text == original[start:end]`."""

    start: int
    end: int
    text: str
    bullet: bool = False

    @property
    def is_question(self) -> bool:
        """Questions restate what readers ask; they are never an answer (a quoted one can be)."""
        return self.text.rstrip().endswith("?")

    @property
    def is_lead_in(self) -> bool:
        """A line ending in a colon introduces a list; alone it answers nothing."""
        return self.text.rstrip().endswith(":")

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def _ends_with_abbreviation(text: str) -> bool:
    last = text.rstrip().rsplit(None, 1)[-1].lower().rstrip(".") if text.strip() else ""
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _inside_quotation(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def _split_line(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end() - (len(match.group()) - len(match.group().rstrip()))
        if _ends_with_abbreviation(text[cursor:stop]) or _inside_quotation(text[cursor:stop]):
            continue
        yield cursor, stop
        cursor = match.end()
    if cursor < end:
        yield cursor, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of `text[start:end]`; each line break also ends a sentence (bullets, headings)."""
    end = len(text) if end is None else end
    sentences: list[Sentence] = []
    line_start = start
    while line_start < end:
        newline = text.find("\n", line_start, end)
        line_end = end if newline == -1 else newline
        bullet = _BULLET_PREFIX.match(text, line_start, line_end)
        piece_start = bullet.end() if bullet else line_start
        for s, e in _split_line(text, piece_start, line_end):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                sentences.append(Sentence(s, e, text[s:e], bullet is not None))
        line_start = line_end + 1
    return sentences
