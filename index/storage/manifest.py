"""The index manifest: what an index was built from, and whether it still fits.

`Manifest.read` is the one gate every version passes at start-up, reload, retention and
incremental builds, so it checks the shape of every field: whatever is on disk (random bytes,
another program's JSON, a hand edit), a broken manifest is an IndexCorrupt naming the file
relative to the index root, never a decoding error or a TypeError deeper down.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.corpus import SkippedFile

# 2: BM25, per-sentence tables and row offsets stored; FAISS type by size; float16 vectors
# at scale. 3: documents carry blocks and markup; sentences and chunks what they read as.
# 4: DocBook pages read whole (equations, examples), blocks in one table cell kept apart.
# Older versions are rebuilt rather than misread, and read again by the current readers.
FORMAT_VERSION = 4
MANIFEST_FILE = "manifest.json"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024  # far above any real manifest; a huge file is not one


class IndexProblem(Exception):
    """Base class of index problems."""


class IndexNotFound(IndexProblem):
    """No index has been built at the configured location."""


class IndexCorrupt(IndexProblem):
    """An index file is missing, truncated or altered since it was built."""


class IndexMismatch(IndexProblem):
    """The index was built with settings the caller cannot use (model, format, chunking)."""


@dataclass(frozen=True)
class DocumentEntry:
    doc_id: str
    source: str
    sha256: str
    chars: int


@dataclass(frozen=True)
class Manifest:
    """Everything needed to decide whether an index matches the model, settings and corpus."""

    format_version: int
    build_id: str
    built_at: str  # ISO 8601 with microseconds: retention orders versions by it
    model: dict
    chunking: dict
    embedding_input: str
    documents: list[DocumentEntry]
    counts: dict
    files: dict = field(default_factory=dict)
    # The corpus as the build saw it: every candidate file's raw-bytes SHA-256 by source (what
    # ingest.corpus.scan_corpus answers), and the files that were skipped, with their reasons.
    corpus_files: dict[str, str] = field(default_factory=dict)
    skipped: list[SkippedFile] = field(default_factory=list)
    with_sentences: bool = True  # whether answerable sentences were cut and embedded
    dense: dict = field(default_factory=dict)  # the FAISS type and its parameters (index.dense)
    vector_dtype: str = (
        "float32"  # how vectors are stored (float16 from index.storage.layout.LARGE_INDEX)
    )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @property
    def built(self) -> datetime:
        """The build time as a datetime (validated by `read`)."""
        return datetime.fromisoformat(self.built_at)

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        """The manifest of one version directory; IndexCorrupt for anything malformed."""
        name = version_file(directory, MANIFEST_FILE)
        path = directory / MANIFEST_FILE
        if not path.is_file():
            raise IndexNotFound(f"no index manifest at {name}; run `rag index` to build one")
        try:
            if path.stat().st_size > MAX_MANIFEST_BYTES:
                raise ValueError(f"{path.stat().st_size} bytes is too large for a manifest")
            raw = json.loads(path.read_bytes().decode("utf-8"))
            return _from_raw(raw)
        except (ValueError, TypeError, KeyError, AttributeError, OSError) as error:
            # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise IndexCorrupt(f"{name} is not a valid manifest ({error})") from error


def version_file(directory: Path, name: str) -> str:
    """A file of a version named relative to the index root (`versions/<id>/manifest.json`),
    so no message shows where the index lives."""
    return f"{directory.parent.name}/{directory.name}/{name}"


_SCALARS = {"format_version": int, "build_id": str, "built_at": str, "embedding_input": str}
_MAPPINGS = ("model", "chunking", "counts", "files", "corpus_files", "dense")


def _from_raw(raw: Any) -> Manifest:
    if not isinstance(raw, dict):
        raise ValueError(f"expected a JSON object, got {type(raw).__name__}")
    known = {f.name for f in fields(Manifest)}
    if unknown := sorted(raw.keys() - known):
        raise ValueError(f"unknown fields {unknown}")
    for name, kind in _SCALARS.items():
        _expect(raw, name, kind)
    if datetime.fromisoformat(raw["built_at"]).tzinfo is None:  # a ValueError names the value
        raise ValueError(f"`built_at` {raw['built_at']!r} has no time zone")
    for name in _MAPPINGS:
        if name in raw or name in ("model", "chunking", "counts"):
            _expect(raw, name, dict)
    for name, entry in raw.get("files", {}).items():
        if not _is_plain_name(name):
            raise ValueError(f"`files` names {name!r}, which is not a file of the version")
        if not (isinstance(entry, dict) and _typed(entry, bytes=int, sha256=str)):
            raise ValueError(f"`files` entry {name!r} needs `bytes` and `sha256`")
    if not all(isinstance(v, str) for v in raw.get("corpus_files", {}).values()):
        raise ValueError("`corpus_files` maps sources to SHA-256 strings")
    if "with_sentences" in raw and not isinstance(raw["with_sentences"], bool):
        raise ValueError("`with_sentences` must be true or false")
    if raw.get("vector_dtype", "float32") not in ("float32", "float16"):
        raise ValueError("`vector_dtype` must be float32 or float16")
    documents = _records(
        raw, "documents", DocumentEntry, doc_id=str, source=str, sha256=str, chars=int
    )
    skipped = _records(raw, "skipped", SkippedFile, source=str, reason=str)
    return Manifest(**{**raw, "documents": documents, "skipped": skipped})


_KINDS = {int: "an integer", str: "a string", dict: "an object", list: "a list", bool: "a boolean"}


def _kind(value: object) -> str:
    return _KINDS.get(type(value), "null" if value is None else type(value).__name__)


def _expect(raw: dict, name: str, kind: type) -> None:
    value = raw.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        shown = "missing" if name not in raw else _kind(value)
        raise ValueError(f"`{name}` must be {_KINDS[kind]}, it is {shown}")


def _typed(entry: dict, **kinds: type) -> bool:
    """Every key present with its type (a bool is not an int here)."""
    return all(
        isinstance(entry.get(k), t) and not isinstance(entry.get(k), bool) for k, t in kinds.items()
    )


def _records(raw: dict, name: str, make: type, **kinds: type) -> list:
    items = raw.get(name, [] if name == "skipped" else None)
    if not isinstance(items, list):
        raise ValueError(f"`{name}` must be a list")
    if not all(isinstance(item, dict) and _typed(item, **kinds) for item in items):
        wanted = ", ".join(f"{k} ({t.__name__})" for k, t in kinds.items())
        raise ValueError(f"every `{name}` entry needs {wanted}")
    return [make(**item) for item in items]  # a TypeError names a missing or unknown key


def _is_plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def incompatibilities(manifest: Manifest, *, model: dict, chunking: dict) -> list[str]:
    """Human-readable differences that make the index unusable with this model and chunking."""
    problems = []
    if manifest.format_version != FORMAT_VERSION:
        problems.append(
            f"index format {manifest.format_version}, this version reads {FORMAT_VERSION}"
        )
    built = manifest.model
    if built.get("fingerprint") != model.get("fingerprint"):
        problems.append(
            f"index built with model {built.get('name')!r} "
            f"(dimension {built.get('dimension')}, fingerprint {built.get('fingerprint')}) but the "
            f"service is configured with {model.get('name')!r} "
            f"(fingerprint {model.get('fingerprint')})"
        )
    if manifest.chunking != chunking:
        problems.append(f"index chunked with {manifest.chunking}, configuration says {chunking}")
    return problems


def corpus_file_changes(manifest: Manifest, current: dict[str, str]) -> list[str]:
    """Which corpus files were added, removed or edited since the build (source -> file sha)."""
    if not manifest.corpus_files:
        return ["the index records no corpus file hashes (built by an older version)"]
    return _changes(manifest.corpus_files, current)


def corpus_changes(manifest: Manifest, current: dict[str, str]) -> list[str]:
    """Which documents were added, removed or edited since the index was built (source -> sha)."""
    return _changes({d.source: d.sha256 for d in manifest.documents}, current)


def _changes(built: dict[str, str], current: dict[str, str]) -> list[str]:
    changes = [f"added {name}" for name in sorted(current.keys() - built.keys())]
    changes += [f"removed {name}" for name in sorted(built.keys() - current.keys())]
    changes += [
        f"changed {name}"
        for name in sorted(current.keys() & built.keys())
        if current[name] != built[name]
    ]
    return changes
