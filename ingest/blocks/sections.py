"""Sections: the runs of blocks under each heading, named by the heading as a reader reads it."""

from __future__ import annotations

from collections.abc import Iterable

from ingest.blocks.block import HEADING, Block
from ingest.blocks.plain import Spans, plain_text
from ingest.documents import Section


def heading_label(text: str, heading: Block, markup: Spans = ()) -> str:
    """A heading's words: markup dropped, whitespace collapsed."""
    return plain_text(text, heading.start, heading.end, markup)


def sections_of(
    text: str, blocks: Iterable[Block], title: str, markup: Spans = ()
) -> tuple[Section, ...]:
    """The runs of non-heading blocks, each under the heading before it (the title before the
    first heading). A heading with nothing under it makes no section."""
    sections: list[Section] = []
    heading, heading_span = title, (None, None)
    run: list[Block] = []

    def close() -> None:
        if run:
            sections.append(Section(heading, run[0].start, run[-1].end, *heading_span))
            run.clear()

    for item in sorted(blocks, key=lambda b: b.start):
        if item.kind == HEADING:
            close()
            heading = heading_label(text, item, markup) or heading
            heading_span = (item.start, item.end)
        else:
            run.append(item)
    close()
    return tuple(sections)
