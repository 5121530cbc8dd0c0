"""Sentences, the unit an answer quotes: cut inside prose blocks, with exact character offsets.

A prose block (paragraph, list item, quotation, caption) is read as one line whatever its
wrapping (ingest/blocks/plain.py), cut where a sentence ends, and each piece is cited by its
exact span in the file. Code and tables are never cut: each is one unit, cited whole.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ingest.blocks.block import CODE, LIST_ITEM, PARAGRAPH, PROSE, TABLE, Block
from ingest.blocks.plain import Spans, collapse, plain_text, plain_view

# End of a sentence: terminal punctuation, closing quotes/brackets, then space and a capital,
# digit or opening quote. Lower-case continuations ("?" rather than) stay in one sentence.
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
# The one list of abbreviations whose full stop ends no sentence (ingest/fields/bylines.py
# reads it too).
ABBREVIATIONS = frozenset(
    (
        "e.g i.e etc vs dr mr mrs ms mx prof st no fig al approx dept sr jr cf viz resp rev hon "
        "mt vol jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k inc ltd co corp"
    ).split()
)


@dataclass(frozen=True)
class Sentence:
    """One sentence, list item, code block or table: `text == original[start:end]`, and
    `plain` is how it reads (wrapping collapsed, markup dropped)."""

    start: int
    end: int
    text: str
    plain: str
    kind: str = PARAGRAPH  # the kind of block it comes from

    @property
    def bullet(self) -> bool:
        return self.kind == LIST_ITEM

    @property
    def is_question(self) -> bool:
        """Questions restate what readers ask; they are never an answer (a quoted one can be)."""
        return is_question(self.plain)

    @property
    def is_lead_in(self) -> bool:
        """A sentence ending in a colon introduces a list or code; alone it answers nothing."""
        return is_lead_in(self.plain)


_ENDED = re.compile(r"[.!?…:;][\"”’')\]]*\s*$")


def ends_sentence(text: str) -> bool:
    """Whether text ends as a sentence does (a full stop, question or exclamation mark, colon
    or semicolon, then perhaps a closing quote or bracket)."""
    return bool(_ENDED.search(text))


def is_question(text: str) -> bool:
    """Whether a sentence asks (ends with a question mark)."""
    return text.rstrip().endswith("?")


def is_lead_in(text: str) -> bool:
    """Whether a sentence only introduces what follows it (ends with a colon)."""
    return text.rstrip().endswith(":")


def _ends_with_abbreviation(text: str) -> bool:
    last = text.rstrip().rsplit(None, 1)[-1].lower().rstrip(".") if text.strip() else ""
    return last in ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _inside_quotation(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def sentence_spans(plain: str) -> Iterator[tuple[int, int]]:
    """Where the sentences of one line of prose start and end (whitespace trimmed)."""
    cursor = 0
    for match in _BOUNDARY.finditer(plain):
        stop = match.end() - (len(match.group()) - len(match.group().rstrip()))
        if _ends_with_abbreviation(plain[cursor:stop]) or _inside_quotation(plain[cursor:stop]):
            continue
        yield from _trim(plain, cursor, stop)
        cursor = match.end()
    yield from _trim(plain, cursor, len(plain))


def _trim(plain: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and plain[start].isspace():
        start += 1
    while end > start and plain[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def table_text(text: str, table: Block, markup: Spans = ()) -> str:
    """A table as read: one line per row, cells joined by " | "."""
    if not table.rows:
        return plain_text(text, table.start, table.end, markup)
    return "\n".join(
        " | ".join(plain_text(text, a, b, markup) for a, b in row) for row in table.rows
    )


def code_text(text: str, code: Block) -> str:
    """Code as written, its indentation within the block kept (the indentation every line
    shares, trailing spaces and blank edges go: an indented code block reads as a fenced one)."""
    lines = [line.rstrip() for line in text[code.start : code.end].splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return textwrap.dedent("\n".join(lines))


def block_units(text: str, unit: Block, markup: Spans = ()) -> list[Sentence]:
    """The quotable units of one block: its sentences, or the whole code block or table."""
    if unit.kind == CODE:
        return [
            Sentence(unit.start, unit.end, text[unit.start : unit.end], code_text(text, unit), CODE)
        ]
    if unit.kind == TABLE:
        return [
            Sentence(
                unit.start,
                unit.end,
                text[unit.start : unit.end],
                table_text(text, unit, markup),
                TABLE,
            )
        ]
    if unit.kind not in PROSE:
        return []
    view = plain_view(text, unit.start, unit.end, markup)
    units = []
    for start, end in sentence_spans(view.plain):
        raw_start, raw_end = view.span(start, end)
        units.append(
            Sentence(raw_start, raw_end, text[raw_start:raw_end], view.plain[start:end], unit.kind)
        )
    return units


def document_units(text: str, blocks: Sequence[Block], markup: Spans = ()) -> list[Sentence]:
    """Every quotable unit of a document's blocks, in reading order (headings give none)."""
    return [
        s for unit in sorted(blocks, key=lambda b: b.start) for s in block_units(text, unit, markup)
    ]


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of free text (a question, a message), read as one paragraph."""
    if not text.strip():
        return []
    return block_units(text, Block(PARAGRAPH, 0, len(text)))


__all__ = ["ABBREVIATIONS", "Sentence", "collapse", "document_units", "split_sentences"]
