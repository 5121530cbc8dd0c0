"""Recovering from a broken `current`: serve the newest intact version instead of rebuilding.

A damaged manifest, a missing or altered file, or a `current` that is a dangling link or a
directory must not strand the service while a good older version sits on disk.
"""

from __future__ import annotations

from pathlib import Path

from index.load import IndexData, load_index, load_version
from index.storage.manifest import IndexCorrupt, IndexNotFound, IndexProblem
from index.storage.retention import scan_versions
from index.storage.store import CURRENT, VERSIONS, build_lock, publish


def restore_newest_intact(root: Path) -> IndexData | None:
    """Point `current` at the newest version that loads (checksums verified) and return it;
    None when no version under `root` does.

    Under the build lock, so of several workers starting at once one repairs and the others
    (IndexBusy, then a retry) find `current` good again.
    """
    if not (root / VERSIONS).is_dir():
        return None
    with build_lock(root):
        try:  # another process may have repaired it while this one waited
            return load_index(root)
        except (IndexNotFound, IndexCorrupt):
            pass
        for candidate in scan_versions(root).intact:
            try:
                index = load_version(candidate.path)
            except IndexProblem:
                continue
            publish(root, candidate.path)
            return index
    return None


def require_something_to_serve(root: Path) -> None:
    """Raise IndexNotFound when `root` has neither a `current` entry nor any version folder.

    A start-up that may not build (auto-build off) calls this before loading the model, so
    `rag ask` on a root with nothing in it fails in a fraction of a second, with the one line
    a user needs, and not after seconds of loading. Anything else (a broken `current`, damaged
    versions) is left to the full start-up, which can recover from it or name the problem.
    """
    versions = root / VERSIONS
    if (root / CURRENT).is_symlink() or (root / CURRENT).exists():
        return
    if versions.is_dir() and any(p.is_dir() for p in versions.iterdir()):
        return
    raise IndexNotFound(f"no index at {root}; run `rag index` to build one")
