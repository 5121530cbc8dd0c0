"""The Document that crosses into the index: citable text, its sections, pages and field spans.

Every offset (sections, pages, spans) indexes `text`, the document's citable text: the file
itself for plain text and Markdown, the extracted text for HTML and PDF. The original file is
kept by reference (`source`, `file_sha256`, `file_bytes`).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Any

from ingest.blocks.block import Block

# One definition of what a document id may look like: a name, never a path (no '/', no
# leading '.'); service/http/security.py checks request paths against this same pattern.
DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
MAX_DOC_ID = 128
_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_ID_HASH_CHARS = 10


class CorpusError(ValueError):
    """The corpus directory or its metadata cannot be used as it is."""


class EmptyCorpus(CorpusError):
    """The corpus directory holds no readable document."""


@dataclass(frozen=True)
class Section:
    """A run of body text under one heading; `start:end` indexes the document's text."""

    heading: str
    start: int
    end: int
    heading_start: int | None = None
    heading_end: int | None = None


@dataclass(frozen=True)
class FieldSpan:
    """Where the text itself states a field ("title", "author", "published", "site")."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """A source document; `text[start:end]` is what every offset into it quotes."""

    doc_id: str
    title: str
    source: str  # relative posix path of the original file inside the corpus
    text: str
    sha256: str  # of the citable text's UTF-8 bytes
    author: str | None = None
    published: str | None = None
    site: str | None = None
    format: str = "text"
    file_sha256: str = ""  # of the original file's raw bytes
    file_bytes: int = 0
    sections: tuple[Section, ...] = ()
    pages: tuple[int, ...] = ()  # start offset of each page in `text`; empty without pages
    spans: tuple[FieldSpan, ...] = ()
    blocks: tuple[Block, ...] = ()  # what each part of `text` is (ingest/blocks/block.py)
    markup: tuple[tuple[int, int], ...] = ()  # inline markup in `text` that is not read

    def metadata(self) -> dict[str, str | None]:
        """The public description of the document (everything but its text)."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "source": self.source,
            "site": self.site,
        }

    def page_at(self, offset: int) -> int | None:
        """The 1-based page an offset of `text` falls on, or None when the source has no pages."""
        if not self.pages:
            return None
        return max(bisect.bisect_right(self.pages, offset), 1)

    def span(self, name: str) -> FieldSpan | None:
        """Where the text states field `name`, if it does."""
        return next((s for s in self.spans if s.name == name), None)

    def to_record(self) -> dict[str, Any]:
        """A JSON-ready dict (documents.jsonl in an index version)."""
        record = asdict(self)
        record["blocks"] = [b.to_record() for b in self.blocks]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Document:
        """The inverse of `to_record`."""
        return cls(
            **{
                **record,
                "sections": tuple(Section(**s) for s in record.get("sections", ())),
                "pages": tuple(record.get("pages", ())),
                "spans": tuple(FieldSpan(**s) for s in record.get("spans", ())),
                "blocks": tuple(Block.from_record(b) for b in record.get("blocks", ())),
                "markup": tuple((a, b) for a, b in record.get("markup", ())),
            }
        )


def content_hash(text: str) -> str:
    """SHA-256 of the text's UTF-8 bytes: what the index manifest records per document."""
    return bytes_hash(text.encode("utf-8"))


def bytes_hash(data: bytes) -> str:
    """SHA-256 of raw bytes, hex."""
    return hashlib.sha256(data).hexdigest()


def doc_id_for(source: str) -> str:
    """The stable, unique, safe id of the file at relative posix path `source`.

    A path made only of safe characters keeps its spelling, with "/" written "--"
    ("guides/intro.md" -> "guides--intro.md"). Anything lossy (other characters, a "--" of its
    own, a leading non-alphanumeric, more than 128 characters) gets a short hash of the whole
    path appended, so two different paths never share an id.
    """
    parts = source.split("/")
    joined = "--".join(parts)
    if DOC_ID.fullmatch(joined) and not any("--" in part for part in parts):
        return joined
    readable = "--".join(_UNSAFE_ID_CHARS.sub("-", part) for part in parts)
    readable = readable.lstrip("._-")[: MAX_DOC_ID - _ID_HASH_CHARS - 1] or "doc"
    return f"{readable}-{bytes_hash(source.encode('utf-8'))[:_ID_HASH_CHARS]}"
