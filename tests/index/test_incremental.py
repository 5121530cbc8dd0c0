"""Incremental builds redo only what changed, and write exactly what a full build would."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.build import (
    build_index,
    chunk_inputs,
    embedding_groups,
    section_headings,
)
from index.incremental import UnknownDocument, add_documents, remove_documents
from index.load import load_index
from index.storage.manifest import Manifest
from index.storage.store import VERSIONS, current_version
from ingest.chunk import ChunkingConfig
from ingest.corpus import read_corpus, read_source
from ingest.documents import EmptyCorpus, bytes_hash
from ingest.pipeline import prepare_documents
from tests.support.files import NEW_SOURCE, NEW_TEXT
from tests.support.indexes import apply_folder, digests


def texts_of(documents) -> list[str]:
    """What a build embeds for these documents, in the order it embeds them."""
    prepared = prepare_documents(list(documents), ChunkingConfig())
    passages = [t for p in prepared for t in chunk_inputs(p.document, p.chunks)]
    headings = [h for p in prepared for h in section_headings(p.sentences)]
    everything = list(
        dict.fromkeys(passages + [s.text for p in prepared for s in p.sentences] + headings)
    )
    return [everything[i] for group in embedding_groups(everything) for i in group]


def test_an_unchanged_corpus_publishes_nothing_and_embeds_nothing(articles, tmp_path, counting):
    root = tmp_path / "index"
    first = apply_folder(root, articles, counting)
    assert first.published and first.full_reason == "there is no index yet"
    counting.reset()
    again = apply_folder(root, articles, counting)
    assert not again.published and again.version == first.version == current_version(root)
    assert counting.calls == 0
    assert len(again.changes.unchanged) == 2 and not again.changes.redone
    assert [p.name for p in (root / VERSIONS).iterdir()] == [first.version.name]


def test_only_added_and_changed_documents_are_chunked_and_embedded(mixed, tmp_path, counting):
    root = tmp_path / "index"
    apply_folder(root, mixed, counting)
    before = load_index(root)
    assert before.lexical.tokens("garlic cloves")

    (mixed / "compost.txt").write_text(
        (mixed / "compost.txt").read_text() + "\nA heap that smells of ammonia needs more brown "
        "material such as dry leaves.\n",
        encoding="utf-8",
    )
    (mixed / NEW_SOURCE).parent.mkdir()
    (mixed / NEW_SOURCE).write_text(NEW_TEXT, encoding="utf-8")
    (mixed / "garlic.html").unlink()
    counting.reset()
    result = apply_folder(root, mixed, counting)

    corpus = read_corpus(mixed)
    by_id = {d.doc_id: d for d in corpus.documents}
    assert result.published
    assert result.changes.added == ("notes--otters.txt",)
    assert result.changes.changed == ("compost.txt",)
    assert result.changes.removed == ("garlic.html",)
    assert set(result.changes.unchanged) == {
        "guides--bees.pdf",
        "guides--sourdough.md",
        "guides--pumps.docx",
    }
    # exactly the new and the edited document's passages and sentences were embedded
    assert counting.texts == texts_of([by_id["compost.txt"], by_id["notes--otters.txt"]])

    after = load_index(root)
    assert "garlic.html" not in after.documents
    assert all(c.doc_id != "garlic.html" for c in after.chunks)
    assert all(s.doc_id != "garlic.html" for s in after.sentences)
    assert "garlic.html" not in {d.doc_id for d in after.manifest.documents}
    assert "garlic.html" not in after.manifest.corpus_files
    assert not after.lexical.tokens("garlic cloves")
    assert after.dense.ntotal == len(after.chunks) == after.manifest.counts["chunks"]
    assert len(after.sentence_vectors) == len(after.sentences)

    for doc_id in result.changes.unchanged:  # the same records and vectors, the same ids
        old_rows = [i for i, c in enumerate(before.chunks) if c.doc_id == doc_id]
        new_rows = [i for i, c in enumerate(after.chunks) if c.doc_id == doc_id]
        assert [before.chunks[i] for i in old_rows] == [after.chunks[i] for i in new_rows]
        old = before.dense.reconstruct_n(0, before.dense.ntotal)[old_rows]
        new = after.dense.reconstruct_n(0, after.dense.ntotal)[new_rows]
        assert np.array_equal(old, new)
        old_s = [i for i, s in enumerate(before.sentences) if s.doc_id == doc_id]
        new_s = [i for i, s in enumerate(after.sentences) if s.doc_id == doc_id]
        assert np.array_equal(before.sentence_vectors[old_s], after.sentence_vectors[new_s])


def test_an_incremental_build_equals_a_full_build_of_the_same_corpus(mixed, tmp_path, counting):
    root = tmp_path / "index"
    apply_folder(root, mixed, counting)
    (mixed / "guides" / "sourdough.md").write_text(
        "# Keeping a Sourdough Starter\n\nFeed it flour and water every day.\n", encoding="utf-8"
    )
    (mixed / "compost.txt").unlink()
    (mixed / "otters.txt").write_text(NEW_TEXT, encoding="utf-8")
    incremental = apply_folder(root, mixed, counting)
    assert incremental.published and incremental.full_reason is None

    corpus = read_corpus(mixed)
    scratch = tmp_path / "scratch"
    build_index(
        list(corpus.documents),
        counting,
        ChunkingConfig(),
        scratch,
        corpus_files=corpus.files,
        skipped=corpus.skipped,
    )
    assert digests(incremental.version) == digests(current_version(scratch))
    built, full = Manifest.read(incremental.version), Manifest.read(current_version(scratch))
    assert built.documents == full.documents
    assert (built.corpus_files, built.skipped) == (full.corpus_files, full.skipped)
    assert built.counts == full.counts and built.files == full.files
    assert load_index(root).documents == load_index(scratch).documents


def test_a_change_of_author_only_publishes_without_embedding(articles, tmp_path, counting):
    root = tmp_path / "index"
    apply_folder(root, articles, counting)
    metadata = json.loads((articles / "metadata.json").read_text(encoding="utf-8"))
    metadata["documents"][0]["author"] = "A. N. Other"
    source = metadata["documents"][0]["source"]
    (articles / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    counting.reset()
    result = apply_folder(root, articles, counting)
    assert result.published and counting.calls == 0
    assert len(result.changes.unchanged) == 2
    authors = {d.source: d.author for d in load_index(root).documents.values()}
    assert authors[source] == "A. N. Other"


def test_other_chunking_redoes_every_document(articles, tmp_path, counting):
    root = tmp_path / "index"
    apply_folder(root, articles, counting)
    result = apply_folder(root, articles, counting, chunking=ChunkingConfig(400, 80))
    assert result.published and "chunk_size" in (result.full_reason or "")
    assert load_index(root).manifest.chunking == {"chunk_size": 400, "chunk_overlap": 80}


def test_documents_are_added_and_removed_one_by_one(mixed, tmp_path, counting):
    root = tmp_path / "index"
    apply_folder(root, mixed, counting)
    (mixed / NEW_SOURCE).parent.mkdir()
    (mixed / NEW_SOURCE).write_text(NEW_TEXT, encoding="utf-8")
    document = read_source(mixed, NEW_SOURCE)
    counting.reset()
    files = {NEW_SOURCE: bytes_hash((mixed / NEW_SOURCE).read_bytes())}
    added = add_documents(root, [document], counting, files=files)
    assert added.published and added.changes.added == (document.doc_id,)
    assert counting.texts == texts_of([document])
    assert document.doc_id in load_index(root).documents
    # the corpus now holds the file, and a build of it finds nothing to do
    assert not apply_folder(root, mixed, counting).published

    counting.reset()
    removed = remove_documents(root, [document.doc_id, "compost.txt"], counting)
    assert removed.published and counting.calls == 0
    index = load_index(root)
    assert not {document.doc_id, "compost.txt"} & set(index.documents)
    assert all(c.doc_id not in {document.doc_id, "compost.txt"} for c in index.chunks)
    assert NEW_SOURCE not in index.manifest.corpus_files

    with pytest.raises(UnknownDocument, match="no-such-doc"):
        remove_documents(root, ["no-such-doc"], counting)
    with pytest.raises(EmptyCorpus, match="empty index"):
        remove_documents(root, list(index.documents), counting)
    assert load_index(root).version == index.version  # the refusals changed nothing
