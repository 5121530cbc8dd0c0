"""HTML: the page's main content as blocks; the citable text is composed from them.

Pages made by documentation generators (Sphinx, MkDocs, Docusaurus, GitHub's rendered Markdown
and the like) mark their content region and their furniture, so their main region is read
directly: headings, paragraphs, lists with their nesting, `<pre>` as code, tables as tables,
admonitions as paragraphs; navigation, sidebars, footers, permalink signs and "Edit on ..."
links left out. Other pages (news, blogs) go through trafilatura's main-content extraction,
whose elements are read the same way. The text starts with the title, byline and date lines
("Title\\nBy Author\\nPublished 2024-03-01 on Site"), so "who wrote this" is citable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingest.blocks.block import CAPTION, CODE, HEADING, LIST_ITEM, PARAGRAPH, QUOTE
from ingest.blocks.builder import TextBuilder, words
from ingest.documents import FieldSpan
from ingest.fields.article_fields import KnownNames, settle_bylines
from ingest.fields.bylines import iso_date
from ingest.readers.base import Extracted, FormatReader, SourceFile, UnreadableFile
from ingest.readers.html_dom import Node, Page, generated_content, is_generated, parse_page

# htmldate's extensive search guesses dates from any text on the page ("© 2019"); only dates
# the page declares (meta tags, <time>, structured data) are taken as its publication date.
_DATE_OPTIONS = {"extensive_search": False, "original_date": True}
MAX_DEPTH = 200  # deeper nesting is read as text, not walked


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


class _Emitter:
    """Walks a content tree (the page's own, or trafilatura's) and writes its blocks."""

    def __init__(self, builder: TextBuilder, title: str) -> None:
        self.builder, self.title = builder, title

    def walk(self, node: Node, depth: int = 0, quoted: bool = False) -> None:
        """A container's content: its text runs as paragraphs, its blocks as what they are."""
        for kind, value in node.runs():
            if isinstance(value, Node):
                self.element(value, depth + 1, quoted)
            elif kind == "text":
                self.prose(value, quoted)

    def prose(self, text: str, quoted: bool) -> None:
        text = words(text)
        if text:
            self.builder.add(QUOTE if quoted else PARAGRAPH, text)

    def element(self, node: Node, depth: int, quoted: bool) -> None:
        role = node.role()
        if role == "skip":
            return
        if depth > MAX_DEPTH:
            self.prose(node.all_text(), quoted)
        elif role == "heading":
            label = words(node.inline_text())
            if label and label.casefold() != self.title.casefold():
                self.builder.heading(label, node.heading_level())
        elif role == "paragraph":
            if node.has_blocks():
                self.walk(node, depth, quoted)
            else:
                self.prose(node.inline_text(), quoted)
        elif role == "code":
            self.builder.code(node.code_text())
        elif role == "list":
            self.list(node, depth, 0)
        elif role == "table":
            self.builder.table(node.table_rows())
        elif role == "quote":
            self.admonition(node, depth)
        elif role == "caption":
            self.builder.add(CAPTION, node.inline_text())
        elif role == "term":
            text = node.inline_text()
            if "(" in text and node.is_signature():
                self.builder.code(text)
            else:
                self.prose(text, quoted)
        elif role == "inline":
            self.prose(node.inline_text(), quoted)
        else:  # a container: its children, and any text written straight into it
            self.walk(node, depth, quoted)

    def admonition(self, node: Node, depth: int) -> None:
        """A quotation or admonition: its paragraphs as quotations, the title ("Note") leading
        the first of them so it reads as one statement."""
        label = node.admonition_title()
        pending = label.text if label is not None else None
        for kind, value in node.runs():
            if isinstance(value, Node):
                if label is not None and value.element is label.node.element:
                    continue
                if pending and value.role() == "paragraph" and not value.has_blocks():
                    self.builder.add(QUOTE, f"{pending}: {value.inline_text()}")
                    pending = None
                    continue
                if pending:
                    self.builder.add(QUOTE, pending)
                    pending = None
                self.element(value, depth + 1, quoted=True)
            elif kind == "text" and words(value):
                self.prose(f"{pending}: {value}" if pending else value, quoted=True)
                pending = None
        if pending:
            self.builder.add(QUOTE, pending)

    def list(self, node: Node, depth: int, level: int) -> None:
        ordered = node.is_ordered()
        for number, item in enumerate(node.list_items(), start=1):
            marker = f"{number}. " if ordered else "• "
            text = item.item_text()
            if text:
                self.builder.add(LIST_ITEM, text, level, marker)
            for inner in item.item_blocks():
                if inner.role() == "list":
                    self.list(inner, depth + 1, level + 1)
                elif inner.role() == "code":
                    self.builder.code(inner.code_text())
                elif inner.role() == "paragraph":
                    self.builder.add(LIST_ITEM, inner.inline_text(), level, "  ")
                else:
                    self.element(inner, depth + 1, quoted=False)


def _meta_fields(meta: Any, page: Page) -> _PageFields:
    """The author, date and site the page's metadata declares (an author only from the page's
    own tags: guessed from the body, it is as often a byline's first word)."""
    date = getattr(meta, "date", None)
    return _PageFields(
        author=page.declared_author(),
        published=iso_date(date or "") or words(date) or None,
        site=words(getattr(meta, "sitename", None)) or None,
    )


def _header(builder: TextBuilder, page: _PageFields) -> list[FieldSpan]:
    """Byline and date lines after the title for what only the metadata declares, each
    recorded as a field span (the page's own byline paragraphs state the rest)."""
    spans = []
    if page.author:
        start, _ = builder.line(f"By {page.author}")
        spans.append(FieldSpan("author", start + 3, start + 3 + len(page.author)))
    if page.published or page.site:
        parts = ["Published", *([page.published] if page.published else [])]
        line = " ".join(parts + (["on", page.site] if page.site else []))
        start, end = builder.line(line)
        if page.published:
            spans.append(FieldSpan("published", start + 10, start + 10 + len(page.published)))
        if page.site:
            spans.append(FieldSpan("site", end - len(page.site), end))
    return spans


def _folded(value: str | None) -> str:
    return " ".join((value or "").split()).casefold()


def _compose(title: str, body: TextBuilder, meta: _PageFields, known: KnownNames) -> Extracted:
    """Title, the metadata's lines for what the page does not say itself, then the body; the
    page's own byline, date and site paragraphs become field spans."""
    _, stated = settle_bylines(body.text(), body.blocks, known)

    def unsaid(declared: str | None, said: str | None) -> str | None:
        """What the metadata declares and the page's text does not say (or says otherwise:
        the metadata wins, and its line makes the value citable)."""
        return declared if declared and _folded(declared) != _folded(said) else None

    missing = _PageFields(
        author=unsaid(meta.author, stated.author),
        published=unsaid(meta.published, stated.published),
        site=unsaid(meta.site, stated.site),
    )
    builder = TextBuilder()
    title_block = builder.heading(title, 1)
    spans = _header(builder, missing)
    builder.extend(body)
    text = builder.text()
    blocks, found = settle_bylines(text, builder.blocks, known)
    named = {s.name: s for s in spans} | {s.name: s for s in found.spans if s.name != "title"}
    if title_block is not None:
        named["title"] = FieldSpan("title", title_block.start, title_block.end)
    return Extracted(
        format="html",
        text=text,
        blocks=blocks,
        title=title,
        author=meta.author or found.author,
        published=meta.published or found.published,
        site=meta.site or found.site,
        spans=tuple(sorted(named.values(), key=lambda s: s.start)),
    )


def read_html(file: SourceFile) -> Extracted:
    """An HTML page's main content as blocks; its title, author, date and site."""
    import trafilatura  # imported here: a few hundred ms that only HTML corpora should pay

    if not file.data.strip():
        raise UnreadableFile("the file is empty")
    try:  # any parser failure on a user's file means "skip it with the reason", not a crash
        page = parse_page(file.data)
        meta = trafilatura.extract_metadata(page.tree, date_config=_DATE_OPTIONS)
        if is_generated(page):
            content, title = generated_content(page), page.generated_title()
        else:
            result = trafilatura.bare_extraction(
                file.data,
                with_metadata=False,
                include_comments=False,
                include_images=False,
                include_links=False,
                include_tables=True,
                include_formatting=True,
            )
            content = (
                Node.of(result.body) if result is not None and result.body is not None else None
            )
            title = None
    except UnreadableFile:
        raise
    except Exception as error:
        raise UnreadableFile(f"not a readable HTML page ({error})") from error
    if content is None or not words(content.all_text()):
        raise UnreadableFile("no main text found in the HTML page")
    title = words(title) or words(getattr(meta, "title", None)) or content.first_heading()
    title = title or file.source
    body = TextBuilder()
    _Emitter(body, title).walk(content)
    if not any(b.kind != HEADING for b in body.blocks):
        raise UnreadableFile("no main text found in the HTML page")
    return _compose(title, body, _meta_fields(meta, page), file.known)


READER = FormatReader("html", (".html", ".htm"), read_html)

__all__ = ["CODE", "READER", "looks_like_html", "read_html"]
