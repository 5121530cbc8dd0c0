"""The corpus's managed files: the removal list the reader honours, the uploads folder's own
metadata.json, and edits that can be undone exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.corpus import read_corpus, scan_corpus
from ingest.documents import CorpusError
from ingest.managed import (
    REMOVED_FILE,
    FileEdit,
    apply_edits,
    read_removed,
    removed_json,
    undo_edits,
)
from ingest.metadata import (
    UPLOADS_METADATA,
    DocumentMetadata,
    metadata_json,
    read_metadata,
    read_metadata_file,
)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_removal_list_reads_back_what_was_written(tmp_path: Path):
    assert read_removed(tmp_path) == frozenset()
    (tmp_path / REMOVED_FILE).write_bytes(removed_json(["b.txt", "a/c.md", "b.txt"]))
    assert read_removed(tmp_path) == {"a/c.md", "b.txt"}
    assert json.loads((tmp_path / REMOVED_FILE).read_text()) == {"removed": ["a/c.md", "b.txt"]}


@pytest.mark.parametrize("content", ["{not json", '{"removed": "a.txt"}', '{"gone": []}', "[]"])
def test_a_broken_removal_list_is_a_corpus_error_naming_it(tmp_path: Path, content: str):
    (tmp_path / REMOVED_FILE).write_text(content)
    with pytest.raises(CorpusError, match=r"\.rag-removed\.json"):
        read_removed(tmp_path)


def test_the_reader_and_the_scan_leave_removed_files_out(tmp_path: Path):
    (tmp_path / "keep.txt").write_text("Kept\n\nThis document stays.\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "gone.txt").write_text("Gone\n\nThis document was removed.\n")
    (tmp_path / "metadata.json").write_text(
        json.dumps({"documents": [{"source": "sub/gone.txt", "title": "Gone"}]})
    )
    assert {d.source for d in read_corpus(tmp_path).documents} == {"keep.txt", "sub/gone.txt"}
    (tmp_path / REMOVED_FILE).write_bytes(removed_json(["sub/gone.txt"]))
    read = read_corpus(tmp_path)
    assert [d.source for d in read.documents] == ["keep.txt"]
    assert read.skipped == ()  # metadata.json's entry for a removed file is no problem
    assert set(scan_corpus(tmp_path)) == set(read.files) == {"keep.txt", "metadata.json"}


def test_the_uploads_folder_keeps_its_own_metadata(tmp_path: Path):
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "n.md").write_text("# Own Title\n\nBody text of the upload.\n")
    entries = {"n.md": DocumentMetadata(doc_id="chosen", author="A. Writer")}
    (tmp_path / UPLOADS_METADATA).write_bytes(metadata_json(entries))
    assert read_metadata_file(tmp_path / UPLOADS_METADATA) == entries
    assert read_metadata(tmp_path) == {"uploads/n.md": entries["n.md"]}
    read = read_corpus(tmp_path)
    (document,) = read.documents
    assert (document.doc_id, document.title, document.author) == (
        "chosen",
        "Own Title",
        "A. Writer",
    )
    assert read.skipped == ()  # the uploads' metadata.json is metadata, not a skipped file
    assert UPLOADS_METADATA in read.files  # and hashed, so editing it is a corpus change


def test_edits_are_undone_exactly(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(b"old a")
    (tmp_path / "b.txt").write_bytes(b"old b")
    before = files(tmp_path)
    applied = apply_edits(
        tmp_path,
        [
            FileEdit("a.txt", b"new a"),
            FileEdit("b.txt", None),
            FileEdit("uploads/deep/c.md", b"new c"),
            FileEdit("a.txt", b"newer a"),
        ],
    )
    assert files(tmp_path) == {"a.txt": b"newer a", "uploads/deep/c.md": b"new c"}
    undo_edits(applied)
    assert files(tmp_path) == before


def test_an_edit_that_fails_undoes_the_ones_before_it(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(b"old a")
    (tmp_path / "blocker").write_bytes(b"a file where a folder would go")
    before = files(tmp_path)
    with pytest.raises(CorpusError, match=r"cannot write blocker/c\.md"):
        apply_edits(tmp_path, [FileEdit("a.txt", b"new a"), FileEdit("blocker/c.md", b"c")])
    assert files(tmp_path) == before
