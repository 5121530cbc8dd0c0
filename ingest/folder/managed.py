"""The removal list: the one file the service keeps at the top of a user's corpus.

`rag remove` and `DELETE /admin/documents/{id}` never delete a user's own file: they list its path
in `.rag-removed.json` at the top of the corpus, and the corpus reader leaves every listed file out,
so a rebuild reproduces the removal. (Uploads, which the service wrote itself under `uploads/`, are
deleted instead; see ingest/folder/metadata.py for how they are recorded.) To bring a removed file
back, delete its line from the list and run `rag index`. How a change writes it and the other files,
so that a crash cannot leave half of them written: ingest/folder/journal.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from ingest.documents import CorpusError

REMOVED_FILE = ".rag-removed.json"  # hidden, so never itself a candidate document


def read_removed(corpus_dir: Path) -> frozenset[str]:
    """The sources listed as removed (empty when there is no list)."""
    path = corpus_dir / REMOVED_FILE
    if not path.is_file():
        return frozenset()
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))["removed"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as error:
        raise CorpusError(f"{path}: expected {{'removed': [paths...]}} ({error})") from error
    if not isinstance(listed, list) or not all(isinstance(s, str) for s in listed):
        raise CorpusError(f"{path}: 'removed' must be a list of paths inside the corpus")
    return frozenset(listed)


def removed_json(sources: Iterable[str]) -> bytes:
    """The removal list's bytes (what read_removed reads back)."""
    return (json.dumps({"removed": sorted(set(sources))}, indent=2) + "\n").encode("utf-8")
