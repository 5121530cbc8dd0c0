"""What the service derives from an index version at load time."""

from __future__ import annotations

import numpy as np

from service.serving import centrality as _centrality


def test_centrality_is_the_cosine_to_the_normalised_mean():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    got = _centrality(vectors)
    mean = vectors.mean(axis=0)
    np.testing.assert_allclose(got, vectors @ (mean / np.linalg.norm(mean)), rtol=1e-6)
    assert int(np.argmax(got)) == 2  # the sentence between the others is the most generic


def test_centrality_of_no_sentences_is_empty():
    assert _centrality(np.zeros((0, 4), dtype=np.float32)).shape == (0,)


def test_loaded_index_has_one_centrality_per_sentence(engine):
    index = engine.index
    assert index.sentence_centrality.shape == (len(index.sentences),)
    assert np.all(np.abs(index.sentence_centrality) <= 1.0 + 1e-6)


def test_every_sentence_sits_in_a_chunk_that_covers_it(engine):
    index = engine.index
    seen = set()
    for row, sids in enumerate(index.chunk_sentences):
        chunk = index.chunks[row]
        for sid in sids:
            s = index.sentences[sid]
            assert s.doc_id == chunk.doc_id and s.start < chunk.end and s.end > chunk.start
            seen.add(sid)
    assert seen == set(range(len(index.sentences)))
