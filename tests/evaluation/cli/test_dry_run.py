"""Commands do what they say: every `rag` command that takes --dry-run writes nothing (the
index root and the corpus byte for byte as before), and a folder named only to check a suite
against (--corpus) is read into a scratch index, never into the configured one."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import typer.main

from service.cli.app import app
from service.config import Settings
from service.engine import INDEX_ABSTENTION
from service.indexing import build
from tests.support.paths import CORPUS
from tests.support.rag import invoke
from tests.support.suites import subset_lines


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file's bytes and every link's target under `root`, by relative path."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = f"-> {path.readlink()}"
        elif path.is_file():
            found[name] = path.read_bytes()
    return found


def commands_taking_dry_run() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(
        name
        for name, command in group.commands.items()  # type: ignore[attr-defined]
        if any("--dry-run" in getattr(p, "opts", ()) for p in command.params)
    )


def test_every_dry_run_writes_nothing_with_or_without_another_corpus(
    scratch_settings: Settings, embedder, tmp_path: Path
):
    assert commands_taking_dry_run() == ["calibrate"]  # a new one must be added below
    build(scratch_settings, embedder)
    other = tmp_path / "other-folder"
    shutil.copytree(CORPUS, other)
    suite = tmp_path / "mine.jsonl"
    suite.write_text("\n".join(subset_lines()) + "\n", encoding="utf-8")
    watched = (scratch_settings.index_dir, CORPUS, other)
    before = [snapshot(root) for root in watched]
    for extra in ([], ["--corpus", str(other)]):
        result = invoke(scratch_settings, "calibrate", str(suite), "--dry-run", *extra)
        assert result.exit_code == 0, result.output
        assert "--dry-run:" in result.output and "not written" in result.output
        assert [snapshot(root) for root in watched] == before


def test_another_corpus_is_read_into_a_scratch_index_and_never_published(
    scratch_settings: Settings, embedder, tmp_path: Path
):
    build(scratch_settings, embedder)
    other = tmp_path / "other-folder"
    shutil.copytree(CORPUS, other)
    (other / "extra.md").write_text("# Extra\n\nOnly the other folder holds this page.\n")
    suite = tmp_path / "mine.jsonl"
    suite.write_text("\n".join(subset_lines()) + "\n", encoding="utf-8")
    configured = snapshot(scratch_settings.index_dir)
    result = invoke(scratch_settings, "calibrate", str(suite), "--corpus", str(other))
    assert result.exit_code == 0, result.output
    assert "not written: --corpus" in result.output
    assert snapshot(scratch_settings.index_dir) == configured
    assert not (scratch_settings.index_dir / INDEX_ABSTENTION).exists()
    # this folder's own scratch root (the cache, and so its scratch roots, may be shared)
    digest = hashlib.sha256(str(other.resolve()).encode()).hexdigest()[:16]
    scratch = scratch_settings.cache_dir / "scratch-indexes" / f"{other.name}-{digest}"
    assert any(p.name == "manifest.json" for p in scratch.rglob("manifest.json"))
