"""Word (.docx): paragraphs and tables in document order, read into blocks by their styles, and
composed into the citable text.

Headings are the "Title" and "Heading N" styles; list items are list styles or numbered
paragraphs (their level from the numbering); code is a code style or monospaced runs; quotes and
captions are their styles. The core properties give title and author (not a date: when a file
was created is not when its text was published). A .docx is a zip: its members are checked
against a size budget before anything is parsed, so a zip bomb is refused, never expanded.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from ingest.blocks.block import CAPTION, HEADING, LIST_ITEM, PARAGRAPH, QUOTE
from ingest.blocks.builder import TextBuilder
from ingest.fields.article_fields import settle_bylines
from ingest.readers.base import Extracted, FormatReader, SourceFile, UnreadableFile

MAX_EXPANDED_BYTES = 256 * 1024 * 1024  # what a .docx may unzip to
MAX_RATIO = 200  # a member compressed more than this is a bomb, not a document
_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre|título|titolo)\s*(\d)", re.IGNORECASE)
_LIST_STYLE = re.compile(r"list|bullet|number|aufzählung|liste", re.IGNORECASE)
_CODE_STYLE = re.compile(r"code|source|preformatted|verbatim|monospace|plain text", re.IGNORECASE)
_STYLE_DEPTH = re.compile(r"\s(\d)$")
_MONO_FONT = re.compile(r"courier|consol|mono|menlo|code|lucida console", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_archive(data: bytes) -> None:
    """Refuse a .docx whose members would expand past the budget (a zip bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise UnreadableFile(f"not a Word file (not a zip archive: {error})") from error
    total = 0
    for member in archive.infolist():
        total += member.file_size
        if member.compress_size and member.file_size / member.compress_size > MAX_RATIO:
            raise UnreadableFile(
                f"the Word file's member {member.filename!r} expands {member.file_size} bytes "
                f"from {member.compress_size} (over the ratio limit of {MAX_RATIO}): refused"
            )
    if total > MAX_EXPANDED_BYTES:
        raise UnreadableFile(
            f"the Word file expands to {total} bytes, over the limit of {MAX_EXPANDED_BYTES}"
        )


def _style_name(paragraph: Any) -> str:
    try:
        return paragraph.style.name or ""
    except (KeyError, AttributeError, ValueError):
        return ""


def _list_level(paragraph: Any) -> int | None:
    """The numbering level of a numbered or bulleted paragraph, or None when it has none."""
    properties = paragraph._p.pPr
    numbering = properties.numPr if properties is not None else None
    if numbering is None:
        return None
    level = numbering.ilvl
    return int(level.val) if level is not None and level.val is not None else 0


def _is_code(paragraph: Any, style: str) -> bool:
    if _CODE_STYLE.search(style):
        return True
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(_MONO_FONT.search(r.font.name or "") for r in runs)


def _items(document: Any) -> Iterator[tuple[str, Any]]:
    """("p", paragraph) and ("table", table) in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            yield "p", Paragraph(child, document)
        elif child.tag == f"{_W}tbl":
            yield "table", Table(child, document)


def _write(builder: TextBuilder, document: Any) -> None:
    code: list[str] = []
    blank = 0  # empty paragraphs after code: blank lines inside it, if more code follows

    def flush() -> None:
        nonlocal blank
        if code:
            builder.code("\n".join(code))
            code.clear()
        blank = 0

    for kind, item in _items(document):
        if kind == "table":
            flush()
            builder.table([[cell.text for cell in row.cells] for row in item.rows])
            continue
        style = _style_name(item)
        text = item.text
        if code and not text.strip():
            blank += 1
            continue
        if _is_code(item, style) and text.strip():
            code.extend([""] * blank + [text.replace("\t", "    ")])
            blank = 0
            continue
        flush()
        heading = _HEADING_STYLE.match(style)
        level = _list_level(item)
        if level is None and _LIST_STYLE.search(style):
            depth = _STYLE_DEPTH.search(style)  # "List Bullet 2": the style says the level
            level = int(depth.group(1)) - 1 if depth else 0
        if style.lower() == "title":
            builder.heading(text, 1)
        elif heading:
            builder.heading(text, int(heading.group(1)) + 1)
        elif level is not None or _LIST_STYLE.search(style):
            builder.add(LIST_ITEM, text, level or 0)
        elif "quote" in style.lower():
            builder.add(QUOTE, text)
        elif "caption" in style.lower():
            builder.add(CAPTION, text)
        else:
            builder.add(PARAGRAPH, text)
    flush()


def read_docx(file: SourceFile) -> Extracted:
    """A Word document's paragraphs, lists, code and tables as blocks, with its properties."""
    if not file.data.strip():
        raise UnreadableFile("the file is empty")
    check_archive(file.data)
    try:
        import docx

        document = docx.Document(io.BytesIO(file.data))
        builder = TextBuilder()
        _write(builder, document)
        properties = document.core_properties
        title, author = properties.title, properties.author
    except UnreadableFile:
        raise
    except Exception as error:
        raise UnreadableFile(
            f"not a readable Word file ({type(error).__name__}: {error})"
        ) from error
    if not any(b.kind != HEADING for b in builder.blocks):
        raise UnreadableFile("the Word file has no text")
    text = builder.text()
    headings = [b for b in builder.blocks if b.kind == HEADING]
    first = text[headings[0].start : headings[0].end] if headings else None
    blocks, fields = settle_bylines(text, builder.blocks, file.known)
    return Extracted(
        format="docx",
        text=text,
        blocks=blocks,
        title=file.known.title or " ".join((title or "").split()) or first or fields.title,
        author=fields.author or " ".join((author or "").split()) or None,
        published=fields.published,
        site=fields.site,
        spans=fields.spans,
    )


READER = FormatReader("docx", (".docx",), read_docx)
