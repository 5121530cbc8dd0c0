"""The journal of a corpus change: applied, finished or rolled back, the corpus is exactly the
old one or the new one, whatever point a crash stopped it at."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.documents import CorpusError, bytes_hash
from ingest.folder.journal import (
    JOURNAL_FILE,
    STAGING_DIR,
    FileEdit,
    begin,
    pending,
    recover,
    remove_orphans,
)

EDITS = [
    FileEdit("a.txt", b"new a"),
    FileEdit("b.txt", None),
    FileEdit("uploads/deep/c.md", b"new c"),
    FileEdit("a.txt", b"newer a"),
]
NEW = {"a.txt": b"newer a", "uploads/deep/c.md": b"new c"}


def files(root: Path) -> dict[str, bytes]:
    """The corpus as a reader sees it: visible files only (the journal and staging are hidden)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_bytes(b"old a")
    (tmp_path / "b.txt").write_bytes(b"old b")
    return tmp_path


def expect() -> dict[str, str | None]:
    return {
        "a.txt": bytes_hash(b"newer a"),
        "b.txt": None,
        "uploads/deep/c.md": bytes_hash(b"new c"),
    }


def test_begin_touches_nothing_visible_and_apply_then_finish_leaves_the_new_corpus(corpus: Path):
    before = files(corpus)
    change = begin(corpus, EDITS, expect())
    assert files(corpus) == before
    assert pending(corpus) == change
    change.apply()
    assert files(corpus) == NEW
    change.finish()
    assert files(corpus) == NEW
    assert pending(corpus) is None
    assert not (corpus / STAGING_DIR / change.name).exists()


def test_a_roll_back_after_any_number_of_steps_restores_the_old_corpus(corpus: Path):
    before = files(corpus)
    for applied in range(len(EDITS) + 1):
        change = begin(corpus, EDITS, expect())
        for step in change.steps[:applied]:  # a crash after `applied` of the steps
            type(change)(corpus, change.name, (step,), change.expect).apply()
        change.roll_back()
        assert files(corpus) == before, f"after {applied} steps"
        assert pending(corpus) is None


def test_recover_finishes_a_published_change_and_undoes_an_unpublished_one(corpus: Path):
    before = files(corpus)
    begin(corpus, EDITS, expect()).apply()
    assert recover(corpus, {"a.txt": bytes_hash(b"old a"), "b.txt": bytes_hash(b"old b")})
    assert files(corpus) == before
    begin(corpus, EDITS, expect()).apply()
    published = {"a.txt": bytes_hash(b"newer a"), "uploads/deep/c.md": bytes_hash(b"new c")}
    assert "published" in recover(corpus, published)
    assert files(corpus) == NEW
    assert recover(corpus, published) is None  # nothing left to do


def test_recover_without_an_index_rolls_back(corpus: Path):
    before = files(corpus)
    begin(corpus, EDITS, expect()).apply()
    assert "rolled back" in recover(corpus, None)
    assert files(corpus) == before


def test_orphaned_temporary_files_and_staging_go_but_user_files_stay(corpus: Path):
    (corpus / "uploads" / "deep").mkdir(parents=True)
    leftovers = [corpus / ".a.txt.1234.tmp", corpus / "uploads" / "deep" / ".c.md.99.tmp"]
    for path in leftovers:
        path.write_bytes(b"half")
    (corpus / "notes").mkdir()
    users = corpus / "notes" / ".draft.12.tmp"  # in the user's own folder: not ours to delete
    users.write_bytes(b"mine")
    (corpus / STAGING_DIR / "dead").mkdir(parents=True)
    assert remove_orphans(corpus) == 3
    assert not any(p.exists() for p in leftovers) and users.exists()
    assert not (corpus / STAGING_DIR / "dead").exists()


def test_a_journal_that_cannot_be_read_is_an_error_naming_it(corpus: Path):
    (corpus / JOURNAL_FILE).write_text("{half a jour")
    with pytest.raises(CorpusError, match="restore the corpus by hand"):
        pending(corpus)


def test_a_failed_begin_leaves_no_journal_and_no_staging(corpus: Path):
    (corpus / STAGING_DIR).write_bytes(b"a file where the staging folder would go")
    with pytest.raises(OSError):
        begin(corpus, EDITS, expect())
    assert pending(corpus) is None
    assert files(corpus) == {"a.txt": b"old a", "b.txt": b"old b"}
