"""The block model every reader returns: what each span of a document's citable text is.

A reader says where the headings, paragraphs, list items, code, tables, quotations and captions
of its format are; everything after it reads those blocks and never guesses from line breaks.
Sentences are cut only inside prose blocks (ingest/blocks/sentences.py); code and tables are
cited whole. Sections are the runs of blocks under each heading (ingest/blocks/sections.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

HEADING = "heading"
PARAGRAPH = "paragraph"
LIST_ITEM = "list_item"
CODE = "code"
TABLE = "table"
QUOTE = "quote"  # a quotation, or an admonition ("Note", "Warning") kept as a paragraph
CAPTION = "caption"
KINDS = frozenset({HEADING, PARAGRAPH, LIST_ITEM, CODE, TABLE, QUOTE, CAPTION})
PROSE = frozenset({PARAGRAPH, LIST_ITEM, QUOTE, CAPTION})  # cut into sentences
WHOLE = frozenset({CODE, TABLE})  # cited whole, never cut

# The one definition of a list-item marker at the start of a line: a bullet sign, or a number,
# a lower-case letter or a small roman numeral followed by "." or ")". What follows the marker
# is the item's text.
BULLET = re.compile(
    r"[ \t]*(?:[•·▪◦‣●○■□►▸∙*+–—-]|\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)])[ \t]+(?=\S)"
)


@dataclass(frozen=True)
class Block:
    """One block of a document: `text[start:end]` is all of it (a heading's words without its
    `#` or underline, a list item's text without its marker). `level` is a heading's level or
    a list item's nesting depth (0 at the top); `rows` holds a table's cell spans, row by row.
    """

    kind: str
    start: int
    end: int
    level: int = 0
    rows: tuple[tuple[tuple[int, int], ...], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")
        if not 0 <= self.start < self.end:
            raise ValueError(f"a {self.kind} block must span text, got {self.start}:{self.end}")

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"kind": self.kind, "start": self.start, "end": self.end}
        if self.level:
            record["level"] = self.level
        if self.rows:
            record["rows"] = [[list(cell) for cell in row] for row in self.rows]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Block:
        rows = tuple(tuple((int(a), int(b)) for a, b in row) for row in record.get("rows", ()))
        return cls(record["kind"], record["start"], record["end"], record.get("level", 0), rows)


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """`start:end` without surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def block(text: str, kind: str, start: int, end: int, level: int = 0) -> Block | None:
    """A block of `text[start:end]` with surrounding whitespace trimmed, or None when empty."""
    start, end = trimmed(text, start, end)
    return Block(kind, start, end, level) if end > start else None
