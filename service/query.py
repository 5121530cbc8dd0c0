"""Turning what a user typed into one typed Query: the object retrieval, features and evidence
all read, built once per request."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ingest.sentences import split_sentences
from service.intent import Intent, read_intent
from service.serving import ServingIndex

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^>]{0,500}>")
_SPACE = re.compile(r"\s+")
# The embedding model reads 256 word pieces; a long question keeps its asking sentences.
FOCUS_CHARS = 600


@dataclass(frozen=True)
class QuestionTerm:
    """A question term resolved once: the corpus term it is (typos included) and its rarity."""

    term: str
    known: str | None
    weight: float


@dataclass(frozen=True)
class Query:
    """One request's question, analysed once and handed to every later step."""

    raw: str  # what the user sent (validated, stripped)
    text: str  # markup removed, whitespace collapsed: what BM25 and the features read
    focused: str  # what the embedding model reads
    vector: np.ndarray  # the embedding of `focused`
    terms: frozenset[str]  # content terms (stemmed, long stopword list)
    resolved: tuple[QuestionTerm, ...]  # terms resolved against this index, typos included
    intent: Intent  # the kind of answer asked for

    @property
    def answer_type(self) -> str | None:
        return self.intent.answer_type


def clean_question(question: str) -> str:
    """Markup removed and whitespace collapsed; the words themselves are left alone."""
    text = _SCRIPT.sub(" ", question)
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACE.sub(" ", text).strip()


def focus_question(text: str) -> str:
    """For a long, rambling question, the sentences that ask (or the tail, where asking sits)."""
    if len(text) <= FOCUS_CHARS:
        return text
    sentences = [s.text for s in split_sentences(text)]
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    focus = " ".join(asking[-2:]) if asking else ""
    if len(focus) < 40:
        focus = " ".join(sentences[-2:]) if sentences else text
    return focus[-FOCUS_CHARS:]


def focused_text(raw: str) -> str:
    """What the embedding model reads for a raw question (cleaned, then focused)."""
    return focus_question(clean_question(raw))


def resolve_terms(index: ServingIndex, terms: frozenset[str]) -> tuple[QuestionTerm, ...]:
    """Each term with the corpus term it is (itself or the word it is a typo of) and its IDF."""
    total = len(index.sentences) or 1
    resolved = []
    for term in sorted(terms):
        known = index.lexical.known_as(term)
        frequency = index.term_frequency.get(known, 0) if known else 0
        resolved.append(QuestionTerm(term, known, math.log(1 + total / (frequency + 0.5))))
    return tuple(resolved)


def build_query(raw: str, index: ServingIndex, embed_query: Callable[[str], np.ndarray]) -> Query:
    """Clean, focus, embed once, and resolve the question's terms against this index."""
    focused = focused_text(raw)
    terms = frozenset(index.lexical.terms(focused))
    return Query(
        raw=raw,
        text=focused,
        focused=focused,
        vector=embed_query(focused),
        terms=terms,
        resolved=resolve_terms(index, terms),
        intent=read_intent(focused),
    )
