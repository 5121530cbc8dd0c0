"""From a document to what the index stores: sections, chunks and answerable sentences."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.chunk import Chunk, ChunkingConfig, chunk_sections, make_splitter
from ingest.documents import Document, Section
from ingest.sentences import split_sentences


@dataclass(frozen=True)
class SentenceRecord:
    """A sentence with its document and section, the unit an answer quotes."""

    doc_id: str
    section: str
    start: int
    end: int
    text: str
    bullet: bool = False


@dataclass(frozen=True)
class PreparedDocument:
    """A document with the chunks and sentences cut from its sections."""

    document: Document
    sections: tuple[Section, ...]
    chunks: tuple[Chunk, ...]
    sentences: tuple[SentenceRecord, ...]


def prepare_documents(
    documents: list[Document], config: ChunkingConfig, *, with_sentences: bool = True
) -> list[PreparedDocument]:
    """Chunk and (optionally) segment every document's sections (its reader found them)."""
    splitter = make_splitter(config)
    prepared = []
    for doc in documents:
        sections = doc.sections
        chunks = chunk_sections(doc.doc_id, doc.text, sections, splitter)
        sentences = (
            tuple(
                SentenceRecord(doc.doc_id, section.heading, s.start, s.end, s.text, s.bullet)
                for section in sections
                for s in split_sentences(doc.text, section.start, section.end)
            )
            if with_sentences
            else ()
        )
        prepared.append(PreparedDocument(doc, sections, tuple(chunks), sentences))
    return prepared
