"""Index directories on disk: versioned, written atomically, verified by checksum on load.

Layout under the index root:
    versions/<build_id>/   one complete index (files + manifest.json with their checksums)
    current -> versions/<build_id>   symlink swapped atomically when a build finishes
A build writes `versions/<build_id>.partial` and renames it when complete, so a crash or a
SIGKILL at any moment leaves `current` pointing at the previous, intact index.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from index.storage.manifest import (
    MANIFEST_FILE,
    IndexCorrupt,
    IndexNotFound,
    IndexProblem,
    Manifest,
    version_file,
)

VERSIONS = "versions"
CURRENT = "current"
PARTIAL_SUFFIX = ".partial"


class IndexBusy(IndexProblem):
    """Another build holds the index lock."""


def file_digest(path: Path) -> dict:
    """Size and SHA-256 of one index file, as recorded in the manifest."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


@contextlib.contextmanager
def build_lock(root: Path, name: str = ".lock") -> Iterator[None]:
    """One build at a time per index root; the OS drops the lock if the builder is killed.

    Another `name` is another lock of the same kind (service/changes/apply.py holds one around a
    corpus edit and the build it triggers)."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / name).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise IndexBusy(f"another build is writing the index at {root}") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_version(root: Path) -> Path:
    """The directory `current` points at, resolved once so a later swap cannot mix versions.

    `current` must be a symlink to a directory under versions/: a dangling link, a link
    elsewhere, or a directory or file put in its place is an IndexCorrupt saying which.
    """
    link = root / CURRENT
    if link.is_symlink():
        written = link.readlink()
        shown = written.name if written.is_absolute() else str(written)
        target = link.resolve()
        if not target.is_dir():
            raise IndexCorrupt(f"{CURRENT} points at {shown}, which does not exist")
        if target.parent != (root / VERSIONS).resolve():
            raise IndexCorrupt(f"{CURRENT} points at {shown}, which is not under {VERSIONS}/")
        return target
    if link.exists():
        kind = "a directory" if link.is_dir() else "a file"
        raise IndexCorrupt(f"{CURRENT} is {kind}, not a link to a version under {VERSIONS}/")
    raise IndexNotFound(f"no index at {root}; run `rag index` to build one")


def remove_stale_partials(root: Path) -> list[str]:
    """Delete what killed builds (or interrupted deletions) left; the caller holds the lock."""
    removed = []
    for stale in sorted((root / VERSIONS).glob(f"*{PARTIAL_SUFFIX}")):
        shutil.rmtree(stale, ignore_errors=True)
        removed.append(stale.name)
    return removed


def delete_version(version: Path) -> None:
    """Remove a whole version: renamed to `.partial` first, so an interrupted delete leaves a
    folder the next build or gc clears rather than a version with files missing."""
    doomed = version.with_name(version.name + PARTIAL_SUFFIX)
    version.rename(doomed)
    shutil.rmtree(doomed, ignore_errors=True)


def write_version(
    root: Path, build_id: str, write_files: Callable[[Path], None], manifest: Manifest
) -> Path:
    """Write a complete version beside the live one, then swap `current` to it atomically."""
    versions = root / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(root)  # we hold the lock, so no build is writing them
    partial = versions / f"{build_id}{PARTIAL_SUFFIX}"
    partial.mkdir()
    write_files(partial)
    files = {p.name: file_digest(p) for p in sorted(partial.iterdir()) if p.is_file()}
    for name in files:
        _fsync_file(partial / name)
    manifest_path = partial / "manifest.json"
    manifest_path.write_text(
        json.dumps({**json.loads(manifest.to_json()), "files": files}, indent=2, sort_keys=True),
        encoding="utf-8",
    )
    _fsync_file(manifest_path)
    _fsync_dir(partial)
    final = versions / build_id
    partial.rename(final)
    _fsync_dir(versions)
    publish(root, final)
    return final


def publish(root: Path, version: Path) -> None:
    """Point `current` at a version with one atomic rename of a fresh symlink.

    A directory someone put in the place of `current` cannot be replaced atomically; it is
    moved aside (`current.displaced-<time>`), never deleted.
    """
    link = root / CURRENT
    if link.is_dir() and not link.is_symlink():
        link.rename(root / f"{CURRENT}.displaced-{time.time_ns()}")
    temporary = root / f".{CURRENT}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(Path(VERSIONS) / version.name)
    temporary.replace(link)
    _fsync_dir(root)


def verify_files(version: Path, manifest: Manifest) -> None:
    """Compare every file with the size and checksum the manifest recorded at build time."""
    if not manifest.files:
        raise IndexCorrupt(f"{version_file(version, MANIFEST_FILE)} lists no files")
    for name, expected in manifest.files.items():
        path = version / name
        if not path.is_file():
            raise IndexCorrupt(f"{version_file(version, name)} is missing")
        actual = file_digest(path)
        if actual["bytes"] != expected["bytes"]:
            raise IndexCorrupt(
                f"{version_file(version, name)} has {actual['bytes']} bytes, the manifest recorded "
                f"{expected['bytes']}: the file was truncated or altered after the build"
            )
        if actual["sha256"] != expected["sha256"]:
            raise IndexCorrupt(
                f"{version_file(version, name)} does not match its checksum: the file was altered "
                "after the build"
            )
