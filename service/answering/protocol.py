"""The answer a service gives, and the seam any answerer plugs into.

An `Answerer` takes the typed query and the ranked hits and returns an `Answer` whose every
sentence is a quote with its exact span, or an abstention. The extractive answerer is the one
this service ships; a language model that must quote what it cites would be another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from service.question.query import Query
from service.retrieval.retrieve import Hit
from service.serving import ServingIndex

NO_ANSWER = "The articles do not answer this question."


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str
    section: str
    start: int
    end: int
    quote: str  # exactly text[start:end] of the document
    page: int | None = None  # where the source has pages
    display: str = ""  # the quote as read: wrapping collapsed, inline markup dropped
    kind: str = "paragraph"  # the kind of block it quotes: paragraph, list_item, code, table ...

    @property
    def shown(self) -> str:
        return self.display or self.quote


def answer_text(citations: Sequence[Citation]) -> str:
    """The answer as read: each quote as it reads, followed by its marker."""
    return " ".join(f"{c.shown} [{c.n}]" for c in citations)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    abstained: bool
    confidence: float
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    signals: dict[str, float] = field(default_factory=dict)


class Answerer(Protocol):
    """Turns a query and its ranked passages into a cited answer or an abstention."""

    @property
    def candidate_passages(self) -> int:
        """How many ranked passages it wants to read."""
        ...

    def answer(self, query: Query, hits: Sequence[Hit], index: ServingIndex) -> Answer:
        """The answer; every citation's quote equals its document's text[start:end]."""
        ...


def abstention(query: Query, hits: Sequence[Hit], confidence: float, signals: dict) -> Answer:
    """An honest "the articles do not answer", with the hits kept as related reading."""
    return Answer(query.raw, NO_ANSWER, True, round(confidence, 4), (), tuple(hits), signals)
