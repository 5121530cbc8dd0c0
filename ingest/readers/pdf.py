"""PDF: pypdf's text per page, joined with a blank line; `pages` records where each starts.

The citable text is the extracted text, lightly repaired so sentences survive: lines that a
paragraph merely wrapped onto are joined with a space, and bare page numbers are dropped.
Sections then come from the plain-text heuristics, as for a .txt.
"""

from __future__ import annotations

import io
import re

from ingest.readers.base import Extracted, FormatReader, SourceFile, UnreadableFile
from ingest.readers.text import layout_text

PAGE_SEPARATOR = "\n\n"
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$"
)
_FILE_NAME_TITLE = re.compile(r"\.(?:docx?|pdf|txt|rtf|odt|pptx?|tex|indd)$|^microsoft \w+ - ")


def _unwrap(lines: list[str]) -> list[str]:
    """Join a line with the next when the next continues its sentence (starts lower-case)."""
    joined: list[str] = []
    for line in lines:
        if joined and joined[-1] and line[:1].islower():
            glue = "" if joined[-1].endswith("-") else " "
            joined[-1] = joined[-1] + glue + line
        else:
            joined.append(line)
    return joined


def page_text(raw: str) -> str:
    """One page's text: trailing spaces, bare page numbers and runs of blank lines removed."""
    lines = [line.rstrip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for edge in {filled[0], filled[-1]} if filled else set():
        if _PAGE_NUMBER.match(lines[edge].strip().lower()):
            lines[edge] = ""
    text = "\n".join(_unwrap([line.strip() for line in lines]))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _useful_title(title: str | None) -> str | None:
    title = " ".join((title or "").split())
    if not title or title.lower() == "untitled" or _FILE_NAME_TITLE.search(title.lower()):
        return None
    return title


def read_pdf(file: SourceFile) -> Extracted:
    """A PDF's text, page by page; encrypted, broken or textless PDFs are skipped."""
    from pypdf import PdfReader  # imported here: only PDF corpora should pay for it

    if not file.data.strip():
        raise UnreadableFile("the file is empty")
    try:  # a parser failing on a user's file means "skip it with the reason", not a crash
        reader = PdfReader(io.BytesIO(file.data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile("the PDF is encrypted and needs a password")
        pages = [page_text(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata
        title, author = (info.title, info.author) if info else (None, None)
    except UnreadableFile:
        raise
    except Exception as error:
        raise UnreadableFile(f"not a readable PDF ({type(error).__name__}: {error})") from error
    if not any(pages):
        raise UnreadableFile("the PDF has no extractable text (scanned pages?)")
    starts, position = [], 0
    for page in pages:
        starts.append(position)
        position += len(page) + len(PAGE_SEPARATOR)
    text = PAGE_SEPARATOR.join(pages)
    extracted = layout_text(text, _useful_title(title), file, "pdf")
    author = " ".join((author or "").split()) or None
    return Extracted(
        format="pdf",
        text=text,
        sections=extracted.sections,
        title=extracted.title,
        author=extracted.author or author,
        published=extracted.published,
        pages=tuple(starts),
        spans=extracted.spans,
    )


READER = FormatReader("pdf", (".pdf",), read_pdf)
