"""Section-aware chunking along block and sentence boundaries, with offsets into the file.

A section is read as its blocks joined by blank lines, each block as it reads (wrapping
collapsed, markup dropped: ingest/blocks/plain.py); langchain's splitter cuts that reading,
and each piece is mapped back to its exact span in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingest.blocks.block import Block
from ingest.blocks.plain import Spans, joined_view
from ingest.documents import Section

if TYPE_CHECKING:  # langchain takes 0.2 s to import: only a build that chunks pays for it
    from langchain_text_splitters import RecursiveCharacterTextSplitter

# Paragraphs first, then lines (list items), then sentences, then words as a last resort.
_SEPARATORS = ["\n\n", "\n", r"(?<=[.!?][\"”’)])\s+|(?<=[.!?])\s+", " ", ""]


@dataclass(frozen=True)
class ChunkingConfig:
    """How passages are cut; recorded in the index manifest so a mismatch can be detected."""

    chunk_size: int = 800  # tuned on the suites (evaluation/fitting/tune.py)
    chunk_overlap: int = 160

    def __post_init__(self) -> None:
        if not isinstance(self.chunk_size, int) or self.chunk_size < 50:
            raise ValueError(f"chunk_size must be an integer >= 50, got {self.chunk_size!r}")
        if not isinstance(self.chunk_overlap, int) or self.chunk_overlap < 0:
            raise ValueError(f"chunk_overlap must be an integer >= 0, got {self.chunk_overlap!r}")
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than "
                f"chunk_size ({self.chunk_size})"
            )


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: `text == original[start:end]`, and the id is stable across builds.
    `plain` is how it reads when that differs from `text` (wrapped lines, markup), else ""."""

    chunk_id: str
    doc_id: str
    section: str
    start: int
    end: int
    text: str
    plain: str = ""

    @property
    def readable(self) -> str:
        """What is embedded and matched: the passage as it reads."""
        return self.plain or self.text


class ChunkOffsetError(RuntimeError):
    """A chunk could not be located in its source text; indexing it would break citations."""


def make_splitter(config: ChunkingConfig) -> RecursiveCharacterTextSplitter:
    """The langchain splitter configured to keep sentence ends with their sentence."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=config.chunk_size,
        chunk_overlap=config.chunk_overlap,
        separators=_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )


def chunk_sections(
    doc_id: str,
    text: str,
    sections: Sequence[Section],
    blocks: Sequence[Block],
    splitter: RecursiveCharacterTextSplitter,
    markup: Spans = (),
) -> list[Chunk]:
    """Split each section's reading on its own, so no chunk straddles two headings."""
    ordered = sorted(blocks, key=lambda b: b.start)
    chunks: list[Chunk] = []
    for section in sections:
        spans = [
            (b.start, b.end)
            for b in ordered
            if b.start >= section.start and b.end <= section.end and b.kind != "heading"
        ]
        view = joined_view(text, spans or [(section.start, section.end)], markup)
        cursor = 0
        for piece in splitter.split_text(view.plain):
            found = view.plain.find(piece, cursor)
            if found < 0:
                found = view.plain.find(piece)
            if found < 0:
                raise ChunkOffsetError(f"{doc_id}: chunk {piece[:40]!r} not found in its section")
            start, end = view.span(found, found + len(piece))
            raw = text[start:end]
            chunks.append(
                Chunk(
                    f"{doc_id}:{start}-{end}",
                    doc_id,
                    section.heading,
                    start,
                    end,
                    raw,
                    "" if piece == raw else piece,
                )
            )
            cursor = found + 1
    return chunks
