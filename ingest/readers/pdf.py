"""PDF: the pages' text read into blocks from where each line sits, and composed into the
citable text; `pages` records where each page starts in it.

Lines come from pdfminer.six's layout analysis with their position, size and font
(pdf_lines.py; chosen over pypdf's text because it knows where each line ends, reads two
columns apart and keeps a table's cells apart); running headers, footers and page numbers are
left out. A line joins the block before it unless it starts a new one: a heading (larger or
bold type), a list item, code (monospaced type), a table row (cells apart), or a paragraph
break (a larger gap, a first-line indent, or a line that ended although the next word would
have fitted). Wrapped lines are joined whatever they start with; a word hyphenated at a line
end is rejoined (kept hyphenated when the document writes it so elsewhere). Paragraphs run on
across page breaks.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from ingest.blocks.block import BULLET, CODE, HEADING, LIST_ITEM, PARAGRAPH, TABLE
from ingest.blocks.builder import TextBuilder
from ingest.fields.article_fields import settle_bylines
from ingest.readers.base import Extracted, FormatReader, SourceFile, UnreadableFile
from ingest.readers.pdf_lines import Line, page_lines, running_lines

_FILE_NAME_TITLE = re.compile(r"\.(?:docx?|pdf|txt|rtf|odt|pptx?|tex|indd)$|^microsoft \w+ - ")
_HYPHENATED = re.compile(r"\b([A-Za-z]+)-([A-Za-z]+)\b")
_TERMINAL = ".!?:"
MIN_CHARS_PER_PAGE = 20  # below this, a PDF is scanned pages without a text layer


@dataclass
class _Block:
    kind: str
    lines: list[Line] = field(default_factory=list)
    level: int = 0
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Style:
    body: float  # the body text's font size
    gap: float  # the usual distance between two lines of a paragraph
    headings: tuple[float, ...]  # heading sizes, largest first
    left: float  # the usual left edge of body lines
    right: float  # the usual right edge of body lines


def _style(lines: Sequence[Line]) -> _Style:
    sizes = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    gaps = [
        round(a.y - b.y, 1)
        for a, b in pairwise(lines)
        if a.page == b.page and a.size == b.size == body and 0 < a.y - b.y < 3 * body
    ]
    # The gap between two lines of one paragraph: a low quantile, since short paragraphs
    # (one line each) put paragraph gaps among the gaps too.
    gap = sorted(gaps)[len(gaps) // 5] if gaps else 1.2 * body
    bigger = sorted({s for s in sizes if s > body * 1.08 and sizes[s] < sizes[body]}, reverse=True)
    lefts = Counter(round(ln.x) for ln in lines if ln.size == body and not ln.mono)
    rights = sorted(ln.end for ln in lines if ln.size == body and not ln.mono)
    left = float(lefts.most_common(1)[0][0]) if lefts else 0.0
    right = rights[int(0.9 * (len(rights) - 1))] if rights else 0.0
    return _Style(body, gap, tuple(bigger), left, right)


def _heading_level(line: Line, style: _Style) -> int | None:
    words = len(line.text.split())
    if len(line.cells()) >= 2:
        return None  # a table's header row
    if line.size in style.headings and words <= 20:
        return style.headings.index(line.size) + 1
    if line.bold and words <= 12 and line.text[-1:] not in ".,;" and line.size >= style.body:
        return len(style.headings) + 1
    return None


def _table_row(line: Line) -> bool:
    return len(line.cells()) >= 2 and not line.mono


def _fits(previous: Line, line: Line, right: float, style: _Style) -> bool:
    """Whether the next line's first word would have fitted on the line before it, whose text
    runs to `right`: then that line ended on purpose (a paragraph's last line, a line of its
    own), it did not wrap."""
    piece = line.pieces[0]
    word = piece.text.split(" ", 1)[0]
    width = (piece.x1 - piece.x0) * (len(word) + 1) / max(len(piece.text), 1)
    return previous.end + width < right - 0.3 * style.body


def _starts_block(previous: Line, line: Line, style: _Style, right: float | None = None) -> bool:
    """Whether `line` starts a new paragraph rather than continuing the one before it; `right`
    is where the paragraph's lines so far end (an indented block ends short of the page's
    margin)."""
    gap = previous.y - line.y
    if previous.page == line.page and (gap > 1.4 * style.gap or gap < -1):
        return True
    if abs(previous.size - line.size) > 0.8:
        return True
    ended = previous.text[-1:] in _TERMINAL
    indented = line.x > previous.x + 0.8 * style.body
    return (ended and indented) or _fits(previous, line, right or style.right, style)


def _blocks(lines: Sequence[Line], style: _Style) -> list[_Block]:
    blocks: list[_Block] = []
    for line in lines:
        current = blocks[-1] if blocks else None
        if current and current.kind == TABLE and len(current.lines) == 1 and not _table_row(line):
            current.kind = PARAGRAPH  # one line with a gap in it: a hanging indent, not a table
        previous = current.lines[-1] if current else None
        level = _heading_level(line, style)
        if level is not None and not line.mono:
            if (
                current
                and current.kind == HEADING
                and current.level == level
                and previous
                and (previous.page == line.page and previous.y - line.y < 2 * line.size)
            ):
                current.lines.append(line)
            else:
                blocks.append(_Block(HEADING, [line], level))
            continue
        if line.mono:
            if (
                current
                and current.kind == CODE
                and previous
                and previous.page == line.page
                and (previous.y - line.y < 2.5 * style.gap)
            ):
                current.lines.append(line)
            else:
                blocks.append(_Block(CODE, [line]))
            continue
        if _table_row(line) and current and current.kind == TABLE and previous.page == line.page:
            current.lines.append(line)
            continue
        joins = current and current.kind in {PARAGRAPH, LIST_ITEM} and previous is not None
        right = max(ln.end for ln in current.lines) if joins and len(current.lines) > 1 else None
        wrapped = joins and not _starts_block(previous, line, style, right)
        marker = BULLET.match(line.text)
        if marker and not (wrapped and previous.text[-1:] not in _TERMINAL):  # "... is" / "100."
            level = max(0, round((line.x - style.left) / (2 * style.body)))
            blocks.append(_Block(LIST_ITEM, [line], level))
            continue
        if wrapped:
            current.lines.append(line)
        elif _table_row(line):
            blocks.append(_Block(TABLE, [line]))
        else:
            blocks.append(_Block(PARAGRAPH, [line]))
    return [_settle(b) for b in blocks]


def _settle(block: _Block) -> _Block:
    """A one-row table is a line of prose after all."""
    if block.kind == TABLE and len(block.lines) < 2:
        block.kind = PARAGRAPH
    return block


def _joined(lines: Sequence[Line], hyphenated: set[str]) -> tuple[str, list[int]]:
    """Wrapped lines as one line, and where each line starts in it; a word broken by a hyphen
    at a line end made whole (kept hyphenated where the document writes it so elsewhere)."""
    text, starts = "", []
    for line in lines:
        piece = line.text
        if not text:
            starts.append(0)
            text = piece
            continue
        tail = text.rpartition(" ")[2]
        if text.endswith("-") and text[-2:-1].isalpha() and piece[:1].islower():
            word = f"{tail}{piece.split(' ', 1)[0]}".lower()
            if word not in hyphenated:
                text = text[:-1]
        else:
            text += " "
        starts.append(len(text))
        text += piece
    return text, starts


def _code(lines: Sequence[Line]) -> tuple[str, list[int]]:
    """Code as laid out: indentation from where each line starts, and a blank line where a
    wider gap than the usual one between lines stands for one."""
    left = min(line.x for line in lines)
    width = 0.6 * (lines[0].size or 10.0)
    gaps = [a.y - b.y for a, b in pairwise(lines) if a.page == b.page and a.y > b.y]
    usual = min(gaps) if gaps else 0.0
    rows: list[str] = []
    starts: list[int] = []
    length = 0
    for position, line in enumerate(lines):
        if position and usual and 0 < lines[position - 1].y - line.y > 1.5 * usual:
            rows.append("")
            length += 1
        starts.append(length)
        row = " " * (round((line.x - left) / width) + line.indent) + line.text
        rows.append(row)
        length += len(row) + 1
    return "\n".join(rows), starts


def _write(
    builder: TextBuilder, block: _Block, hyphenated: set[str]
) -> tuple[int, list[int]] | None:
    """Write one block; where it starts and where each of its lines starts within it."""
    if block.kind == CODE:
        text, starts = _code(block.lines)
        made = builder.code(text)
        return (made.start, starts) if made else None
    if block.kind == TABLE:
        made = builder.table([[text for _, text in ln.cells()] for ln in block.lines])
        return (made.start, [r[0][0] - made.start for r in made.rows]) if made else None
    text, starts = _joined(block.lines, hyphenated)
    if block.kind == LIST_ITEM:
        marker = BULLET.match(text)
        cut = marker.end() if marker else 0
        sign = marker.group().strip() + " " if marker else "• "
        made = builder.add(LIST_ITEM, text[cut:], block.level, sign)
        return (made.start, [max(s - cut, 0) for s in starts]) if made else None
    made = builder.add(block.kind, text, block.level)
    return (made.start, starts) if made else None


def _compose(pages: Sequence[Sequence[Line]]) -> tuple[TextBuilder, list[int]]:
    """The blocks written one after another, and the offset where each page starts."""
    lines = [line for page in pages for line in page]
    style = _style(lines)
    hyphenated = {m.group().lower() for ln in lines for m in _HYPHENATED.finditer(ln.text)}
    builder, starts = TextBuilder(), [0] * len(pages)
    seen = -1
    for block in _blocks(lines, style):
        written = _write(builder, block, hyphenated)
        if written is None:
            continue
        start, line_starts = written
        for line, offset in zip(block.lines, line_starts, strict=False):
            while seen < line.page:
                seen += 1
                starts[seen] = start + offset
    for page in range(seen + 1, len(pages)):
        starts[page] = builder.length
    return builder, starts


def _layout(data: bytes) -> tuple[list[list[Line]], str | None, str | None]:
    """Every page's lines, and the title and author the document information gives."""
    from pdfminer.high_level import extract_pages  # imported here: only PDFs pay for it
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    info = resolve1(document.info[0]) if document.info else {}

    def field(name: str) -> str | None:
        value = resolve1(info.get(name)) if isinstance(info, dict) else None
        return (
            decode_text(value)
            if isinstance(value, bytes)
            else value
            if isinstance(value, str)
            else None
        )

    pages = [
        page_lines(layout, number)
        for number, layout in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams()))
    ]
    return pages, field("Title"), field("Author")


def _useful_title(title: str | None) -> str | None:
    title = " ".join((title or "").split())
    if not title or title.lower() == "untitled" or _FILE_NAME_TITLE.search(title.lower()):
        return None
    return title


def read_pdf(file: SourceFile) -> Extracted:
    """A PDF's text as blocks, page by page; encrypted, broken or textless PDFs are skipped."""
    if not file.data.strip():
        raise UnreadableFile("the file is empty")
    try:  # a parser failing on a user's file means "skip it with the reason", not a crash
        pages, title, author = _layout(file.data)
    except UnreadableFile:
        raise
    except Exception as error:
        if type(error).__name__ in {"PDFPasswordIncorrect", "PDFEncryptionError"}:
            raise UnreadableFile("the PDF is encrypted and needs a password") from error
        raise UnreadableFile(f"not a readable PDF ({type(error).__name__}: {error})") from error
    characters = sum(len(line.text) for page in pages for line in page)
    if characters < MIN_CHARS_PER_PAGE * max(len(pages), 1):
        raise UnreadableFile(
            f"the PDF has almost no text ({characters} characters on {len(pages)} pages): "
            "scanned pages without a text layer?"
        )
    furniture = running_lines(pages)
    body = [[line for line in page if id(line) not in furniture] for page in pages]
    builder, starts = _compose(body)
    text = builder.text()
    headings = [b for b in builder.blocks if b.kind == HEADING]
    stated = _useful_title(title) or (
        text[headings[0].start : headings[0].end] if headings else None
    )
    blocks, fields = settle_bylines(text, builder.blocks, file.known)
    return Extracted(
        format="pdf",
        text=text,
        blocks=blocks,
        title=file.known.title or stated or fields.title,
        author=fields.author or (" ".join((author or "").split()) or None),
        published=fields.published,
        site=fields.site,
        pages=tuple(starts),
        spans=fields.spans,
    )


READER = FormatReader("pdf", (".pdf",), read_pdf)
