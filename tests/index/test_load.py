"""load_documents serves one kept version's text, verified, for `?version=V`."""

from __future__ import annotations

import pytest

from index.build import BuildOptions
from index.incremental import apply_changes
from index.load import load_documents
from index.storage.manifest import IndexCorrupt, IndexNotFound
from ingest.corpus import read_corpus
from tests.support.embedders import HashEmbedder
from tests.support.files import write_notes


def test_each_kept_version_serves_its_own_text_until_it_is_pruned(tmp_path):
    root, folder, embedder = tmp_path / "index", tmp_path / "notes", HashEmbedder()
    options = BuildOptions(keep_versions=2)
    write_notes(folder, {"tides": "Tides follow the moon."})
    first = apply_changes(root, read_corpus(folder), embedder, options).version.name
    write_notes(folder, {"tides": "Tides follow the moon and the sun."})
    second = apply_changes(root, read_corpus(folder), embedder, options).version.name

    assert "the moon." in load_documents(root, first)["tides.txt"].text
    assert "and the sun" in load_documents(root, second)["tides.txt"].text

    write_notes(folder, {"tides": "Spring tides come twice a month."})
    apply_changes(root, read_corpus(folder), embedder, options)
    with pytest.raises(IndexNotFound, match="no longer kept"):
        load_documents(root, first)
    assert "and the sun" in load_documents(root, second)["tides.txt"].text


@pytest.mark.parametrize("name", ["20990101T000000000000-1", "../index", ".hidden", "x.partial"])
def test_unknown_or_unsafe_versions_are_not_found(tmp_path, name):
    root = tmp_path / "index"
    apply_changes(root, read_corpus(write_notes(tmp_path / "n", {"owls": "Owls."})), HashEmbedder())
    with pytest.raises(IndexNotFound, match="no index version"):
        load_documents(root, name)


def test_altered_documents_are_refused(tmp_path):
    root = tmp_path / "index"
    built = apply_changes(
        root, read_corpus(write_notes(tmp_path / "n", {"owls": "Owls hunt."})), HashEmbedder()
    )
    path = built.version / "documents.jsonl"
    path.write_text(path.read_text().replace("Owls hunt", "Owls sing"), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=r"versions/.*/documents.jsonl does not match"):
        load_documents(root, built.version.name)
