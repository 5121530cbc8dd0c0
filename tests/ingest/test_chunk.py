import pytest

from ingest.chunk import ChunkingConfig, chunk_sections, make_splitter
from ingest.pipeline import prepare_documents


@pytest.mark.parametrize(
    "config", [ChunkingConfig(), ChunkingConfig(300, 60), ChunkingConfig(1200, 0)]
)
def test_every_chunk_quotes_its_original_span(corpus, config):
    for prepared in prepare_documents(corpus, config):
        doc = prepared.document
        assert prepared.chunks
        for chunk in prepared.chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert len(chunk.text) <= config.chunk_size
            assert chunk.chunk_id == f"{doc.doc_id}:{chunk.start}-{chunk.end}"
            section = next(s for s in prepared.sections if s.start <= chunk.start < s.end)
            assert chunk.section == section.heading and chunk.end <= section.end
        for sentence in prepared.sentences:
            assert doc.text[sentence.start : sentence.end] == sentence.text


def test_chunks_cover_every_body_sentence(corpus):
    for prepared in prepare_documents(corpus, ChunkingConfig()):
        for sentence in prepared.sentences:
            assert any(c.start <= sentence.start and sentence.end <= c.end for c in prepared.chunks)


def test_chunks_end_on_sentence_boundaries(corpus):
    prepared = prepare_documents(corpus, ChunkingConfig(400, 80))
    for p in prepared:
        for chunk in p.chunks:
            assert (
                chunk.text[-1] in '.!?:”"’)'
                or chunk.end in {s.end for s in p.sections}
                or (p.document.text[chunk.end] == "\n")
            )


def test_chunk_ids_are_stable(corpus):
    first = [c.chunk_id for p in prepare_documents(corpus, ChunkingConfig()) for c in p.chunks]
    again = [c.chunk_id for p in prepare_documents(corpus, ChunkingConfig()) for c in p.chunks]
    assert first == again and len(set(first)) == len(first)


@pytest.mark.parametrize(
    ("size", "overlap", "message"),
    [
        (10, 0, "chunk_size must be an integer >= 50"),
        (100, 100, "must be smaller"),
        (100, -1, "chunk_overlap must be"),
    ],
)
def test_bad_chunking_config(size, overlap, message):
    with pytest.raises(ValueError, match=message):
        ChunkingConfig(size, overlap)


def test_sections_are_chunked_separately(corpus):
    doc = corpus[1]
    sections = doc.sections
    chunks = chunk_sections(doc.doc_id, doc.text, sections, make_splitter(ChunkingConfig()))
    assert {c.section for c in chunks} == {s.heading for s in sections}
