"""The corpus's managed files: the removal list the reader honours and the uploads folder's own
metadata.json (what a file in uploads/ that it does not list becomes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.corpus import read_corpus, scan_corpus
from ingest.documents import CorpusError
from ingest.folder.managed import REMOVED_FILE, read_removed, removed_json
from ingest.folder.metadata import (
    UPLOADS_METADATA,
    DocumentMetadata,
    metadata_json,
    read_metadata,
    read_metadata_file,
)


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


def test_a_file_in_uploads_that_its_metadata_does_not_list_is_skipped_not_derived(tmp_path: Path):
    (tmp_path / "own.md").write_text("# Own\n\nThe user's own file.\n")
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "listed.md").write_text("# Listed\n\nAn upload.\n")
    (tmp_path / "uploads" / "left.md").write_text("# Left\n\nA leftover nobody recorded.\n")
    entries = {"listed.md": DocumentMetadata(doc_id="listed")}
    (tmp_path / UPLOADS_METADATA).write_bytes(metadata_json(entries))
    read = read_corpus(tmp_path)
    assert sorted(d.doc_id for d in read.documents) == ["listed", "own.md"]
    (skipped,) = read.skipped
    assert skipped.source == "uploads/left.md"
    assert "not listed in uploads/metadata.json" in skipped.warning()
