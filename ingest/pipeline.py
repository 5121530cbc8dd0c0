"""From a document to what the index stores: sections, chunks and quotable sentences."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.blocks.block import LIST_ITEM, PARAGRAPH
from ingest.blocks.sentences import block_units, is_lead_in, is_question
from ingest.chunk import Chunk, ChunkingConfig, chunk_sections, make_splitter
from ingest.documents import Document, Section


@dataclass(frozen=True)
class SentenceRecord:
    """A quotable unit with its document and section: a sentence, a list item, or a whole code
    block or table (`kind`, the kind of block it comes from). `text` is exactly what it cites;
    `plain` is how it reads when that differs (wrapped lines, markup), else ""."""

    doc_id: str
    section: str
    start: int
    end: int
    text: str
    kind: str = PARAGRAPH
    plain: str = ""

    @property
    def readable(self) -> str:
        """What is embedded, matched and shown: the unit as it reads."""
        return self.plain or self.text

    @property
    def bullet(self) -> bool:
        return self.kind == LIST_ITEM

    @property
    def is_question(self) -> bool:
        return is_question(self.readable)

    @property
    def is_lead_in(self) -> bool:
        return is_lead_in(self.readable)


@dataclass(frozen=True)
class PreparedDocument:
    """A document with the chunks and sentences cut from its sections."""

    document: Document
    sections: tuple[Section, ...]
    chunks: tuple[Chunk, ...]
    sentences: tuple[SentenceRecord, ...]


def document_sentences(doc: Document) -> tuple[SentenceRecord, ...]:
    """Every quotable unit of a document, each under its section, in reading order."""
    ordered = sorted(doc.blocks, key=lambda b: b.start)
    records = []
    for section in doc.sections:
        for unit in ordered:
            if unit.start < section.start or unit.end > section.end:
                continue
            for s in block_units(doc.text, unit, doc.markup):
                plain = "" if s.plain == s.text else s.plain
                records.append(
                    SentenceRecord(
                        doc.doc_id, section.heading, s.start, s.end, s.text, s.kind, plain
                    )
                )
    return tuple(records)


def prepare_documents(
    documents: list[Document], config: ChunkingConfig, *, with_sentences: bool = True
) -> list[PreparedDocument]:
    """Chunk and (optionally) segment every document's sections (its reader found them)."""
    splitter = make_splitter(config)
    prepared = []
    for doc in documents:
        chunks = chunk_sections(
            doc.doc_id, doc.text, doc.sections, doc.blocks, splitter, doc.markup
        )
        sentences = document_sentences(doc) if with_sentences else ()
        prepared.append(PreparedDocument(doc, doc.sections, tuple(chunks), sentences))
    return prepared
