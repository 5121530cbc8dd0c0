"""Writing a citable text block by block, for formats whose text the reader composes (HTML,
PDF, Word): each block on its own lines, prose on one line, code as written, a table a row per
line; where every block landed is recorded as it is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.blocks.block import CODE, HEADING, LIST_ITEM, PARAGRAPH, TABLE, Block


def words(text: str | None) -> str:
    """Whitespace collapsed: how prose is written into a composed text."""
    return " ".join((text or "").split())


def code_lines(text: str) -> str:
    """Code as written: trailing spaces and blank first and last lines removed, tabs kept."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


@dataclass
class TextBuilder:
    """Appends blocks to a text and remembers each one's span (a local accumulator)."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    blocks: list[Block] = field(default_factory=list)
    _last_kind: str | None = None

    def _separate(self, kind: str | None) -> None:
        if not self.length:
            return
        both_items = kind == LIST_ITEM and self._last_kind == LIST_ITEM
        self._write("\n" if both_items or (kind is None and self._last_kind is None) else "\n\n")

    def _write(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def line(self, text: str) -> tuple[int, int]:
        """A line that is no block (a byline, a date): its span, for a field that cites it."""
        text = words(text)
        self._separate(None)
        self._last_kind = None
        return self._write(text)

    def add(self, kind: str, text: str, level: int = 0, marker: str = "") -> Block | None:
        """A block of prose (a paragraph, heading, quotation, caption or list item), on one line;
        a list item's marker ("• ", "2. ") is written before it, outside the block."""
        text = words(text)
        if not text:
            return None
        self._separate(kind)
        if kind == LIST_ITEM:
            self._write("  " * level + (marker or "• "))
        start, end = self._write(text)
        return self._record(Block(kind, start, end, level))

    def heading(self, text: str, level: int) -> Block | None:
        return self.add(HEADING, text, level)

    def paragraph(self, text: str) -> Block | None:
        return self.add(PARAGRAPH, text)

    def code(self, text: str) -> Block | None:
        text = code_lines(text)
        if not text.strip():
            return None
        self._separate(CODE)
        start, end = self._write(text)
        return self._record(Block(CODE, start, end))

    def table(self, rows: Sequence[Sequence[str]]) -> Block | None:
        """A table, one row per line with cells joined by " | " (empty rows left out)."""
        rows = [[words(cell) for cell in row] for row in rows]
        rows = [row for row in rows if any(row)]
        if not rows:
            return None
        self._separate(TABLE)
        spans, first = [], self.length
        for number, row in enumerate(rows):
            if number:
                self._write("\n")
            cells = []
            for position, cell in enumerate(row):
                if position:
                    self._write(" | ")
                start, end = self._write(cell)
                if end > start:
                    cells.append((start, end))
            spans.append(tuple(cells))
        return self._record(Block(TABLE, first, self.length, rows=tuple(spans)))

    def extend(self, other: TextBuilder) -> None:
        """Append what another builder wrote, its blocks moved to where they now stand."""
        if not other.length:
            return
        self._separate(other.blocks[0].kind if other.blocks else None)
        shift = self.length
        self._write("".join(other.parts))
        self.blocks += [
            Block(
                b.kind,
                b.start + shift,
                b.end + shift,
                b.level,
                tuple(tuple((a + shift, z + shift) for a, z in row) for row in b.rows),
            )
            for b in other.blocks
        ]
        self._last_kind = other._last_kind

    def _record(self, made: Block) -> Block:
        self.blocks.append(made)
        self._last_kind = made.kind
        return made

    def text(self) -> str:
        return "".join(self.parts) + "\n"


__all__ = ["PARAGRAPH", "TextBuilder", "code_lines", "words"]
