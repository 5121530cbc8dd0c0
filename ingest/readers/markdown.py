"""Markdown: the file itself is the citable text; its headings, from the parsed structure, are
the sections. Heading lines, front matter, code-fence lines, raw HTML and rules are never body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ingest.article_fields import Bylines, find_bylines
from ingest.clean import Piece, group_sections
from ingest.dates import iso_date
from ingest.documents import FieldSpan
from ingest.readers.base import Extracted, FormatReader, SourceFile, decode_utf8, first_line

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # how markdown-it counts lines
_FRONT_MATTER_FIELD = re.compile(
    r"^(?P<key>title|author|date|published)\s*:\s*[\"']?(?P<value>.*?)[\"']?\s*$", re.IGNORECASE
)
_FENCE_CHARS = "`~"


@dataclass(frozen=True)
class _Heading:
    label: str  # the heading's words without inline markup
    start: int  # where those words are written in the file (without `#` or underline)
    end: int
    level: int


@dataclass
class _Lines:
    """What the parse says about each line (a local accumulator, never shared)."""

    headings: dict[int, _Heading] = field(default_factory=dict)
    body: set[int] = field(default_factory=set)
    breaks: set[int] = field(default_factory=set)
    prose: list[int] = field(default_factory=list)  # lines of top-level paragraphs


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


def _plain(inline: Token) -> str:
    """A heading's text without its inline markup ("Using **git**" -> "Using git")."""
    parts = []
    for child in inline.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return " ".join("".join(parts).split())


def _heading(text: str, lines: list[tuple[int, int]], token: Token, inline: Token) -> _Heading:
    first, stop = token.map or (0, 1)
    setext = not token.markup.startswith("#")
    last = max(stop - 2, first) if setext else first
    start, end = lines[first]
    content = inline.content.split("\n")[0]
    found = text.find(content, start, end) if content else -1
    begin = found if found >= 0 else start
    stop_at = begin + len(content) if found >= 0 else end
    if setext:
        stop_at = lines[last][1]
    label = _plain(inline) or text[begin:stop_at].strip()
    return _Heading(label, begin, stop_at, int(token.tag[1:]))


def _classify(tokens: list[Token], text: str, lines: list[tuple[int, int]]) -> _Lines:
    result = _Lines()
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        first, stop = token.map
        if token.type == "heading_open":
            result.headings[first] = _heading(text, lines, token, tokens[index + 1])
            result.breaks.update(range(first + 1, stop))  # a setext underline
        elif token.type in {"paragraph_open", "code_block", "table_open"}:
            result.body.update(range(first, stop))
            if token.type == "paragraph_open" and token.level == 0:
                result.prose.extend(range(first, stop))
            if token.type == "table_open" and first + 1 < stop:
                result.breaks.add(first + 1)  # the |---|---| delimiter row
        elif token.type == "fence":
            closing = text[lines[stop - 1][0] : lines[stop - 1][1]].strip()
            closed = stop - 1 > first and closing[:1] in _FENCE_CHARS
            result.breaks.update({first, stop - 1} if closed else {first})
            result.body.update(range(first + 1, stop - 1 if closed else stop))
        elif token.type in {"html_block", "hr"}:
            result.breaks.update(range(first, stop))  # raw markup is not prose
    return result


def _title(
    text: str, fields: dict[str, FieldSpan], headings: list[_Heading], bylines: Bylines
) -> FieldSpan | str:
    """Front matter `title:`, else the first `#` heading, else the headline a masthead or
    byline marks (when it comes before any heading), else the first heading or line."""
    if "title" in fields:
        return fields["title"]
    top = next((h for h in headings if h.level == 1), None)
    if top is not None and text[top.start : top.end] == top.label:
        return FieldSpan("title", top.start, top.end)
    if top is not None:
        return top.label
    headline = next((s for s in bylines.spans if s.name == "title"), None)
    if headline is not None and (not headings or headline.start < headings[0].start):
        return headline
    return headings[0].label if headings else (first_line(text) or "")


def read_markdown(file: SourceFile) -> Extracted:
    """A Markdown article: sections from its headings, offsets into the file as stored."""
    text = decode_utf8(file)
    lines = _line_spans(text)
    matter = _front_matter(text, lines)
    fields = {span.name: span for span in _front_matter_fields(text, lines, matter)}
    parse_from = lines[matter][0] if matter < len(lines) else len(text)
    tokens = MarkdownIt("commonmark").enable("table").parse("\n" * matter + text[parse_from:])
    parsed = _classify(tokens, text, lines)
    bylines = find_bylines(text, lines, parsed.prose, file.known)
    headings = [parsed.headings[line] for line in sorted(parsed.headings)]
    title = _title(text, fields, headings, bylines)
    if isinstance(title, FieldSpan):
        fields["title"], title = title, text[title.start : title.end]
    pieces = []
    for line, (start, end) in enumerate(lines):
        if line in parsed.headings:
            heading = parsed.headings[line]
            pieces.append(Piece("heading", heading.start, heading.end, heading.label))
        elif line == bylines.headline and line not in parsed.breaks:  # a headline paragraph
            pieces.append(Piece("heading", *_stripped(text, start, end)))
        elif line in parsed.breaks or line < matter or line in bylines.furniture:
            pieces.append(Piece("break", start, end))
        elif line in parsed.body:
            pieces.append(Piece("body", start, end))
    author, published = (_value(text, fields.get(name)) for name in ("author", "published"))
    return Extracted(
        format="markdown",
        text=text,
        sections=group_sections(text, pieces, file.known.title or title or file.source),
        title=title,
        author=author or bylines.author,
        published=(iso_date(published) or published) if published else bylines.published,
        site=bylines.site,
        spans=tuple(({span.name: span for span in bylines.spans} | fields).values()),
    )


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    line = text[start:end]
    begin = start + len(line) - len(line.lstrip())
    return begin, begin + len(line.strip())


def _value(text: str, span: FieldSpan | None) -> str | None:
    return text[span.start : span.end] if span else None


READER = FormatReader("markdown", (".md", ".markdown"), read_markdown)
