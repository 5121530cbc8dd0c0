"""At start-up a broken `current` falls back to the newest intact version; a rebuild happens only
when no intact version is left (and auto-build is on)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from index.build import build_index
from index.load import load_index
from index.storage.manifest import IndexCorrupt, IndexNotFound
from index.storage.recovery import require_something_to_serve
from index.storage.store import CURRENT, VERSIONS, current_version
from ingest.chunk import ChunkingConfig
from ingest.corpus import read_corpus
from ingest.embed import Purpose
from service.indexing import ensure_index, serving_purpose


def two_versions(settings, embedder) -> tuple[Path, Path]:
    """Two full builds of the configured corpus (as `rag index --full` twice): A, then B."""
    corpus = read_corpus(settings.corpus_dir)
    paths = [
        build_index(
            list(corpus.documents),
            embedder,
            ChunkingConfig(),
            settings.index_dir,
            corpus_files=corpus.files,
            skipped=corpus.skipped,
        )
        for _ in range(2)
    ]
    return paths[0], paths[1]


def edit_manifest(version: Path, **changes: object) -> None:
    path = version / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}), encoding="utf-8")


def random_bytes(version: Path) -> None:
    (version / "manifest.json").write_bytes(os.urandom(600))


def not_utf8(version: Path) -> None:
    (version / "manifest.json").write_bytes(b'{"build_id": "\xff\xfe"}')


def truncate_dense(version: Path) -> None:
    dense = version / "dense.faiss"
    dense.write_bytes(dense.read_bytes()[:100])


def current_a_directory(version: Path) -> None:
    link = version.parent.parent / CURRENT
    link.unlink()
    shutil.copytree(version, link)  # even an intact copy is not a version under versions/


def current_dangling(version: Path) -> None:
    link = version.parent.parent / CURRENT
    link.unlink()
    link.symlink_to(Path(VERSIONS) / "20990101T000000000000-gone")


# (damage to version B or to `current`, whether B itself stays intact)
DAMAGE: dict[str, tuple[Callable[[Path], None], bool]] = {
    "manifest of random bytes": (random_bytes, False),
    "manifest not UTF-8": (not_utf8, False),
    "files as a list": (lambda v: edit_manifest(v, files=["dense.faiss"]), False),
    "model as a string": (lambda v: edit_manifest(v, model="all-MiniLM-L6-v2"), False),
    "documents not a list": (lambda v: edit_manifest(v, documents="all"), False),
    "a truncated file": (truncate_dense, False),
    "current a directory": (current_a_directory, True),
    "current a dangling link": (current_dangling, True),
    "current missing": (lambda v: (v.parent.parent / CURRENT).unlink(), True),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_start_up_falls_back_to_the_newest_intact_version(kind, scratch_settings, counting):
    a, b = two_versions(scratch_settings, counting)
    damage, b_stays_intact = DAMAGE[kind]
    damage(b)
    counting.reset()
    lines: list[str] = []
    index = ensure_index(scratch_settings, counting, log=lines.append)
    expected = b if b_stays_intact else a
    assert index.version == expected.name
    assert current_version(scratch_settings.index_dir) == expected  # re-pointed
    assert counting.calls == 0  # nothing rebuilt, nothing embedded
    assert len(lines) == 1 and f"serving the newest intact version {expected.name}" in lines[0]
    assert str(scratch_settings.index_dir) not in lines[0]
    assert b.exists()  # the damaged version is left for a person to look at
    # the next start finds `current` good and says nothing
    assert ensure_index(scratch_settings, counting, log=lines.append).version == expected.name
    assert len(lines) == 1


def test_a_directory_in_place_of_current_is_moved_aside_not_deleted(scratch_settings, counting):
    _, b = two_versions(scratch_settings, counting)
    current_a_directory(b)
    ensure_index(scratch_settings, counting)
    displaced = list(scratch_settings.index_dir.glob(f"{CURRENT}.displaced-*"))
    assert len(displaced) == 1 and (displaced[0] / "manifest.json").is_file()


def test_without_an_intact_version_it_rebuilds_only_with_auto_build(scratch_settings, counting):
    a, b = two_versions(scratch_settings, counting)
    random_bytes(a)
    truncate_dense(b)
    strict = replace(scratch_settings, auto_build=False)
    with pytest.raises(IndexCorrupt) as refused:
        ensure_index(strict, counting)
    message = str(refused.value)
    assert f"versions/{b.name}/dense.faiss has 100 bytes" in message
    assert "no intact version to fall back to" in message and "RAG_AUTO_BUILD is off" in message
    assert current_version(scratch_settings.index_dir) == b  # refusing changed nothing

    lines: list[str] = []
    index = ensure_index(scratch_settings, counting, log=lines.append)
    assert index.version not in {a.name, b.name}
    assert "rebuilding the index" in lines[0]
    assert load_index(scratch_settings.index_dir).version == index.version


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (current_a_directory, "current is a directory, not a link to a version"),
        (current_dangling, "current points at versions/20990101T000000000000-gone"),
    ],
)
def test_a_broken_current_is_index_corrupt_on_load(scratch_settings, counting, damage, words):
    _, b = two_versions(scratch_settings, counting)
    damage(b)
    with pytest.raises(IndexCorrupt, match=words):
        load_index(scratch_settings.index_dir)


def test_choosing_the_embedder_survives_a_broken_current(scratch_settings, counting):
    _, b = two_versions(scratch_settings, counting)
    current_dangling(b)
    assert serving_purpose(scratch_settings) is Purpose.QUERY  # no IndexCorrupt before fallback


def test_an_empty_root_is_refused_before_anything_loads(tmp_path: Path) -> None:
    for root in (tmp_path / "missing", tmp_path / "empty"):
        (tmp_path / "empty" / VERSIONS).mkdir(parents=True, exist_ok=True)
        with pytest.raises(IndexNotFound, match="run `rag index` to build one"):
            require_something_to_serve(root)
    (tmp_path / "empty" / VERSIONS / "20260101T000000-1.partial").mkdir()  # a build under way
    require_something_to_serve(tmp_path / "empty")
    (tmp_path / "dangling").mkdir()
    (tmp_path / "dangling" / CURRENT).symlink_to("versions/gone")  # broken: full start-up says so
    require_something_to_serve(tmp_path / "dangling")
