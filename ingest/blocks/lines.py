"""Blocks of a text whose only structure is its lines: plain text files and text exports.

Files come hard-wrapped (72-80 columns is the norm) or with one paragraph per line, and the
same reading must serve both. A line break is a wrap when the next line's first word would not
have fitted on the line (the rule every greedy wrapper follows); a blank line, a list marker, a
heading or a deliberate break ends a block. A run of lines that do not wrap, set apart by its
indentation, is code; lines split into aligned cells by `|` are a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ingest.blocks.block import BULLET, CODE, HEADING, LIST_ITEM, PARAGRAPH, QUOTE, TABLE, Block

MAX_WRAP_WIDTH = 160  # wider than this, lines are paragraphs, not wrapped text
MIN_WRAP_WIDTH = 40  # narrower, they are short lines (notes, lists), not wrapped text
MIN_WRAP_LINES = 3
CODE_INDENT = 4  # code is set this much deeper (or shallower) than the prose around it
_UNDERLINE = re.compile(r"^\s*([=\-~^*#+_])\1{2,}\s*$")
_TABLE_RULE = re.compile(r"^\s*[|+]?[-=:+| ]{3,}[|+]?\s*$")
_CELL_SPLIT = re.compile(r"\s*\|\s*")
_TERMINAL = ".!?:;"
_CODE_SIGN = re.compile(r"[{};=<>$#\\]|^\s*(?:>>>|\$ |# |//|def |import |class |return )")

Spans = Sequence[tuple[int, int]]
IsHeading = Callable[[str], bool]


@dataclass(frozen=True)
class _Line:
    index: int
    start: int  # first character after the indentation
    end: int  # last character before trailing whitespace and the line break
    indent: int

    def width(self) -> int:
        return self.indent + self.end - self.start


def _line(text: str, index: int, span: tuple[int, int]) -> _Line:
    start, end = span
    body = text[start:end]
    stripped = body.lstrip()
    indent = len(body) - len(stripped)
    return _Line(index, start + indent, start + len(body.rstrip()), indent)


def _groups(lines: Sequence[_Line]) -> list[list[_Line]]:
    """Runs of consecutive lines (a blank or left-out line between two ends a run)."""
    groups: list[list[_Line]] = []
    for line in lines:
        if groups and line.index == groups[-1][-1].index + 1:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def wrap_width(text: str, groups: Sequence[Sequence[_Line]]) -> int | None:
    """The column the text is wrapped at, or None when lines are paragraphs (not wrapped):
    lines that run on to the next mostly end near one column, and hardly any line is longer."""
    widths = sorted(line.width() for group in groups for line in group[:-1])
    if len(widths) < MIN_WRAP_LINES:
        return None
    width = widths[int(0.9 * (len(widths) - 1))]
    long_share = sum(w > 0.65 * width for w in widths) / len(widths)
    # Lines of prose (six words or more; code and table rows may run long in a wrapped text)
    # hardly ever run past the column.
    prose = [
        line.width()
        for group in groups
        for line in group
        if len(text[line.start : line.end].split()) >= 6
    ]
    beyond = sum(w > width + max(8, width // 8) for w in prose) / max(len(prose), 1)
    wrapped = MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH and long_share >= 0.4 and beyond <= 0.05
    return width if wrapped else None


def wrap_width_of(text: str, spans: Spans, indexes: Sequence[int]) -> int | None:
    """The wrap column of these lines (indexes into `spans`), or None when not wrapped."""
    lines = [_line(text, i, spans[i]) for i in indexes]
    return wrap_width(text, _groups([line for line in lines if line.end > line.start]))


def _first_word(text: str, line: _Line) -> int:
    word = text[line.start : line.end].split(None, 1)
    return len(word[0]) if word else 0


def _wraps(text: str, line: _Line, following: _Line, width: int | None) -> bool:
    """Whether the break after `line` only wraps: the next word would not have fitted."""
    if width is None:
        return False
    slack = max(4, width // 12)
    return line.width() + 1 + _first_word(text, following) > width - slack


def _ends_sentence(text: str, line: _Line) -> bool:
    return text[line.end - 1] in _TERMINAL if line.end > line.start else True


def _is_table(text: str, group: Sequence[_Line]) -> bool:
    rows = [ln for ln in group if not _TABLE_RULE.match(text[ln.start : ln.end])]
    return len(rows) >= 2 and all(text.count("|", ln.start, ln.end) >= 1 for ln in rows)


def _table(text: str, group: Sequence[_Line]) -> Block:
    rows = []
    for line in group:
        if _TABLE_RULE.match(text[line.start : line.end]):
            continue
        cells, cursor = [], line.start
        for bar in [m.start() for m in re.finditer(r"\|", text[line.start : line.end])] + [None]:
            stop = line.end if bar is None else line.start + bar
            a, b = _trim(text, cursor, stop)
            if b > a:
                cells.append((a, b))
            cursor = stop + 1
        if cells:
            rows.append(tuple(cells))
    return Block(TABLE, group[0].start, group[-1].end, rows=tuple(rows))


_GAP = re.compile(r" {2,}|\t+")


def _spaced_cells(text: str, line: _Line) -> list[tuple[int, int]]:
    """A line's cells where runs of two or more spaces (or tabs) part them."""
    cells, cursor = [], line.start
    for gap in _GAP.finditer(text, line.start, line.end):
        cells.append((cursor, gap.start()))
        cursor = gap.end()
    cells.append((cursor, line.end))
    return [(a, b) for a, b in cells if b > a]


def _aligned_table(text: str, group: Sequence[_Line], width: int | None) -> Block | None:
    """Lines set in columns by spaces (a text export's table): every line has two cells or
    more, no line wraps into the next, and the lines share a column that starts at the same
    place. None when the lines are not such a table."""
    if len(group) < 2 or any(_wraps(text, a, b, width) for a, b in pairwise(group)):
        return None
    rows = [_spaced_cells(text, line) for line in group]
    if any(len(cells) < 2 for cells in rows):
        return None
    starts = [
        {a - (line.start - line.indent) for a, _ in cells[1:]}
        for line, cells in zip(group, rows, strict=True)
    ]
    shared = set.intersection(*starts)
    if not shared:
        return None
    return Block(TABLE, group[0].start, group[-1].end, rows=tuple(tuple(c) for c in rows))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _looks_like_code(text: str, group: Sequence[_Line], base: int, width: int | None) -> bool:
    """Lines that do not wrap, set apart by indentation (deeper or shallower than the prose)
    or written in symbols rather than words."""
    if len(group) < 2 and not (group and group[0].indent >= base + CODE_INDENT):
        return False
    wraps = sum(_wraps(text, a, b, width) for a, b in pairwise(group))
    if len(group) > 1 and wraps > (len(group) - 1) / 2:
        return False
    offset = min(line.indent for line in group) - base
    signs = sum(bool(_CODE_SIGN.search(text[ln.start : ln.end])) for ln in group)
    return abs(offset) >= CODE_INDENT or (offset != 0 and signs >= len(group) / 2)


def _base_indent(text: str, groups: Sequence[Sequence[_Line]]) -> int:
    """The indentation of the text's prose: the commonest among lines ending a sentence."""
    counts: dict[int, int] = {}
    for group in groups:
        for line in group:
            if (
                not BULLET.match(text, line.start - line.indent, line.end)
                and len(text[line.start : line.end].split()) >= 6
            ):
                counts[line.indent] = counts.get(line.indent, 0) + 1
    return max(counts, key=lambda k: (counts[k], -k)) if counts else 0


_QUOTE_MARK = re.compile(r"[ \t]*(?:>[ \t]?)+")


@dataclass(frozen=True)
class LineLayout:
    """The blocks of a text's lines, the column it is wrapped at (None: not wrapped), and the
    quotation marks ("> ") that are cited but not read."""

    blocks: list[Block]
    width: int | None
    markup: list[tuple[int, int]]


def _quoted(text: str, group: Sequence[_Line]) -> tuple[Block, list[tuple[int, int]]] | None:
    """A run of lines that each open with ">" (e-mail style): a quotation, its marks markup."""
    marks = []
    for line in group:
        start = line.start - line.indent
        mark = _QUOTE_MARK.match(text, start, line.end)
        if not mark or ">" not in mark.group():
            return None
        marks.append((start, mark.end()))
    first = marks[0][1]
    return Block(QUOTE, first, group[-1].end), marks[1:]


def _joined_code(text: str, blocks: list[Block]) -> list[Block]:
    """Code blocks that only blank lines part are one block (a listing with a blank line)."""
    joined: list[Block] = []
    for item in blocks:
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.kind == item.kind == CODE
            and not text[last.end : item.start].strip()
        ):
            joined[-1] = Block(CODE, last.start, item.end)
        else:
            joined.append(item)
    return joined


def line_blocks(
    text: str, spans: Spans, body: Sequence[int], is_heading: IsHeading, last: int | None = None
) -> LineLayout:
    """The blocks of the body lines (indexes into `spans`), the wrap width and quote marks.

    `is_heading` says whether a line on its own could be a heading (short, unpunctuated); the
    text's last line (`last`, the last body line by default) is never one."""
    lines = [_line(text, i, spans[i]) for i in body]
    lines = [line for line in lines if line.end > line.start]
    groups = _groups(lines)
    width = wrap_width(text, groups)
    base = _base_indent(text, groups)
    blocks: list[Block] = []
    markup: list[tuple[int, int]] = []
    last = last if last is not None else (lines[-1].index if lines else 0)
    for group in groups:
        quoted = _quoted(text, group)
        if quoted is not None:
            blocks.append(quoted[0])
            markup += quoted[1]
            continue
        if width is None:
            blocks += _unwrapped(text, group, base, is_heading, last)
        else:
            alone = len(group) == 1 and group[0].index < last
            blocks += _wrapped(text, group, width, base, is_heading, alone)
    return LineLayout(_joined_code(text, blocks), width, markup)


def _underlined(text: str, group: Sequence[_Line]) -> bool:
    return len(group) == 2 and bool(_UNDERLINE.match(text[group[1].start : group[1].end]))


def _wrapped(
    text: str,
    group: list[_Line],
    width: int,
    base: int,
    is_heading: IsHeading,
    alone: bool,
) -> list[Block]:
    first = text[group[0].start : group[0].end]
    if _underlined(text, group) or (alone and group[0].indent <= base and is_heading(first)):
        return [Block(HEADING, group[0].start, group[0].end)]
    if alone and BULLET.match(first) and group[0].indent < base:  # "5. Stanzas", outdented
        marker = BULLET.match(first)
        if marker and is_heading(first[marker.end() :]):
            return [Block(HEADING, group[0].start, group[0].end)]
    if _is_table(text, group):
        return [_table(text, group)]
    aligned = _aligned_table(text, group, width)
    if aligned is not None:
        return [aligned]
    if _looks_like_code(text, group, base, width):
        return [Block(CODE, group[0].start - group[0].indent, group[-1].end)]
    return _prose(text, group, width)


def _prose(text: str, group: Sequence[_Line], width: int | None) -> list[Block]:
    """Paragraphs and list items of a run of lines: a marker starts an item; a break that is no
    wrap starts a new paragraph after a finished sentence or a short line ("Last reviewed: 2
    May"), while a line that stops a little early mid-sentence is taken for sloppy wrapping."""
    blocks: list[Block] = []
    current: list[_Line] = []
    kind, level, item_column = PARAGRAPH, 0, 0

    def close() -> None:
        if current:
            blocks.append(Block(kind, current[0].start, current[-1].end, level))
            current.clear()

    for position, line in enumerate(group):
        marker = BULLET.match(text, line.start - line.indent, line.end)
        previous = group[position - 1] if position else None
        # "... and the maximum is" / "100. Lower values ...": a wrap, not a numbered item
        if (
            marker
            and previous is not None
            and current
            and kind == PARAGRAPH
            and _wraps(text, previous, line, width)
            and not _ends_sentence(text, previous)
        ):
            marker = None
        if marker:
            close()
            kind, level = LIST_ITEM, line.indent // 2
            item_column = marker.end() - (line.start - line.indent)
            current.append(_Line(line.index, marker.end(), line.end, item_column))
            continue
        if previous is not None and current:
            continues = _wraps(text, previous, line, width)
            if kind == LIST_ITEM and line.indent >= item_column - 1:
                continues = continues or not _ends_sentence(text, previous)
            elif kind == LIST_ITEM:
                continues = False
            short = width is None or previous.width() < 0.6 * width
            deliberate = _ends_sentence(text, previous) or short
            if not continues and (deliberate or kind == LIST_ITEM):
                close()
                kind, level = PARAGRAPH, 0
        elif not current:
            kind, level = PARAGRAPH, 0
        current.append(line)
    close()
    return blocks


def _prose_like(text: str, line: _Line) -> bool:
    words = text[line.start : line.end].split()
    return (
        len(words) >= 8
        and _ends_sentence(text, line)
        and not _CODE_SIGN.search(text, line.start, line.end)
    )


def _unwrapped(
    text: str, group: list[_Line], base: int, is_heading: IsHeading, last: int
) -> list[Block]:
    """Lines that are paragraphs: each line its own block (a short unpunctuated line with text
    after it a heading), except runs of indented code and tables."""
    blocks: list[Block] = []
    position = 0
    while position < len(group):
        line = group[position]
        if (
            line.indent >= base + CODE_INDENT
            and not BULLET.match(text, line.start - line.indent, line.end)
            and not _prose_like(text, line)
        ):
            stop = position
            while stop + 1 < len(group) and group[stop + 1].indent >= base + CODE_INDENT:
                stop += 1
            blocks.append(Block(CODE, line.start - line.indent, group[stop].end))
            position = stop + 1
            continue
        stop = position
        while stop + 1 < len(group) and "|" in text[group[stop + 1].start : group[stop + 1].end]:
            stop += 1
        if stop > position and _is_table(text, group[position : stop + 1]):
            blocks.append(_table(text, group[position : stop + 1]))
            position = stop + 1
            continue
        if line.index < last and is_heading(text[line.start : line.end]):
            blocks.append(Block(HEADING, line.start, line.end))
        else:
            blocks += _prose(text, [line], None)
        position += 1
    return blocks
