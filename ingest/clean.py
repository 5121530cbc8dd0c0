"""Reading a plain text's lines into blocks without losing track of positions.

Nothing is rewritten: cleaning only decides which lines are the page's furniture (bylines and
dates, kept as citable field spans; navigation, boilerplate, running headers and page numbers of
text exports, dropped) and hands the rest to ingest/blocks/lines.py, which finds paragraphs,
list items, code, tables and headings, wrapped or not. In texts with one paragraph per line
(scraped articles), a heading glued to the next sentence ("...WithdrawalWhen men feel") is
split off. Every offset still points into the text as given.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.blocks.block import BULLET, HEADING, PARAGRAPH, Block
from ingest.blocks.lines import line_blocks, wrap_width_of
from ingest.fields.article_fields import Bylines, KnownNames, find_bylines, settle_bylines
from ingest.fields.bylines import MAX_LINE_WORDS, date_line

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
# A heading glued to its section's first sentence: "...WithdrawalWhen men feel".
_GLUE = re.compile(r"(?<=[a-z?!)])(?=[A-Z])")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+")
_TRAILING_JUNK = " \t\r\n|"


@dataclass(frozen=True)
class TextLayout:
    """The outcome of cleaning: the blocks, dropped furniture spans, byline field spans, and
    the column the text is wrapped at (None for one paragraph per line)."""

    blocks: tuple[Block, ...]
    dropped: tuple[tuple[int, int], ...]
    bylines: Bylines
    wrap_width: int | None = None
    markup: tuple[tuple[int, int], ...] = ()  # quotation marks ("> "), cited but not read


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
    if text[-1] in ".,;:|" or not (text[0].isupper() or text[0].isdigit()) or BULLET.match(text):
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
        or (key in repeated and not BULLET.match(line))
    )


_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$|^\[page \d+\]$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
PAGE_EDGE_LINES = 2  # running headers and footers sit in the first or last lines of a page


def is_page_number(line: str) -> bool:
    """A line that only numbers its page: "12", "Page 3 of 9", "- 4 -", "[Page 5]"."""
    return bool(_PAGE_NUMBER.match(line.strip()))


def page_furniture(
    text: str, lines: Sequence[tuple[int, int]], nonempty: Sequence[int]
) -> set[int]:
    """Running headers, footers and page numbers of a text export paged by form feeds: lines at
    the edge of a page that repeat on other pages' edges (digits aside), or only number it."""
    breaks = [m.start() for m in re.finditer("\f", text)]
    if not breaks:
        return set()
    pages: list[list[int]] = [[] for _ in range(len(breaks) + 1)]
    page = 0
    for index in nonempty:
        while page < len(breaks) and lines[index][0] >= breaks[page]:
            page += 1
        pages[page].append(index)
    edges = {i for members in pages for i in members[:PAGE_EDGE_LINES] + members[-PAGE_EDGE_LINES:]}

    def key(index: int) -> str:
        return _DIGITS.sub("#", " ".join(text[lines[index][0] : lines[index][1]].split()).lower())

    counts = Counter(key(i) for i in edges)
    return {i for i in edges if counts[key(i)] >= 2 or is_page_number(text[slice(*lines[i])])}


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in _TRAILING_JUNK:
        end -= 1
    return start, end


def _split_glued(text: str, paragraph: Block) -> list[Block]:
    """A one-line paragraph with headings glued into it, as heading and paragraph blocks."""
    start, end = paragraph.start, paragraph.end
    pieces: list[Block] = []
    cursor = start
    for match in _GLUE.finditer(text, start, end):
        glue = match.start()
        heading_start = cursor
        for stop in _SENTENCE_END.finditer(text, cursor, glue):
            heading_start = stop.end()
        if not looks_like_heading(text[heading_start:glue], strict=True):
            continue
        if heading_start > cursor:
            pieces.append(Block(PARAGRAPH, *_trim(text, cursor, heading_start)))
        pieces.append(Block(HEADING, *_trim(text, heading_start, glue)))
        cursor = glue
    pieces.append(Block(PARAGRAPH, *_trim(text, cursor, end)))
    return [p for p in pieces if p.end > p.start]


def clean_text(text: str, title: str, known: KnownNames | None = None) -> TextLayout:
    """Set the page's furniture aside, then read the remaining lines into blocks."""
    known = known or KnownNames()
    lines = line_spans(text)
    nonempty = [i for i, (s, e) in enumerate(lines) if text[s:e].strip()]
    furniture = page_furniture(text, lines, nonempty)
    body = [i for i in nonempty if i not in furniture]
    last = nonempty[-1] if nonempty else None
    if wrap_width_of(text, lines, body) is not None:
        return _wrapped(text, lines, body, furniture, known, last)
    return _one_paragraph_per_line(text, lines, body, furniture, known, last)


_NOT_WORDS = re.compile(r"[/\\=`{}<>]|\.\w{1,4}$")  # a path, an assignment, code


def _heading(line: str) -> bool:
    return looks_like_heading(line, strict=False)


def _set_apart_heading(line: str) -> bool:
    """A line on its own in wrapped text, short and unpunctuated, is a heading: it may open
    with a lower-case identifier ("if Expressions"), but a path or code is not one."""
    words = line.split()
    if _NOT_WORDS.search(line) or not words:
        return False
    if words[0][:1].islower() and len(words) <= 6:
        line = line[0].upper() + line[1:]
    return looks_like_heading(line, strict=False)


def _wrapped(
    text: str,
    lines: list[tuple[int, int]],
    body: list[int],
    furniture: set[int],
    known: KnownNames,
    last: int | None,
) -> TextLayout:
    """A hard-wrapped text: its blocks first, then bylines and mastheads among the blocks (a
    line of a paragraph is never one), and no line-by-line boilerplate rule ("Copyright ..."
    opens as many paragraphs of a licence as it ends web pages)."""
    layout = line_blocks(text, lines, body, _set_apart_heading, last=last)
    blocks, bylines = settle_bylines(text, layout.blocks, known, masthead=True)
    kept = set(blocks)
    dropped = [lines[i] for i in sorted(furniture)] + [
        (b.start, b.end) for b in layout.blocks if b not in kept and b.kind != HEADING
    ]
    markup = tuple(layout.markup)
    return TextLayout(blocks, tuple(sorted(dropped)), bylines, layout.width, markup)


def _one_paragraph_per_line(
    text: str,
    lines: list[tuple[int, int]],
    body: list[int],
    furniture: set[int],
    known: KnownNames,
    last: int | None,
) -> TextLayout:
    """A text with a paragraph per line (a saved web page): bylines, menus and boilerplate are
    whole lines, and a heading glued to the next sentence is split off."""
    bylines = find_bylines(text, lines, body, known)
    # A short line said twice is a scraped page's menu or repeated title.
    counts = Counter(text[lines[i][0] : lines[i][1]].strip().lower() for i in body)
    repeated = set() if furniture else {line for line, n in counts.items() if n > 1}
    kept: list[int] = []
    dropped: list[tuple[int, int]] = [lines[i] for i in sorted(furniture)]
    for index in body:
        start, end = lines[index]
        if index in bylines.lines:
            continue
        if index in bylines.navigation or _is_boilerplate(text[start:end], known, repeated):
            dropped.append((start, end))
            continue
        kept.append(index)
    layout = line_blocks(text, lines, kept, _heading, last=last)
    blocks = [
        piece
        for b in layout.blocks
        for piece in (_split_glued(text, b) if b.kind == PARAGRAPH else [b])
    ]
    markup = tuple(layout.markup)
    return TextLayout(tuple(blocks), tuple(sorted(dropped)), bylines, layout.width, markup)
