"""`rag index`, `rag add`, `rag remove` and `rag gc`: the commands that change an index root.

They share one shape: settings from the environment and options, an embedder, then one call into
service.changes.apply / service.engine / index.storage.retention, whose outcome is printed a fact a
line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service.cli.support import (
    LOCAL_RAY,
    CorpusOpt,
    IndexDirOpt,
    RayOpt,
    fail,
    settings_or_fail,
)

if TYPE_CHECKING:
    from index.storage.retention import GcReport
    from service.changes.apply import ChangeOutcome


def index(
    corpus: CorpusOpt = None,
    index_dir: IndexDirOpt = None,
    full: Annotated[
        bool, typer.Option("--full", help="Redo every document, not only the changed ones.")
    ] = False,
    ray: RayOpt = None,
) -> None:
    """Bring the index up to date with the corpus (only changed documents are redone)."""
    from index.ray_build import RayUnavailable
    from service.http.runtime.ray_serve import ray_build_maker
    from service.indexing import build, make_embedder

    settings = settings_or_fail(corpus_dir=corpus, index_dir=index_dir)
    embedder = make_embedder(settings)
    make = ray_build_maker(settings, None if ray == LOCAL_RAY else ray) if ray else None
    try:
        result = build(
            settings,
            embedder,
            progress=True,
            full=full,
            log=lambda m: typer.echo(m, err=True),
            **({"make": make} if make else {}),
        )
    except RayUnavailable as error:
        fail(str(error))
        raise
    if result.published:
        typer.echo(f"index written to {result.version}")
    else:
        typer.echo(f"the index is up to date (version {result.version_id}); nothing published")


def _print_change(outcome: ChangeOutcome) -> None:
    """What `rag add` / `rag remove` did: one line per document, then the version."""
    for skipped in outcome.skipped:
        typer.echo(f"warning: {skipped.warning()}", err=True)
    for change in outcome.changes:
        if change.action == "excluded":
            typer.echo(
                f"removed {change.doc_id}: its file {change.source} stays in the corpus, "
                "listed in .rag-removed.json"
            )
        elif change.action == "deleted":
            typer.echo(f"removed {change.doc_id}: deleted {change.source}")
        else:
            typer.echo(f"{change.action} {change.source} as {change.doc_id}")
    result = outcome.result
    if result.published:
        typer.echo(f"published index version {result.version_id} ({result.changes.summary()})")
    else:
        typer.echo(f"nothing changed: index version {result.version_id} stays current")


def _publish(
    corpus: Path | None, index_dir: Path | None, change: Callable[..., ChangeOutcome]
) -> None:
    """Run one corpus change with the configured embedder, its progress on stderr, and print
    what it changed."""
    from service.indexing import make_embedder

    settings = settings_or_fail(corpus_dir=corpus, index_dir=index_dir)
    _print_change(change(settings, make_embedder(settings), lambda m: typer.echo(m, err=True)))


def add(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders to copy into the corpus's uploads/.")
    ],
    corpus: CorpusOpt = None,
    index_dir: IndexDirOpt = None,
) -> None:
    """Copy files or folders into the corpus (its uploads/ folder) and publish them."""
    from service.changes.add import add_paths

    _publish(corpus, index_dir, lambda s, e, log: add_paths(s, e, paths, log=log))


def remove(
    doc_ids: Annotated[list[str], typer.Argument(help="Ids of the documents to remove.")],
    corpus: CorpusOpt = None,
    index_dir: IndexDirOpt = None,
) -> None:
    """Remove documents: an upload's file is deleted, your own files stay (listed as removed)."""
    from service.changes.apply import remove_by_id

    _publish(corpus, index_dir, lambda s, e, log: remove_by_id(s, e, doc_ids, log=log))


def _print_gc(report: GcReport) -> None:
    """What `rag gc` did, one fact a line."""
    retention = report.retention
    if report.removed_partials:
        typer.echo(f"removed unfinished folders: {', '.join(report.removed_partials)}")
    kept = ", ".join(retention.kept) or "none"
    typer.echo(f"kept {len(retention.kept)} versions, newest first: {kept}")
    deleted = ", ".join(retention.deleted)
    typer.echo(f"deleted {len(retention.deleted)} versions{': ' if deleted else ''}{deleted}")
    for folder in retention.ignored:
        typer.echo(f"ignored versions/{folder.name} (not an intact version: {folder.reason})")
    cache = report.cache
    if cache is None:
        typer.echo("embedding cache: none yet")
    elif cache.skipped:
        typer.echo(f"embedding cache: not pruned, {cache.skipped}; {cache.remaining_rows} rows")
    else:
        typer.echo(
            f"embedding cache: deleted {cache.deleted_rows} rows no kept version uses, "
            f"{cache.remaining_rows} remain (kept for {len(cache.roots)} index roots)"
        )


def gc(
    index_dir: IndexDirOpt = None,
    keep: Annotated[
        int | None,
        typer.Option("--keep", min=1, help="Intact versions to keep (default RAG_KEEP_VERSIONS)."),
    ] = None,
) -> None:
    """Delete old index versions and the embedding-cache rows no kept version uses; finish or
    undo a corpus change a crash interrupted, and remove what interrupted writes left."""
    from index.storage.retention import collect_garbage
    from ingest.embed.cache import CACHE_FILE
    from service.changes.apply import recover_corpus

    settings = settings_or_fail(index_dir=index_dir, keep_versions=keep)
    recover_corpus(settings, log=lambda m: typer.echo(m))
    cache = settings.cache_dir / CACHE_FILE
    _print_gc(collect_garbage(settings.index_dir, settings.keep_versions, cache))


def register(app: typer.Typer) -> None:
    """Add the index-changing commands to the `rag` app."""
    for command in (index, add, remove, gc):
        app.command()(command)
