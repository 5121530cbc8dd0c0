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
from collections.abc import Callable, Iterator
from pathlib import Path

from index.manifest import IndexCorrupt, IndexNotFound, IndexProblem, Manifest

VERSIONS = "versions"
CURRENT = "current"
PARTIAL_SUFFIX = ".partial"
KEEP_VERSIONS = 3


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
def build_lock(root: Path) -> Iterator[None]:
    """One build at a time per index root; the OS drops the lock if the builder is killed."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise IndexBusy(f"another build is writing the index at {root}") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_version(root: Path) -> Path:
    """The directory `current` points at, resolved once so a later swap cannot mix versions."""
    link = root / CURRENT
    if not link.exists():
        raise IndexNotFound(f"no index at {root}; run `rag index` to build one")
    return link.resolve()


def write_version(
    root: Path, build_id: str, write_files: Callable[[Path], None], manifest: Manifest
) -> Path:
    """Write a complete version beside the live one, then swap `current` to it atomically."""
    versions = root / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    for stale in versions.glob(f"*{PARTIAL_SUFFIX}"):  # left by a killed build (we hold the lock)
        shutil.rmtree(stale, ignore_errors=True)
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
    prune(root)
    return final


def publish(root: Path, version: Path) -> None:
    """Point `current` at a version with one atomic rename of a fresh symlink."""
    temporary = root / f".{CURRENT}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(Path(VERSIONS) / version.name)
    temporary.replace(root / CURRENT)
    _fsync_dir(root)


def prune(root: Path, keep: int = KEEP_VERSIONS) -> None:
    """Drop old versions, keeping the newest few so a service still loading one is not robbed."""
    live = current_version(root)
    versions = [
        p for p in (root / VERSIONS).iterdir() if p.is_dir() and not p.name.endswith(PARTIAL_SUFFIX)
    ]
    versions.sort(key=lambda p: p.name, reverse=True)
    for old in versions[keep:]:
        if old != live:
            shutil.rmtree(old, ignore_errors=True)


def verify_files(version: Path, manifest: Manifest) -> None:
    """Compare every file with the size and checksum the manifest recorded at build time."""
    if not manifest.files:
        raise IndexCorrupt(f"{version}: manifest lists no files")
    for name, expected in manifest.files.items():
        path = version / name
        if not path.is_file():
            raise IndexCorrupt(f"{version.name}/{name} is missing")
        actual = file_digest(path)
        if actual["bytes"] != expected["bytes"]:
            raise IndexCorrupt(
                f"{version.name}/{name} has {actual['bytes']} bytes, the manifest recorded "
                f"{expected['bytes']}: the file was truncated or altered after the build"
            )
        if actual["sha256"] != expected["sha256"]:
            raise IndexCorrupt(
                f"{version.name}/{name} does not match its checksum: the file was altered "
                "after the build"
            )
