"""`rag add`: copy files and folders from outside the corpus under its uploads/, then publish
them as one change (service/changes/apply.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.corpus import candidate_files, is_corpus_path
from ingest.documents import CorpusError
from ingest.embed import Embedder
from ingest.folder.metadata import UPLOADS_DIR, DocumentMetadata
from ingest.log import Log, quiet
from service.changes.apply import ChangeOutcome, store_uploads
from service.changes.plan import ChangeRefused, Incoming
from service.config import Settings


@dataclass(frozen=True)
class FileToAdd:
    """A file `rag add` copies: its path inside uploads/, where it is, and whether it was named
    on the command line (a named file that cannot be read is an error, not a skip)."""

    name: str
    path: Path
    named: bool


def files_to_add(corpus_dir: Path, paths: Sequence[Path]) -> list[FileToAdd]:
    """The files of these paths: a file goes to uploads/<name>, a folder to
    uploads/<folder>/<its layout> (hidden files left out, as the corpus reader does)."""
    corpus = corpus_dir.resolve()
    found: list[FileToAdd] = []
    for given in paths:
        path = given.expanduser().resolve()
        if not path.exists():
            raise CorpusError(f"no such file or folder: {given}")
        if path == corpus or corpus in path.parents:
            raise ChangeRefused(
                f"{given} is already inside the corpus {corpus_dir}; `rag index` indexes it there"
            )
        if path in corpus.parents:
            raise ChangeRefused(f"{given} holds the corpus itself; name what to add inside it")
        if not is_corpus_path(f"{UPLOADS_DIR}/{path.name}"):
            raise ChangeRefused(
                f"{given} is hidden (its name starts with '.'); the corpus skips it"
            )
        if path.is_dir():
            files = candidate_files(path)
            found += [FileToAdd(f"{path.name}/{source}", file, False) for source, file in files]
        else:
            found.append(FileToAdd(path.name, path, True))
    return found


def add_paths(
    settings: Settings, embedder: Embedder, paths: Sequence[Path], log: Log = quiet
) -> ChangeOutcome:
    """`rag add`: copy files and folders under uploads/ and publish. Each document's id is
    derived from its path inside uploads/, or kept from an earlier add of that path."""
    wanted = files_to_add(settings.corpus_dir, paths)
    contents: dict[str, bytes] = {}
    for item in wanted:
        try:
            contents[item.name] = item.path.read_bytes()
        except OSError as error:
            raise CorpusError(f"cannot read {item.path}: {error.strerror}") from error

    items = [
        Incoming(
            source=f"{UPLOADS_DIR}/{f.name}",
            data=contents[f.name],
            meta=DocumentMetadata(),  # the id: the one this path had, or derived from it
            origin=str(f.path),
            optional=not f.named,
        )
        for f in wanted
    ]
    return store_uploads(settings, embedder, items, log)
