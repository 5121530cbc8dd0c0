"""Row tables read in place (index/storage/tables.py) and the per-sentence tables a build stores."""

from __future__ import annotations

import numpy as np
import pytest

from index.lexical import build_lexical, content_terms
from index.storage.sentence_tables import SentenceTables, centrality
from index.storage.tables import Ragged, RecordTable, Runs, TermSets, file_bytes, jsonl_with_offsets
from ingest.chunk import Chunk, ChunkingConfig
from ingest.corpus import read_corpus
from ingest.pipeline import prepare_documents
from tests.support.files import write_mixed_folder


def test_record_table_decodes_each_row_where_its_offsets_say(tmp_path):
    records = [{"chunk_id": f"d:{i}-{i + 1}", "doc_id": "d", "section": "S", "start": i,
                "end": i + 1, "text": "é" * i} for i in range(5)]  # fmt: skip
    data, offsets = jsonl_with_offsets(records)
    path = tmp_path / "chunks.jsonl"
    path.write_bytes(data)
    for in_place in (True, False):
        table = RecordTable(file_bytes(path, in_place), offsets, lambda raw: Chunk(**raw))
        assert len(table) == 5 and table[3] == Chunk(**records[3]) and table[-1].text == "éééé"
        assert list(table) == [Chunk(**r) for r in records] and table[1:3] == list(table)[1:3]
        with pytest.raises(IndexError):
            table[5]


def test_record_table_refuses_offsets_that_do_not_end_at_the_file(tmp_path):
    data, offsets = jsonl_with_offsets([{"a": 1}])
    with pytest.raises(ValueError, match="offsets end"):
        RecordTable(data + b"\n", offsets, dict)


def test_empty_files_read_as_empty_tables(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    _data, offsets = jsonl_with_offsets([])
    assert len(RecordTable(file_bytes(tmp_path / "empty.jsonl", True), offsets, dict)) == 0


def test_ragged_runs_and_term_sets_index_like_tuples(tmp_path):
    ragged = Ragged.of([[3, 1], [], [2]])
    assert [ragged[i] for i in range(3)] == [(3, 1), (), (2,)] and ragged[-1] == (2,)
    ragged.save(tmp_path, "r")
    assert list(Ragged.load(tmp_path, "r")) == [(3, 1), (), (2,)]
    assert list(Runs(np.array([0, 2, 2, 5]))) == [(0, 1), (), (2, 3, 4)]
    vocabulary = ("bee", "cat", "dog", "eel")
    assert TermSets(ragged, vocabulary)[0] == frozenset({"eel", "cat"})
    by_row = TermSets(ragged, vocabulary, np.array([2, 2, 0]))
    assert len(by_row) == 3 and by_row[1] == frozenset({"dog"}) and by_row[2] == {"eel", "cat"}
    with pytest.raises(IndexError):
        ragged[3]


def test_content_terms_in_a_batch_are_the_terms_of_each_text_alone():
    texts = ["What did the cats do?", "", "the a of", "Running dogs ran quickly.", "Spce!"]
    lexical = build_lexical(["cats and dogs"])
    assert content_terms(texts) == [lexical.terms(t) for t in texts]


def test_stored_sentence_tables_are_what_answering_derives(tmp_path):
    corpus = read_corpus(write_mixed_folder(tmp_path / "corpus"))
    prepared = prepare_documents(list(corpus.documents), ChunkingConfig())
    documents = {p.document.doc_id: p.document for p in prepared}
    chunks = [c for p in prepared for c in p.chunks]
    sentences = [s for p in prepared for s in p.sentences]
    vectors = np.random.default_rng(0).standard_normal((len(sentences), 8)).astype(np.float32)
    tables = SentenceTables.derive(documents, chunks, sentences, vectors)
    tables.save(tmp_path)
    loaded = SentenceTables.load(tmp_path)
    lexical = build_lexical(["some words"])
    for sid, s in enumerate(sentences):
        assert loaded.term_sets()[sid] == frozenset(lexical.terms(s.text))
        assert loaded.heading_term_sets()[sid] == frozenset(lexical.terms(s.section))
        section = int(loaded.sentence_section[sid])
        assert sid in Runs(loaded.section_starts)[section]
        assert sentences[int(loaded.section_starts[section])].section == s.section
    for row, chunk in enumerate(chunks):
        sids = loaded.chunk_sentences[row]
        assert sids == tuple(sorted(sids, key=lambda i: sentences[i].start))
        assert all(sentences[i].start < chunk.end and sentences[i].end > chunk.start for i in sids)
    frequency = loaded.term_frequency()
    some = next(iter(frequency))
    assert frequency[some] == sum(some in loaded.term_sets()[i] for i in range(len(sentences)))
    np.testing.assert_array_equal(loaded.sentence_centrality, centrality(vectors))


def test_centrality_of_float16_vectors_is_read_in_blocks_with_the_same_result(monkeypatch):
    import index.storage.sentence_tables as module

    vectors = np.random.default_rng(1).standard_normal((50, 8)).astype(np.float16)
    whole = centrality(vectors)
    monkeypatch.setattr(module, "CENTRALITY_BLOCK", 7)
    np.testing.assert_allclose(module.centrality(vectors), whole, rtol=1e-6)
