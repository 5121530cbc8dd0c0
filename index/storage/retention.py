"""Retention: which versions an index root keeps, and which embedding-cache rows stay.

A version is a folder under versions/ whose manifest reads and whose files match their
checksums. Only those count: versions are kept newest first by the build time their manifest
records (never by folder name), the live one always. Anything else under versions/ (junk, a
damaged copy, a folder without a manifest) is reported and left alone; only `.partial` folders,
which killed builds and interrupted deletions leave, are removed, and only under the build lock.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from index.load import embedded_texts
from index.storage.manifest import IndexNotFound, IndexProblem, Manifest
from index.storage.store import (
    PARTIAL_SUFFIX,
    VERSIONS,
    IndexBusy,
    build_lock,
    current_version,
    delete_version,
    remove_stale_partials,
    verify_files,
)
from ingest.embed import Embedder, EmbeddingCache

KEEP_VERSIONS = 3


@dataclass(frozen=True)
class IntactVersion:
    path: Path
    manifest: Manifest


@dataclass(frozen=True)
class IgnoredFolder:
    """A folder under versions/ that is not an intact version, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class VersionScan:
    intact: tuple[IntactVersion, ...]  # newest first by manifest built_at
    ignored: tuple[IgnoredFolder, ...]


@dataclass(frozen=True)
class RetentionReport:
    kept: tuple[str, ...]  # newest first; the live version is always among them
    deleted: tuple[str, ...]
    ignored: tuple[IgnoredFolder, ...]


@dataclass(frozen=True)
class CachePruning:
    deleted_rows: int
    remaining_rows: int
    roots: tuple[Path, ...]  # the index roots whose versions' rows were kept
    skipped: str | None = None  # why nothing was pruned, when nothing was


@dataclass(frozen=True)
class GcReport:
    removed_partials: tuple[str, ...]
    retention: RetentionReport
    cache: CachePruning | None


def scan_versions(root: Path) -> VersionScan:
    """Every intact version under `root` (checksums verified), newest build first."""
    intact: list[IntactVersion] = []
    ignored: list[IgnoredFolder] = []
    folder = root / VERSIONS
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.name.endswith(PARTIAL_SUFFIX) or not path.is_dir():
            continue
        if path.is_symlink():
            ignored.append(IgnoredFolder(path.name, "it is a link, not a version folder"))
            continue
        try:
            manifest = Manifest.read(path)
            verify_files(path, manifest)
        except IndexNotFound:
            ignored.append(IgnoredFolder(path.name, "it has no manifest.json"))
            continue
        except (IndexProblem, OSError) as error:
            ignored.append(IgnoredFolder(path.name, str(error)))
            continue
        intact.append(IntactVersion(path, manifest))
    intact.sort(key=lambda v: (v.manifest.built, v.manifest.build_id), reverse=True)
    return VersionScan(tuple(intact), tuple(ignored))


def newest_intact(root: Path) -> Path | None:
    """The most recently built intact version, the one to fall back to."""
    scan = scan_versions(root)
    return scan.intact[0].path if scan.intact else None


def live_version(root: Path) -> Path | None:
    """Where `current` points, when it points at a version directory."""
    with contextlib.suppress(IndexProblem, OSError):
        return current_version(root)
    return None


def apply_retention(root: Path, keep: int = KEEP_VERSIONS) -> RetentionReport:
    """Delete intact versions beyond the `keep` newest; the caller holds the build lock."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1 version, got {keep}")
    live = live_version(root)
    scan = scan_versions(root)
    kept = [v.path for v in scan.intact[:keep]]
    deleted = []
    for old in scan.intact[keep:]:
        if old.path == live:
            kept.append(old.path)
        else:
            delete_version(old.path)
            deleted.append(old.path.name)
    return RetentionReport(tuple(p.name for p in kept), tuple(deleted), scan.ignored)


def register_with_cache(embedder: Embedder, root: Path) -> None:
    """Record `root` in the embedder's cache, so pruning from any root keeps its rows.

    Both backends carry their cache as `.cache`; the Embedder protocol does not promise one.
    """
    cache = getattr(embedder, "cache", None)
    if isinstance(cache, EmbeddingCache):
        cache.register_root(root)


def _build_running(root: Path) -> bool:
    try:
        with build_lock(root):
            return False
    except IndexBusy:
        return True
    except OSError:  # a read-only root: nobody builds there
        return False


def prune_cache(cache: EmbeddingCache, root: Path, *, holding_lock: bool = False) -> CachePruning:
    """Delete the cache rows no version of any registered index root uses.

    Roots that no longer exist are forgotten. If a build is running in any other root, its
    new rows are not in a version yet, so nothing is pruned this time.
    """
    cache.register_root(root)
    keep: set[tuple[str, str]] = set()
    roots = []
    for other in cache.registered_roots():
        if not other.exists():
            cache.forget_root(other)
            continue
        is_this = other == root.resolve()
        if not (is_this and holding_lock) and _build_running(other):
            count = cache.count()
            return CachePruning(0, count, (), f"a build is running in {other}")
        roots.append(other)
        for version in sorted((other / VERSIONS).glob("*")):
            if version.name.endswith(PARTIAL_SUFFIX) or not version.is_dir():
                continue
            try:
                model, texts = embedded_texts(version)
            except (IndexProblem, OSError, KeyError, ValueError):
                continue  # damaged: it can serve nothing, and no build reuses it
            keep.update((model, EmbeddingCache.key(t)) for t in texts)
    deleted = cache.prune_except(keep)
    return CachePruning(deleted, cache.count(), tuple(roots))


def collect_garbage(
    root: Path, keep: int = KEEP_VERSIONS, cache_path: Path | None = None
) -> GcReport:
    """`rag gc`: clear stale `.partial` folders, apply retention, then prune the cache."""
    if not root.is_dir():
        raise IndexNotFound(f"no index at {root}; nothing to collect")
    with build_lock(root):
        removed = tuple(remove_stale_partials(root)) if (root / VERSIONS).is_dir() else ()
        retention = apply_retention(root, keep)
        pruning = None
        if cache_path is not None and cache_path.is_file():
            cache = EmbeddingCache(cache_path)
            try:
                pruning = prune_cache(cache, root, holding_lock=True)
            finally:
                cache.close()
    return GcReport(removed, retention, pruning)
