"""Markdown: the file itself is the citable text; its blocks come from the parsed structure.

markdown-it gives each block its lines: headings (ATX and setext), paragraphs, list items with
their nesting, fenced and indented code, tables, block quotes. A paragraph's wrapped lines stay
one block; inline markup (emphasis, code backticks, link syntax) is cited but not read
(markdown_inline.py). Front matter is metadata, never text; raw HTML and rules are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ingest.blocks.block import CODE, HEADING, LIST_ITEM, PARAGRAPH, QUOTE, TABLE, Block
from ingest.blocks.plain import plain_text
from ingest.documents import FieldSpan
from ingest.fields.article_fields import Bylines, settle_bylines
from ingest.fields.dates import iso_date
from ingest.readers.base import Extracted, FormatReader, SourceFile, decode_utf8, first_line
from ingest.readers.markdown_inline import inline_markup, merged

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # how markdown-it counts lines
_FRONT_MATTER_FIELD = re.compile(
    r"^(?P<key>title|author|date|published)\s*:\s*[\"']?(?P<value>.*?)[\"']?\s*$", re.IGNORECASE
)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


@dataclass
class _Parsed:
    """What the token stream says (a local accumulator, never shared)."""

    blocks: list[Block] = field(default_factory=list)
    markup: list[tuple[int, int]] = field(default_factory=list)
    top_level: set[Block] = field(default_factory=set)  # paragraphs outside lists and quotes


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _LINE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _front_matter(text: str, lines: list[tuple[int, int]]) -> int:
    """How many lines a leading `---` ... `---` block takes (0 when there is none)."""
    if not lines or text[lines[0][0] : lines[0][1]].strip() != "---":
        return 0
    for index in range(1, len(lines)):
        if text[lines[index][0] : lines[index][1]].strip() in {"---", "..."}:
            return index + 1
    return 0


def _front_matter_fields(text: str, lines: list[tuple[int, int]], count: int) -> list[FieldSpan]:
    """title/author/date lines of the front matter, as spans of their values."""
    fields: dict[str, FieldSpan] = {}
    for start, end in lines[1 : max(count - 1, 1)]:
        match = _FRONT_MATTER_FIELD.match(text[start:end])
        if match and match.group("value"):
            name = {"date": "published"}.get(match.group("key").lower(), match.group("key").lower())
            span = FieldSpan(name, start + match.start("value"), start + match.end("value"))
            fields.setdefault(name, span)
    return list(fields.values())


def _content_span(
    text: str, lines: list[tuple[int, int]], first: int, content: str, markup: list
) -> tuple[int, int] | None:
    """Where an inline content (its lines joined by "\\n", prefixes removed) is written, from
    line `first` on; the quote and list prefixes of its later lines are markup."""
    start = end = None
    for offset, piece in enumerate(content.split("\n")):
        if first + offset >= len(lines):
            break
        line_start, line_end = lines[first + offset]
        piece = piece.strip()
        found = text.find(piece, line_start, line_end) if piece else -1
        if found < 0:
            continue
        if start is None:
            start = found
        elif text[line_start:found].strip():
            markup.append((line_start, found))  # "> " of a quoted paragraph's next line
        end = found + len(piece)
    return (start, end) if start is not None and end is not None and end > start else None


def _table_rows(text: str, lines: list[tuple[int, int]], first: int, stop: int) -> list:
    rows = []
    for start, end in lines[first:stop]:
        if _TABLE_RULE.match(text[start:end]):
            continue
        cells, cursor = [], start
        line = text[start:end]
        bars = [m.start() for m in re.finditer(r"(?<!\\)\|", line)]
        for bar in [*bars, len(line)]:
            a, b = cursor, start + bar
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                cells.append((a, b))
            cursor = start + bar + 1
        if cells:
            rows.append(tuple(cells))
    return rows


def _walk(tokens: list[Token], text: str, lines: list[tuple[int, int]]) -> _Parsed:
    parsed = _Parsed()
    lists = quotes = 0
    for index, token in enumerate(tokens):
        if token.type in {"bullet_list_open", "ordered_list_open"}:
            lists += 1
        elif token.type in {"bullet_list_close", "ordered_list_close"}:
            lists -= 1
        elif token.type == "blockquote_open":
            quotes += 1
        elif token.type == "blockquote_close":
            quotes -= 1
        if token.map is None:
            continue
        first, stop = token.map
        if token.type in {"heading_open", "paragraph_open"}:
            inline = tokens[index + 1]
            span = _content_span(text, lines, first, inline.content, parsed.markup)
            if span is None:
                continue
            if token.type == "heading_open":
                kind, level = HEADING, int(token.tag[1:])
                span = (
                    (span[0], span[1])
                    if token.markup.startswith("#")
                    else (
                        span[0],
                        lines[max(stop - 2, first)][1],
                    )
                )
            else:
                kind = LIST_ITEM if lists else QUOTE if quotes else PARAGRAPH
                level = max(lists - 1, 0)
            parsed.markup += inline_markup(text, *span)
            made = Block(kind, span[0], span[1], level)
            parsed.blocks.append(made)
            if kind == PARAGRAPH and token.level == 0:
                parsed.top_level.add(made)
        elif token.type == "fence":
            closing = text[lines[stop - 1][0] : lines[stop - 1][1]].strip()
            closed = stop - 1 > first and closing[:1] in "`~"
            body = range(first + 1, stop - 1 if closed else stop)
            if len(body):
                _add_code(parsed, text, lines, body)
        elif token.type == "code_block":
            _add_code(parsed, text, lines, range(first, stop))
        elif token.type == "table_open":
            rows = _table_rows(text, lines, first, stop)
            if rows:
                parsed.blocks.append(Block(TABLE, rows[0][0][0], rows[-1][-1][1], rows=tuple(rows)))
                for row in rows:
                    for cell in row:
                        parsed.markup += inline_markup(text, *cell)
    return parsed


def _add_code(parsed: _Parsed, text: str, lines: list[tuple[int, int]], body: range) -> None:
    start, end = lines[body[0]][0], lines[body[-1]][1]
    if text[start:end].strip():
        parsed.blocks.append(Block(CODE, start, end))


def _title(
    text: str, fields: dict[str, FieldSpan], headings: list[Block], bylines: Bylines, markup
) -> FieldSpan | str:
    """Front matter `title:`, else the first `#` heading, else the headline a masthead or
    byline marks (when it comes before any heading), else the first heading or line."""
    if "title" in fields:
        return fields["title"]
    top = next((h for h in headings if h.level == 1), None)
    if top is not None:
        label = plain_text(text, top.start, top.end, markup)
        return (
            FieldSpan("title", top.start, top.end) if label == text[top.start : top.end] else label
        )
    headline = next((s for s in bylines.spans if s.name == "title"), None)
    if headline is not None and (not headings or headline.start < headings[0].start):
        return headline
    if headings:
        return plain_text(text, headings[0].start, headings[0].end, markup)
    return first_line(text) or ""


def read_markdown(file: SourceFile) -> Extracted:
    """A Markdown document: blocks from its structure, offsets into the file as stored."""
    text = decode_utf8(file)
    lines = _line_spans(text)
    matter = _front_matter(text, lines)
    fields = {span.name: span for span in _front_matter_fields(text, lines, matter)}
    parse_from = lines[matter][0] if matter < len(lines) else len(text)
    tokens = (
        MarkdownIt("commonmark")
        .enable(["table", "strikethrough"])
        .parse("\n" * matter + text[parse_from:])
    )
    parsed = _walk(tokens, text, lines)
    markup = merged(parsed.markup)
    paragraphs = [b for b in parsed.blocks if b in parsed.top_level]
    settled, bylines = settle_bylines(text, paragraphs, file.known, masthead=True)
    blocks = sorted(
        [b for b in parsed.blocks if b not in parsed.top_level] + list(settled),
        key=lambda b: b.start,
    )
    headings = [b for b in blocks if b.kind == HEADING]
    title = _title(text, fields, headings, bylines, markup)
    if isinstance(title, FieldSpan):
        fields["title"], title = title, text[title.start : title.end]
    author, published = (_value(text, fields.get(name)) for name in ("author", "published"))
    return Extracted(
        format="markdown",
        text=text,
        blocks=tuple(blocks),
        title=title,
        author=author or bylines.author,
        published=(iso_date(published) or published) if published else bylines.published,
        site=bylines.site,
        spans=tuple(({span.name: span for span in bylines.spans} | fields).values()),
        markup=tuple(markup),
    )


def _value(text: str, span: FieldSpan | None) -> str | None:
    return text[span.start : span.end] if span else None


READER = FormatReader("markdown", (".md", ".markdown"), read_markdown)
