"""A PDF page as lines of positioned text, and the lines every page repeats set aside.

pdfminer.six lays each page out: characters with their boxes and fonts, grouped into lines.
Here pieces at one height are one line (a table's cells, set in separate boxes, become one row),
read top to bottom; a page set in two columns is read column by column, in pdfminer's order.
The running header and footer are the lines at a page's top or bottom edge that recur on other
pages (digits aside, since they carry page and chapter numbers) or only number the page.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_DIGITS = re.compile(r"\d+|\b[ivxlc]+\b")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$",
    re.IGNORECASE,
)
_CONTENTS_LINE = re.compile(r"(?:\.\s?){4,}\s*(?:\d+|[ivxlc]+)$", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"^\d{1,3}$")
_MONO = re.compile(
    r"mono|courier|consol|code|cmtt|typewriter|fixed|menlo|inconsolata|sfmono|tt\d", re.I
)
_BOLD = re.compile(r"bold|black|heavy|semibold|cmbx|-b\b|\+b\b|,b\b", re.IGNORECASE)
EDGE_LINES = 2
MAX_RUNNING_WORDS = 8  # a running header names a chapter or a title, never a sentence
CELL_GAP = 1.2  # a gap wider than this many font sizes separates two cells of a row


@dataclass
class Piece:
    """Characters that read as one run: one cell of a table row, or a whole line of prose."""

    x0: float
    x1: float
    text: str
    sizes: Counter = field(default_factory=Counter)
    fonts: Counter = field(default_factory=Counter)
    cell_gap: float = 0.0  # a gap wider than this, after it, starts another cell


@dataclass
class Line:
    """One line of a page: its pieces left to right."""

    page: int
    y: float
    pieces: list[Piece] = field(default_factory=list)

    @property
    def x(self) -> float:
        return self.pieces[0].x0

    @property
    def end(self) -> float:
        return self.pieces[-1].x1

    @property
    def size(self) -> float:
        sizes = sum((p.sizes for p in self.pieces), Counter())
        return sizes.most_common(1)[0][0] if sizes else 0.0

    def _share(self, pattern: re.Pattern[str]) -> float:
        fonts = sum((p.fonts for p in self.pieces), Counter())
        total = sum(fonts.values()) or 1
        return sum(n for name, n in fonts.items() if pattern.search(name)) / total

    @property
    def mono(self) -> bool:
        return self._share(_MONO) > 0.8

    @property
    def bold(self) -> bool:
        return self._share(_BOLD) > 0.8

    @property
    def text(self) -> str:
        return " ".join(" ".join(p.text.split()) for p in self.pieces if p.text.strip())

    @property
    def indent(self) -> int:
        """Spaces written before the line's first character (code set with space glyphs)."""
        first = self.pieces[0].text
        return len(first) - len(first.lstrip(" "))

    def cells(self) -> list[tuple[float, str]]:
        return [(p.x0, " ".join(p.text.split())) for p in self.pieces if p.text.strip()]


def clean_text(text: str) -> str:
    """Ligatures and compatibility forms resolved ("ﬁ" -> "fi"), control characters gone."""
    return _CONTROL.sub("", unicodedata.normalize("NFKC", text)).replace("\n", " ")


def _cell_gap(chars: Sequence, size: float) -> float:
    """How wide a gap between two words must be to part two cells: wider than a font size and
    a good deal wider than the line's own word spacing (a justified line stretches its spaces,
    a table row does not). The spacing is measured between visible characters, spaces or not,
    and counted at most 0.6 of the size: a row of one-word cells has no other gap to go by."""
    visible = [c for c in chars if c.get_text().strip()]
    gaps = sorted(b.x0 - a.x1 for a, b in pairwise(visible) if b.x0 - a.x1 > 0.15 * size)
    spacing = min(gaps[len(gaps) // 2], 0.6 * size) if gaps else 0.3 * size
    return max(CELL_GAP * size, 2.5 * spacing)


def _pieces(line: Iterable) -> list[Piece]:
    """A pdfminer text line split where a wide gap separates its characters."""
    from pdfminer.layout import LTChar

    items = list(line)
    chars = [c for c in items if isinstance(c, LTChar)]
    if not chars:
        return []
    size = Counter(round(c.size, 1) for c in chars).most_common(1)[0][0]
    threshold = _cell_gap(chars, size)
    pieces: list[Piece] = []
    previous_x1 = None  # the right edge of the last visible character
    for item in items:
        if not isinstance(item, LTChar):
            if pieces and item.get_text() == " ":
                pieces[-1].text += " "
            continue
        size = round(item.size, 1)
        if not item.get_text().strip():
            if pieces:
                pieces[-1].text += " "
            continue
        wide = previous_x1 is not None and item.x0 - previous_x1 > threshold
        if not pieces or wide:
            pieces.append(Piece(item.x0, item.x1, "", cell_gap=threshold))
        piece = pieces[-1]
        piece.text += clean_text(item.get_text())
        piece.x1 = item.x1
        piece.sizes[size] += 1
        piece.fonts[item.fontname] += 1
        previous_x1 = item.x1
    return [p for p in pieces if p.text.strip()]


def page_lines(layout: object, number: int) -> list[Line]:
    """The page's lines in reading order."""
    from pdfminer.layout import LTTextContainer, LTTextLine

    found: list[tuple[int, float, list[Piece]]] = []
    width = float(getattr(layout, "width", 0) or 0)
    for order, box in enumerate(b for b in layout if isinstance(b, LTTextContainer)):  # type: ignore[attr-defined]
        for text_line in box:
            if isinstance(text_line, LTTextLine):
                pieces = _pieces(text_line)
                if pieces:
                    found.append((order, text_line.y0, pieces))
    columns = _two_columns(found, width)
    # Two columns: pdfminer's box order reads a column before the next; else top to bottom.
    ordered = found if columns else sorted(found, key=lambda f: (-round(f[1], 0), f[2][0].x0))
    lines: list[Line] = []
    for _, y, pieces in ordered:
        size = max(pieces[0].sizes, default=10.0)
        current = lines[-1] if lines else None
        if current is not None and abs(current.y - y) <= 0.5 * size and not columns:
            current.pieces = _joined(sorted(current.pieces + pieces, key=lambda p: p.x0))
        else:
            lines.append(Line(number, y, list(pieces)))
    return [line for line in lines if line.text]


def _joined(pieces: list[Piece]) -> list[Piece]:
    """Pieces of one height, those that a word space (not a cell gap) separates made one:
    pdfminer may set a justified line's last words apart as a line of their own."""
    joined = [pieces[0]]
    for piece in pieces[1:]:
        last = joined[-1]
        if piece.x0 - last.x1 <= min(last.cell_gap, piece.cell_gap):
            last.text = f"{last.text.rstrip()} {piece.text.lstrip()}"
            last.x1 = piece.x1
            last.sizes += piece.sizes
            last.fonts += piece.fonts
        else:
            joined.append(piece)
    return joined


def _two_columns(found: Sequence[tuple[int, float, list[Piece]]], width: float) -> bool:
    """Whether long lines start right of the middle: a page set in two columns."""
    if not width or len(found) < 8:
        return False
    long_lines = [f for f in found if f[2][-1].x1 - f[2][0].x0 > 0.3 * width]
    right = [f for f in long_lines if f[2][0].x0 > 0.45 * width]
    return len(right) >= 0.25 * max(len(long_lines), 1) and len(right) >= 4


def _key(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.lower().split()))


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def _place(line: Line) -> tuple[int, float]:
    return round(line.y), line.size


def running_lines(pages: Sequence[Sequence[Line]]) -> set[int]:
    """ids of the lines that are running headers, footers or page numbers, and lines of a table
    of contents ("Introduction . . . . 3") or a lone footnote mark.

    A line at a page's edge is a running header or footer when another page's edge repeats it
    (digits aside), or when it is short and stands exactly where other pages' running lines
    stand ("Chapter 5: Options 31", a chapter's name). On the first page only a line set
    exactly like the running lines elsewhere goes: a title page's title repeats the running
    header in a larger type, and stays."""
    marks = {
        id(line)
        for lines in pages
        for line in lines
        if _CONTENTS_LINE.search(line.text) or _FOOTNOTE_MARK.match(line.text)
    }
    edges: list[tuple[int, Line]] = []
    apart: set[int] = set()  # a page's top or bottom line, set apart from the body by a gap
    for number, lines in enumerate(pages):
        by_height = sorted(lines, key=lambda ln: -ln.y)
        chosen = {id(ln): ln for ln in by_height[:EDGE_LINES] + by_height[-EDGE_LINES:]}
        edges += [(number, line) for line in chosen.values()]
        if len(by_height) >= 2:
            top, below = by_height[0], by_height[1]
            bottom, above = by_height[-1], by_height[-2]
            apart |= {id(top)} if top.y - below.y > 2 * max(top.size, 1.0) else set()
            apart |= {id(bottom)} if above.y - bottom.y > 2 * max(bottom.size, 1.0) else set()
    counts = Counter(_key(line.text) for _, line in edges)
    repeated = len(pages) >= 2
    running = [
        (n, line)
        for n, line in edges
        if is_page_number(line.text) or (repeated and counts[_key(line.text)] >= 2)
    ]
    places = Counter(_place(line) for n, line in running if n > 0)
    furniture = {id(line) for n, line in running if n > 0 or places[_place(line)] >= 1}
    heights = Counter(
        round(line.y) for n, line in running if n > 0 and not is_page_number(line.text)
    )
    for n, line in edges:  # at the usual height, saying something new ("Chapter 5: ...")
        usual = heights[round(line.y)] >= 3 and id(line) in apart
        if n > 0 and usual and len(line.text.split()) <= MAX_RUNNING_WORDS:
            furniture.add(id(line))
    return furniture | marks
