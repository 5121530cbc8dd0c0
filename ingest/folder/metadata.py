"""metadata.json: optional per-document overrides (doc id, title, author, date, site).

It is keyed by `source`, a file's relative posix path inside the corpus; for a file at the top
of the corpus that is just its name, so metadata files written for flat corpora still work.

The managed uploads folder (`uploads/`, written by `rag add` and `PUT /admin/documents/{id}`)
keeps its own metadata.json in the same format, keyed by paths inside that folder: it records
the id (and any title, author or date given) of every upload, so a rebuild reproduces them. The
user's own metadata.json is never rewritten.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.documents import CorpusError

METADATA_FILE = "metadata.json"
UPLOADS_DIR = "uploads"
UPLOADS_METADATA = f"{UPLOADS_DIR}/{METADATA_FILE}"
METADATA_FILES = (METADATA_FILE, UPLOADS_METADATA)  # sources that are metadata, not documents
_FIELDS = ("doc_id", "title", "author", "published", "site")


@dataclass(frozen=True)
class DocumentMetadata:
    """What metadata.json says about one file; None where it says nothing."""

    doc_id: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site: str | None = None


def read_metadata(corpus_dir: Path) -> dict[str, DocumentMetadata]:
    """The entries of the corpus's metadata.json and the uploads folder's, by corpus source."""
    by_source = read_metadata_file(corpus_dir / METADATA_FILE)
    uploads = read_metadata_file(corpus_dir / UPLOADS_METADATA)
    by_source.update((f"{UPLOADS_DIR}/{name}", meta) for name, meta in uploads.items())
    return by_source


def metadata_json(entries: Mapping[str, DocumentMetadata]) -> bytes:
    """A metadata.json holding these entries (keyed by path inside its folder), fields unset
    left out: what read_metadata_file reads back."""
    documents = [
        {"source": source, **{k: v for k, v in asdict(meta).items() if v is not None}}
        for source, meta in sorted(entries.items())
    ]
    text = json.dumps({"documents": documents}, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def read_metadata_file(path: Path) -> dict[str, DocumentMetadata]:
    """One metadata.json's entries by source, relative to its folder (empty when absent)."""
    if not path.is_file():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["documents"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as error:
        raise CorpusError(f"{path}: expected {{'documents': [...]}} ({error})") from error
    if not isinstance(entries, list):
        raise CorpusError(f"{path}: 'documents' must be a list, got {type(entries).__name__}")
    by_source: dict[str, DocumentMetadata] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), str):
            raise CorpusError(f"{path}: every entry needs a 'source' file name, got {entry!r}")
        wrong = [k for k in _FIELDS if entry.get(k) is not None and not isinstance(entry[k], str)]
        if wrong:
            raise CorpusError(
                f"{path}: entry for {entry['source']!r}: {', '.join(wrong)} must be text or null"
            )
        by_source[entry["source"].strip("/")] = DocumentMetadata(
            **{k: entry.get(k) or None for k in _FIELDS}
        )
    return by_source
