"""Example questions the served documents suggest themselves, for the page's hint.

A corpus's own questions are the best examples: headings that ask, or the short questions its
text asks (an FAQ's). Failing those, one is made from a section heading ("What do the documents
say about Feeding in the Fridge?"). Nothing here is about any one corpus: the examples change
with the documents served, and are read once per index load from its first rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ingest.blocks.sentences import is_question
from ingest.documents import Document
from ingest.pipeline import SentenceRecord

MAX_WORDS = 14
MAX_DOCUMENTS = 50  # enough to find examples; a million-document index is not walked
MAX_SENTENCES = 5_000
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-Z]\.\d+(?:\.\d+)*\.?)\s+")


def _label(heading: str) -> str:
    """A heading without its section number ("4.4. Did you ...?" -> "Did you ...?")."""
    return _NUMBERING.sub("", heading).strip()


def _asked(documents: Iterable[Document]) -> list[str]:
    """Headings that are questions (an FAQ's, a guide's "How do I ...?")."""
    return [
        label
        for doc in documents
        for section in doc.sections
        if is_question(label := _label(section.heading)) and 3 <= len(label.split()) <= MAX_WORDS
    ]


def _questions(sentences: Iterable[SentenceRecord]) -> list[str]:
    """Short questions the documents' own sentences ask."""
    return [
        s.readable
        for s in sentences
        if s.is_question and not s.bullet and 4 <= len(s.readable.split()) <= MAX_WORDS
    ]


def _about(documents: Iterable[Document]) -> list[str]:
    """A question about a section of each document, when nothing in them asks."""
    made = []
    for doc in documents:
        for section in doc.sections:
            label = _label(section.heading)
            if label != doc.title and label[:1].isupper() and 1 <= len(label.split()) <= 6:
                made.append(f"What do the documents say about {label}?")
                break
    return made


def example_questions(
    documents: Sequence[Document], sentences: Sequence[SentenceRecord], limit: int = 3
) -> tuple[str, ...]:
    """Up to `limit` questions drawn from the documents' own words, questions first."""
    first = documents[:MAX_DOCUMENTS]
    found = _asked(first)
    if len(found) < limit:
        found += _questions(sentences[: min(len(sentences), MAX_SENTENCES)])
    if len(found) < limit:
        found += _about(first)
    return tuple(dict.fromkeys(found))[:limit]
