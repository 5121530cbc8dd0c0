"""Retention keeps the newest intact versions by build time, and prunes the embedding cache
only of rows no kept version of any index root uses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index.build import BuildOptions, build_index
from index.incremental import apply_changes
from index.load import embedded_texts
from index.storage.manifest import IndexNotFound
from index.storage.retention import apply_retention, collect_garbage, prune_cache, scan_versions
from index.storage.store import PARTIAL_SUFFIX, VERSIONS, build_lock, current_version, publish
from ingest.chunk import ChunkingConfig
from ingest.corpus import read_corpus
from ingest.embed import EmbeddingCache
from service.config import ConfigError, settings_from_env
from tests.support.embedders import HashEmbedder
from tests.support.files import write_notes


def full_build(root: Path, folder: Path, embedder: HashEmbedder, keep: int = 3) -> Path:
    corpus = read_corpus(folder)
    return build_index(list(corpus.documents), embedder, ChunkingConfig(), root, keep_versions=keep)


def names(root: Path) -> set[str]:
    return {p.name for p in (root / VERSIONS).iterdir()}


@pytest.fixture()
def notes(tmp_path: Path) -> Path:
    return write_notes(
        tmp_path / "notes", {"tides": "Tides follow the moon.", "owls": "Owls hunt."}
    )


def test_versions_are_kept_by_build_time_and_junk_is_never_counted_or_deleted(tmp_path, notes):
    root, embedder = tmp_path / "index", HashEmbedder()
    oldest = full_build(root, notes, embedder)
    middle = full_build(root, notes, embedder)
    # The oldest version under a name that sorts last, and junk that sorts after everything.
    renamed = oldest.rename(root / VERSIONS / "99999999T999999999999-renamed")
    for junk in ("zzz-junk-1", "zzz-junk-2", "zzz-junk-3"):
        (root / VERSIONS / junk).mkdir()
    (root / VERSIONS / "zzz-junk-2" / "manifest.json").write_bytes(b"\x00\xff not json")
    damaged = root / VERSIONS / "zzz-damaged"
    shutil.copytree(middle, damaged)
    (damaged / "chunks.jsonl").write_text("altered", encoding="utf-8")

    newest = full_build(root, notes, embedder, keep=2)

    assert names(root) == {
        newest.name,
        middle.name,
        "zzz-junk-1",
        "zzz-junk-2",
        "zzz-junk-3",
        "zzz-damaged",
    }
    assert not renamed.exists()  # the oldest build went, whatever its name
    scan = scan_versions(root)
    assert [v.path.name for v in scan.intact] == [newest.name, middle.name]
    ignored = {f.name: f.reason for f in scan.ignored}
    assert set(ignored) == {"zzz-junk-1", "zzz-junk-2", "zzz-junk-3", "zzz-damaged"}
    assert ignored["zzz-junk-1"] == "it has no manifest.json"
    assert "not a valid manifest" in ignored["zzz-junk-2"]
    assert "chunks.jsonl has 7 bytes" in ignored["zzz-damaged"]


def test_the_live_version_is_never_deleted(tmp_path, notes):
    root, embedder = tmp_path / "index", HashEmbedder()
    first = full_build(root, notes, embedder)
    full_build(root, notes, embedder)
    newest = full_build(root, notes, embedder)
    publish(root, first)  # serving the oldest (an operator rolled back)
    with build_lock(root):
        report = apply_retention(root, keep=1)
    assert report.kept == (newest.name, first.name)
    assert names(root) == {newest.name, first.name}
    assert current_version(root) == first


def test_gc_clears_stale_partials_but_not_other_folders(tmp_path, notes):
    root, embedder = tmp_path / "index", HashEmbedder()
    version = full_build(root, notes, embedder)
    stale = root / VERSIONS / f"20200101T000000000000-1{PARTIAL_SUFFIX}"
    stale.mkdir()
    (stale / "chunks.jsonl").write_text("half", encoding="utf-8")
    (root / VERSIONS / "notes-by-hand").mkdir()
    report = collect_garbage(root, keep=3)
    assert report.removed_partials == (stale.name,)
    assert names(root) == {version.name, "notes-by-hand"}
    assert report.retention.kept == (version.name,) and report.cache is None


def test_gc_of_a_missing_root_says_so(tmp_path):
    with pytest.raises(IndexNotFound, match="no index at"):
        collect_garbage(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()


def rows(cache: EmbeddingCache) -> set[str]:
    return {k for (k,) in cache._db.execute("SELECT key FROM vectors")}


def used(root: Path) -> set[str]:
    keys = set()
    for version in (root / VERSIONS).iterdir():
        keys |= {EmbeddingCache.key(t) for t in embedded_texts(version)[1]}
    return keys


def test_cache_rows_are_kept_while_any_root_uses_them(tmp_path):
    cache = EmbeddingCache(tmp_path / "cache" / "embeddings.sqlite3")
    embedder = HashEmbedder(cache)
    shared = "Kelp forests shelter young fish."
    root_a, root_b = tmp_path / "a", tmp_path / "b"
    folder_a = write_notes(tmp_path / "notes-a", {"kelp": shared, "gulls": "Gulls steal chips."})
    folder_b = write_notes(tmp_path / "notes-b", {"kelp": shared, "crabs": "Crabs walk sideways."})
    options = BuildOptions(keep_versions=1)
    apply_changes(root_a, read_corpus(folder_a), embedder, options)
    apply_changes(root_b, read_corpus(folder_b), embedder, options)
    gulls = {EmbeddingCache.key("Gulls steal chips.")}
    kelp = {EmbeddingCache.key(shared)}
    assert set(cache.registered_roots()) == {root_a.resolve(), root_b.resolve()}

    # Root A drops both notes: with one version kept, nothing of A uses them any more.
    write_notes(folder_a, {"terns": "Terns dive for sand eels."})
    apply_changes(root_a, read_corpus(folder_a), embedder, options)
    assert gulls | kelp <= rows(cache)
    report = collect_garbage(root_a, keep=1, cache_path=cache.path)
    assert report.cache is not None and report.cache.deleted_rows > 0
    remaining = rows(cache)
    assert not gulls & remaining  # only A's dropped version used it
    assert kelp <= remaining  # B still uses it
    assert remaining <= used(root_a) | used(root_b)
    assert report.cache.deleted_rows == 3  # the gulls note's passage, sentence and heading

    # A build running in B: its new rows are in no version yet, so nothing is pruned.
    with build_lock(root_b):
        skipped = prune_cache(cache, root_a)
    assert skipped.deleted_rows == 0 and "a build is running" in (skipped.skipped or "")

    # Root B is gone: it is forgotten, and its rows go.
    shutil.rmtree(root_b)
    collect_garbage(root_a, keep=1, cache_path=cache.path)
    assert cache.registered_roots() == [root_a.resolve()]
    assert rows(cache) <= used(root_a) and not kelp & rows(cache)


def test_keep_versions_is_a_validated_setting():
    assert settings_from_env({"RAG_KEEP_VERSIONS": "5"}).keep_versions == 5
    assert settings_from_env({}).keep_versions == 3
    for bad in ("0", "-1", "1001"):
        with pytest.raises(ConfigError, match="RAG_KEEP_VERSIONS must be between 1 and 1000"):
            settings_from_env({"RAG_KEEP_VERSIONS": bad})
    with pytest.raises(ConfigError, match="RAG_KEEP_VERSIONS must be an integer"):
        settings_from_env({"RAG_KEEP_VERSIONS": "three"})


def test_retention_refuses_to_keep_nothing(tmp_path, notes):
    root = tmp_path / "index"
    full_build(root, notes, HashEmbedder())
    with build_lock(root), pytest.raises(ValueError, match="at least 1"):
        apply_retention(root, keep=0)
    assert json.loads((current_version(root) / "manifest.json").read_text())["build_id"]
