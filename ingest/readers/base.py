"""What every format reader takes and returns: the seam behind which formats differ."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.blocks.block import Block
from ingest.documents import CorpusError, FieldSpan
from ingest.fields.article_fields import KnownNames


class UnreadableFile(CorpusError):
    """One file cannot become a document (empty, not UTF-8, a broken PDF, ...): it is skipped."""


@dataclass(frozen=True)
class SourceFile:
    """One original file: its relative posix path in the corpus and its raw bytes."""

    source: str
    data: bytes
    known: KnownNames = field(default_factory=KnownNames)  # what metadata.json says


@dataclass(frozen=True)
class Extracted:
    """A reader's answer: the citable text, its blocks, and what the document says about
    itself (title, author, date, site), each with the span that states it where it has one.
    `markup` lists spans of the text that are inline markup, cited but not read (Markdown's
    `**`, backticks, link targets); `pages` the offset where each page starts."""

    format: str
    text: str
    blocks: tuple[Block, ...]
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site: str | None = None
    pages: tuple[int, ...] = ()
    spans: tuple[FieldSpan, ...] = ()
    markup: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class FormatReader:
    """A format: its name, the lower-case suffixes it claims, and its read function."""

    format: str
    suffixes: tuple[str, ...]
    read: Callable[[SourceFile], Extracted]


def decode_utf8(file: SourceFile) -> str:
    """The bytes as UTF-8 without newline translation, so offsets match the file on disk."""
    try:
        text = file.data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"not valid UTF-8 ({error.reason} at byte {error.start})") from error
    if not text.strip():
        raise UnreadableFile("the file is empty")
    return text


def first_line(text: str) -> str | None:
    """The first non-blank line, stripped and capped at 200 characters."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return None
