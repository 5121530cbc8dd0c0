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
            assert len(chunk.readable) <= config.chunk_size  # as read: markers, wraps aside
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


def test_a_wrapped_section_is_cut_by_its_sentences_not_its_lines():
    from ingest.corpus import build_document

    paragraph = (
        "Every line of this paragraph is wrapped at a narrow column, the way plain text\n"
        "files and READMEs are written. A chunk may end only where a sentence or a block\n"
        "ends, never where a line merely wraps. "
    )
    text = "Wrapped Notes\n\n" + "\n\n".join([paragraph.strip()] * 6) + "\n"
    [prepared] = prepare_documents(
        [build_document("notes.txt", text.encode())], ChunkingConfig(300, 60)
    )
    assert len(prepared.chunks) > 1
    for chunk in prepared.chunks:
        assert chunk.readable.rstrip()[-1] in ".!?" and "\n" not in chunk.readable.strip(
            "\n"
        ).replace("\n", "", 0)
        assert text[chunk.start : chunk.end] == chunk.text


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
    splitter = make_splitter(ChunkingConfig())
    chunks = chunk_sections(doc.doc_id, doc.text, sections, doc.blocks, splitter, doc.markup)
    assert {c.section for c in chunks} == {s.heading for s in sections}
