"""HTML: trafilatura finds the main content (navigation, footers and boilerplate dropped) and
the page's metadata; the citable text is built here from its elements, with offsets recorded.

The text starts with the title, byline and date as lines of their own ("Title\\nBy Author\\n
Published 2024-03-01 on Site\\n\\n"), so "who wrote this, and when" is citable like any
sentence; then one paragraph per block, separated by blank lines, and one line per list item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.article_fields import fields_of_lines
from ingest.bylines import iso_date, line_fields
from ingest.clean import Piece, group_sections
from ingest.documents import FieldSpan
from ingest.readers.base import Extracted, FormatReader, SourceFile, UnreadableFile

# htmldate's extensive search guesses dates from any text on the page ("© 2019"); only dates
# the page declares (meta tags, <time>, structured data) are taken as its publication date.
_DATE_OPTIONS = {"extensive_search": False, "original_date": True}


@dataclass
class _TextBuilder:
    """Appends lines to the citable text and remembers where each piece landed."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    pieces: list[Piece] = field(default_factory=list)

    def add(self, text: str, kind: str | None = None, *, end: str = "\n") -> tuple[int, int]:
        start = self.length
        self.parts.append(text + end)
        self.length += len(text) + len(end)
        if kind is not None:
            self.pieces.append(Piece(kind, start, start + len(text)))
        return start, start + len(text)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class _PageFields:
    """Who wrote the page, when and where: its metadata's, else its own byline paragraphs'."""

    author: str | None = None
    published: str | None = None
    site: str | None = None


def looks_like_html(data: bytes) -> bool:
    """Whether a file's bytes are really an HTML page, whatever its suffix says."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def _inline(element: Any) -> str:
    """An element's text with <lb/> as line breaks and nested lists left out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag != "list":
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _lines_of(element: Any) -> list[str]:
    return [line for line in (_words(part) for part in _inline(element).split("\n")) if line]


def _emit_list(builder: _TextBuilder, element: Any) -> None:
    ordered = element.get("rend") == "ol"
    number = 0
    for item in element.iter("item"):
        text = _words(_inline(item))
        if text:
            number += 1
            builder.add(f"{number}. {text}" if ordered else f"• {text}", "body")


def _is_byline(text: str) -> bool:
    """A byline, date or copyright paragraph: the header states what it says, never the body."""
    return len(text.split()) <= 12 and line_fields(text) is not None


def _emit_body(builder: _TextBuilder, body: Any, title: str) -> None:
    for element in body:
        if element.tag == "head":
            heading = _words("".join(element.itertext()))
            if heading and heading.casefold() != title.casefold():
                builder.add(heading, "heading")
                builder.add("")
        elif element.tag == "list":
            _emit_list(builder, element)
            builder.add("")
        elif element.tag == "table":
            for row in element.iter("row"):
                cells = [_words("".join(cell.itertext())) for cell in row.iter("cell")]
                if any(cells):
                    builder.add(" | ".join(cells), "body")
            builder.add("")
        else:  # paragraphs, quotes, code and anything newer trafilatura may emit
            lines = _lines_of(element)
            if len(lines) == 1 and _is_byline(lines[0]):
                continue  # the page's own byline: the header lines above state it already
            for line in lines:
                builder.add(line, "body")
            if lines:
                builder.add("")


def _page_fields(meta: Any, body: Any) -> _PageFields:
    """The metadata's author, date and site; where it has none, what the body's byline, date
    and copyright paragraphs say (those paragraphs are left out of the body, so they would be
    lost otherwise: "Written by Jane Doe · 12 January 2023" under the article)."""
    lines = [line for e in body if e.tag not in {"head", "list", "table"} for line in _lines_of(e)]
    stated = fields_of_lines(lines)
    return _PageFields(
        author=_words(meta.author) or stated.author,
        published=iso_date(meta.date or "") or _words(meta.date) or stated.published,
        site=_words(meta.sitename) or stated.site,
    )


def _header(builder: _TextBuilder, page: _PageFields, title: str) -> list[FieldSpan]:
    """Title, byline and date lines at the top of the text, each recorded as a field span."""
    spans = [FieldSpan("title", *builder.add(title, "heading"))]
    author, published, site = page.author, page.published, page.site
    if author:
        start, _ = builder.add(f"By {author}", "break")
        spans.append(FieldSpan("author", start + 3, start + 3 + len(author)))
    if published or site:
        words = ["Published", *([published] if published else []), *(["on", site] if site else [])]
        line = " ".join(words)
        start, _ = builder.add(line, "break")
        if published:
            spans.append(FieldSpan("published", start + 10, start + 10 + len(published)))
        if site:
            spans.append(FieldSpan("site", start + len(line) - len(site), start + len(line)))
    builder.add("")
    return spans


def read_html(file: SourceFile) -> Extracted:
    """An HTML page's main content; its title, author, date and site from its metadata."""
    import trafilatura  # imported here: a few hundred ms that only HTML corpora should pay

    if not file.data.strip():
        raise UnreadableFile("the file is empty")
    try:  # any parser failure on a user's file means "skip it with the reason", not a crash
        result = trafilatura.bare_extraction(
            file.data,
            with_metadata=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            include_formatting=False,
            date_extraction_params=_DATE_OPTIONS,
        )
    except Exception as error:
        raise UnreadableFile(f"not a readable HTML page ({error})") from error
    if result is None or result.body is None or not _words("".join(result.body.itertext())):
        raise UnreadableFile("no main text found in the HTML page")
    heads = [_words("".join(h.itertext())) for h in result.body.iter("head")]
    title = _words(result.title) or next(filter(None, heads), "") or file.source
    builder = _TextBuilder()
    page = _page_fields(result, result.body)
    spans = _header(builder, page, title)
    _emit_body(builder, result.body, title)
    text = builder.text().rstrip() + "\n"
    return Extracted(
        format="html",
        text=text,
        sections=group_sections(text, builder.pieces, title),
        title=title,
        author=page.author,
        published=page.published,
        site=page.site,
        spans=tuple(spans),
    )


READER = FormatReader("html", (".html", ".htm"), read_html)
