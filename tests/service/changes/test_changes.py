"""`rag add` and `rag remove`, run as a user runs them: what they print, what they store, and
that a rebuild of the corpus afterwards finds nothing to change."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from index.load import load_index
from ingest.folder.managed import REMOVED_FILE
from ingest.folder.metadata import UPLOADS_METADATA
from service.indexing import build as build_corpus
from tests.support.admin import corpus_files
from tests.support.files import MARKDOWN, PLAIN
from tests.support.paths import CORPUS, STONEFIELD
from tests.support.rag import run_rag

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist


@pytest.fixture()
def scratch(tmp_path, settings, embedder):
    """A copy of the bundled corpus with its own index (built from the session's warm cache)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    scratch = replace(settings, corpus_dir=corpus, index_dir=tmp_path / "index")
    build_corpus(scratch, embedder)
    return scratch


def rag(settings, *args: str):
    return run_rag(settings, *args, "--corpus", str(settings.corpus_dir))


def users_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A lone Markdown file, and a folder with a subfolder, a .png and a hidden file."""
    lone = tmp_path / "mine" / "starter.md"
    lone.parent.mkdir()
    lone.write_text(MARKDOWN)
    notes = tmp_path / "mine" / "notes"
    (notes / "sub").mkdir(parents=True)
    (notes / "compost.txt").write_text(PLAIN)
    (notes / "sub" / "peppers.md").write_text("# Peppers\n\nPeppers want soil above 18 °C.\n")
    (notes / "sub" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (notes / ".draft.md").write_text("# Draft\n\nNot for the corpus.\n")
    return lone, notes


@pytest.mark.timeout(600)
def test_add_and_remove_then_a_rebuild_publishes_nothing(scratch, tmp_path):
    lone, notes = users_folder(tmp_path)
    added = rag(scratch, "add", str(lone), str(notes))
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == [
        "added uploads/starter.md as starter.md",
        "added uploads/notes/compost.txt as notes--compost.txt",
        "added uploads/notes/sub/peppers.md as notes--sub--peppers.md",
        *[line for line in added.stdout.splitlines() if line.startswith("published index version")],
    ]
    assert "(3 added, 0 changed, 0 removed, 2 unchanged)" in added.stdout
    assert f"warning: skipped {notes / 'sub' / 'photo.png'}: unsupported file type" in added.stderr
    uploads = scratch.corpus_dir / "uploads"
    assert (uploads / "notes" / "sub" / "peppers.md").read_bytes() == (
        notes / "sub" / "peppers.md"
    ).read_bytes()
    assert not (uploads / "notes" / ".draft.md").exists()
    assert not (uploads / "notes" / "sub" / "photo.png").exists()
    served = load_index(scratch.index_dir).documents
    assert {"starter.md", "notes--compost.txt", "notes--sub--peppers.md"} < served.keys()
    assert served["starter.md"].sections[0].heading == "Keeping a Sourdough Starter"

    again = rag(scratch, "index")
    assert again.returncode == 0 and "nothing published" in again.stdout, again.stderr

    removed = rag(scratch, "remove", "starter.md", "why-men-pull-away")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.splitlines()[:2] == [
        "removed starter.md: deleted uploads/starter.md",
        f"removed why-men-pull-away: its file {STONEFIELD} stays in the corpus, listed in "
        ".rag-removed.json",
    ]
    assert "(0 added, 0 changed, 2 removed, 3 unchanged)" in removed.stdout
    assert not (uploads / "starter.md").exists()
    assert (scratch.corpus_dir / STONEFIELD).read_bytes() == (CORPUS / STONEFIELD).read_bytes()
    assert json.loads((scratch.corpus_dir / REMOVED_FILE).read_text()) == {"removed": [STONEFIELD]}
    recorded = json.loads((scratch.corpus_dir / UPLOADS_METADATA).read_text())["documents"]
    assert [entry["source"] for entry in recorded] == ["notes/compost.txt", "notes/sub/peppers.md"]

    after = load_index(scratch.index_dir)
    again = rag(scratch, "index")
    assert again.returncode == 0 and "nothing published" in again.stdout, again.stderr
    full = rag(scratch, "index", "--full")  # every document made afresh from the corpus
    assert full.returncode == 0, full.stderr
    assert load_index(scratch.index_dir).documents == after.documents


@pytest.mark.timeout(600)
def test_bad_paths_and_unknown_ids_fail_and_change_nothing(scratch, tmp_path):
    lone, notes = users_folder(tmp_path)
    version = load_index(scratch.index_dir).version
    before = corpus_files(scratch.corpus_dir)
    cases = [
        (["add", str(tmp_path / "nowhere.md")], "error: no such file or folder: "),
        (["add", str(scratch.corpus_dir / STONEFIELD)], "is already inside the corpus"),
        (["add", str(tmp_path)], "holds the corpus itself"),
        (["add", str(lone), str(notes / "sub" / "photo.png")], "unsupported file type '.png'"),
        (["add", str(notes / ".draft.md")], "is hidden"),
        (["remove", "why-men-pull-away", "no-such-doc"], "no document 'no-such-doc'"),
    ]
    for args, words in cases:
        result = rag(scratch, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.startswith("error: ") and words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert corpus_files(scratch.corpus_dir) == before
    assert load_index(scratch.index_dir).version == version


@pytest.mark.timeout(600)
def test_add_without_an_index_builds_the_whole_corpus(tmp_path, settings):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    fresh = replace(settings, corpus_dir=corpus, index_dir=tmp_path / "index")
    lone, _notes = users_folder(tmp_path)
    added = rag(fresh, "add", str(lone))
    assert added.returncode == 0, added.stderr
    assert "building the whole corpus instead" in added.stderr
    assert set(load_index(fresh.index_dir).documents) == {
        "emotional-distancing-in-men",
        "why-men-pull-away",
        "starter.md",
    }
