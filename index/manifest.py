"""The index manifest: what an index was built from, and whether it still fits."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

FORMAT_VERSION = 1
MANIFEST_FILE = "manifest.json"


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
    built_at: str
    model: dict
    chunking: dict
    embedding_input: str
    documents: list[DocumentEntry]
    counts: dict
    files: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST_FILE
        if not path.is_file():
            raise IndexNotFound(f"no index manifest at {path}; run `rag index` to build one")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw["documents"] = [DocumentEntry(**d) for d in raw["documents"]]
            return cls(**raw)
        except (json.JSONDecodeError, TypeError, KeyError) as error:
            raise IndexCorrupt(f"{path} is not a valid manifest ({error})") from error


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


def corpus_changes(manifest: Manifest, current: dict[str, str]) -> list[str]:
    """Which documents were added, removed or edited since the index was built (source -> sha)."""
    built = {d.source: d.sha256 for d in manifest.documents}
    changes = [f"added {name}" for name in sorted(current.keys() - built.keys())]
    changes += [f"removed {name}" for name in sorted(built.keys() - current.keys())]
    changes += [
        f"changed {name}"
        for name in sorted(current.keys() & built.keys())
        if current[name] != built[name]
    ]
    return changes
