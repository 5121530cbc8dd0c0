"""Plain text: the file itself is the citable text; clean.py reads its lines into blocks."""

from __future__ import annotations

from ingest.clean import clean_text
from ingest.readers.base import Extracted, FormatReader, SourceFile, decode_utf8, first_line


def layout_text(text: str, title: str | None, file: SourceFile, fmt: str) -> Extracted:
    """Blocks, bylines and dates of a plain text.

    The title is metadata's, else the one the file declares (a PDF's), else the headline under
    a masthead ("HealthHarbor / Home / ... / the headline / By ..."), else the first line.
    """
    stated = file.known.title or title
    layout = clean_text(text, stated or first_line(text) or file.source, file.known)
    return Extracted(
        format=fmt,
        text=text,
        blocks=layout.blocks,
        title=stated or layout.bylines.title or first_line(text),
        author=layout.bylines.author,
        published=layout.bylines.published,
        site=layout.bylines.site,
        spans=layout.bylines.spans,
        markup=layout.markup,
    )


def read_text(file: SourceFile) -> Extracted:
    """A .txt article, decoded byte-faithfully; offsets index the file as stored."""
    return layout_text(decode_utf8(file), None, file, "text")


READER = FormatReader("text", (".txt", ".text"), read_text)
