"""Reading the corpus: one Document per source file, text kept byte-faithful for offsets."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md")
METADATA_FILE = "metadata.json"
_DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class CorpusError(ValueError):
    """The corpus directory or its metadata cannot be used as it is."""


class EmptyCorpus(CorpusError):
    """The corpus directory holds no readable document."""


@dataclass(frozen=True)
class Document:
    """A source article; `text` is the file exactly as stored, so offsets can be checked."""

    doc_id: str
    title: str
    source: str
    text: str
    sha256: str
    author: str | None = None
    published: str | None = None
    site: str | None = None

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


def read_text(path: Path) -> str:
    """Decode a file as UTF-8 without newline translation, so offsets match the bytes on disk."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError as error:
        raise CorpusError(
            f"{path.name}: not valid UTF-8 ({error.reason} at byte {error.start})"
        ) from error


def content_hash(text: str) -> str:
    """SHA-256 of the text's UTF-8 bytes: what the index manifest records per document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_metadata(corpus_dir: Path) -> dict[str, dict]:
    path = corpus_dir / METADATA_FILE
    if not path.exists():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["documents"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise CorpusError(f"{path}: expected {{'documents': [...]}} ({error})") from error
    by_source: dict[str, dict] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), str):
            raise CorpusError(f"{path}: every entry needs a 'source' file name, got {entry!r}")
        by_source[entry["source"]] = entry
    missing = sorted(name for name in by_source if not (corpus_dir / name).is_file())
    if missing:
        raise CorpusError(f"{path}: metadata names files that do not exist: {', '.join(missing)}")
    return by_source


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def load_document(path: Path, entry: dict | None = None) -> Document:
    """Read one file; metadata from `entry` wins over what the text itself suggests."""
    entry = entry or {}
    text = read_text(path)
    if not text.strip():
        raise CorpusError(f"{path.name}: the file is empty")
    doc_id = entry.get("doc_id") or path.stem
    if not _DOC_ID.match(doc_id):
        raise CorpusError(
            f"{path.name}: doc_id {doc_id!r} must be letters, digits, '.', '_' or '-'"
        )
    return Document(
        doc_id=doc_id,
        title=entry.get("title") or _first_line(text) or path.stem,
        source=path.name,
        text=text,
        sha256=content_hash(text),
        author=entry.get("author"),
        published=entry.get("published"),
        site=entry.get("site"),
    )


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Every supported file of the corpus directory, in file-name order."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus directory {corpus_dir} does not exist")
    metadata = _read_metadata(corpus_dir)
    paths = sorted(
        p for p in corpus_dir.iterdir() if p.suffix in SUPPORTED_SUFFIXES and p.is_file()
    )
    documents = [load_document(path, metadata.get(path.name)) for path in paths]
    if not documents:
        raise EmptyCorpus(
            f"corpus directory {corpus_dir} holds no {'/'.join(SUPPORTED_SUFFIXES)} file"
        )
    seen: dict[str, str] = {}
    for doc in documents:
        if doc.doc_id in seen:
            raise CorpusError(
                f"doc_id {doc.doc_id!r} is used by both {seen[doc.doc_id]} and {doc.source}"
            )
        seen[doc.doc_id] = doc.source
    return documents
