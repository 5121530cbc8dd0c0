"""Building an index of a mixed-format folder: what the manifest and documents.jsonl keep."""

from __future__ import annotations

from dataclasses import replace

from index.build import build_index
from index.load import load_index
from index.storage.manifest import Manifest, corpus_file_changes
from index.storage.store import current_version
from ingest.chunk import ChunkingConfig
from ingest.corpus import SkippedFile, read_corpus, scan_corpus
from service.indexing import ensure_index


def test_the_manifest_records_the_scan_and_the_skipped_files(mixed, tmp_path, embedder):
    corpus = read_corpus(mixed)
    root = tmp_path / "index"
    build_index(
        list(corpus.documents),
        embedder,
        ChunkingConfig(),
        root,
        corpus_files=corpus.files,
        skipped=corpus.skipped,
    )
    manifest = Manifest.read(current_version(root))
    assert manifest.corpus_files == scan_corpus(mixed)
    assert [s.source for s in manifest.skipped] == ["latin1.txt", "photo.png"]
    assert all(isinstance(s, SkippedFile) and s.reason for s in manifest.skipped)
    assert corpus_file_changes(manifest, scan_corpus(mixed)) == []

    index = load_index(root)  # documents.jsonl keeps sections, pages and spans exactly
    assert index.documents == {d.doc_id: d for d in corpus.documents}
    pdf = index.documents["guides--bees.pdf"]
    assert len(pdf.pages) == 2
    for chunk in index.chunks:
        assert index.documents[chunk.doc_id].text[chunk.start : chunk.end] == chunk.text


def test_manifests_written_before_the_scan_still_read_and_count_as_changed(tmp_path, mixed):
    old = Manifest(1, "b", "t", {}, {}, "", [], {})
    assert (old.corpus_files, old.skipped) == ({}, [])
    assert corpus_file_changes(old, scan_corpus(mixed)) == [
        "the index records no corpus file hashes (built by an older version)"
    ]


def test_start_up_compares_file_hashes_and_rebuilds_only_on_a_change(
    mixed, tmp_path, scratch_settings, embedder
):
    settings = replace(scratch_settings, corpus_dir=mixed, index_dir=tmp_path / "index")
    first = ensure_index(settings, embedder)
    assert ensure_index(settings, embedder).version == first.version
    (mixed / "photo.png").write_bytes(b"\x89PNG another picture")  # skipped, but listed
    second = ensure_index(settings, embedder)
    assert second.version != first.version
    assert second.manifest.corpus_files["photo.png"] != first.manifest.corpus_files["photo.png"]
    assert set(second.documents) == set(first.documents)
