"""Turning what a user typed into one typed Query: the object retrieval, features and evidence
all read, built once per request."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np

from ingest.blocks.sentences import split_sentences
from service.question.intent import AnswerType, Intent, read_intent
from service.question.scores import QueryScores
from service.serving import ServingIndex

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^>]{0,500}>")
_SPACE = re.compile(r"\s+")
# Past this length a question is long: a rambling message, or a text that asks nothing (an
# argument, an abstract). Shorter ones are read as typed.
FOCUS_CHARS = 600
OWN_TERMS = 2  # a follow-up with this many content terms of its own is answered on them


@dataclass(frozen=True)
class QuestionTerm:
    """A question term resolved once: the corpus term it is (typos included) and its rarity."""

    term: str
    known: str | None
    weight: float


@dataclass(frozen=True)
class SearchQuery:
    """What retrieval reads of one request's question, analysed once: all /search builds."""

    raw: str  # what the user sent (validated, stripped)
    text: str  # markup removed, whitespace collapsed: what BM25 and the features read
    focused: str  # what the embedding model reads
    vector: np.ndarray  # the embedding of `focused`
    bm25_terms: tuple[str, ...]  # BM25's terms of `text`, typos corrected to the index's
    scores: QueryScores = field(compare=False, repr=False)  # cosines, computed once each


@dataclass(frozen=True)
class Query(SearchQuery):
    """One /ask request's question: what retrieval reads, and what answering reads besides."""

    terms: frozenset[str]  # content terms (stemmed, long stopword list)
    resolved: tuple[QuestionTerm, ...]  # terms resolved against this index, typos included
    intent: Intent  # the kind of answer asked for

    @property
    def answer_type(self) -> AnswerType:
        return self.intent.answer_type


def clean_question(question: str) -> str:
    """Markup removed and whitespace collapsed; the words themselves are left alone."""
    text = _SCRIPT.sub(" ", question)
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACE.sub(" ", text).strip()


def focus_question(text: str) -> str:
    """What retrieval reads. A long question that asks (a rambling message, the question in the
    middle or at the end) is read as all its asking sentences, in order: around them, personal
    context only dilutes the match. A long text that asks nothing, or too little to stand alone
    ("Any thoughts?"), keeps all its content and is read whole (the embedding model truncates
    it at its window), never cut to its tail."""
    if len(text) <= FOCUS_CHARS:
        return text
    asking = " ".join(s.plain for s in split_sentences(text) if s.is_question)
    return asking if len(asking) >= 40 else text  # 40: a clause, not a bare "Why?"


# Conversational filler around what is asked: greetings, requests to be told, thanks. Ordinary
# English politeness, stripped for retrieval only (answering still sees the whole question).
_OPENING_FILLER = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))(?: there| all| everyone)?"
    r"[\s,!.:;-]+|(?:ok(?:ay)?|so|um+|uh+|well)[\s,!.:;-]+|quick question[\s,!.:;-]+|"
    r"(?:please|pls|plz)[\s,]+|(?:can|could|would) (?:you|someone|anyone) (?:please )?"
    r"(?:tell|explain to|show|help) me[\s,]+|i (?:was|am|'m) wondering[\s,]+|"
    r"i(?:'d| would) like to know[\s,]+|i want(?:ed)? to know[\s,]+|do you know[\s,]+)+",
    re.IGNORECASE,
)
_CLOSING_FILLER = re.compile(
    r"[\s,.;!-]+(?:thanks|thank you|thx|ty|cheers)(?: (?:so|very) much| a lot| in advance)?"
    r"[\s!.:)]*$",
    re.IGNORECASE,
)


def strip_filler(text: str) -> str:
    """The question without greetings, "can you tell me", "I was wondering" or thanks around
    it; the text itself when nothing else would be left."""
    stripped = _CLOSING_FILLER.sub("", _OPENING_FILLER.sub("", text)).strip()
    return stripped if len(stripped.split()) >= 2 else text


def focused_text(raw: str) -> str:
    """What the embedding model reads for a raw question (cleaned, filler stripped, focused)."""
    return focus_question(strip_filler(clean_question(raw)))


def resolve_terms(index: ServingIndex, terms: frozenset[str]) -> tuple[QuestionTerm, ...]:
    """Each term with the corpus term it is (itself or the word it is a typo of) and its IDF."""
    total = len(index.sentences) or 1
    resolved = []
    for term in sorted(terms):
        known = index.lexical.known_as(term)
        frequency = index.term_frequency.get(known, 0) if known else 0
        resolved.append(QuestionTerm(term, known, math.log(1 + total / (frequency + 0.5))))
    return tuple(resolved)


def corrected_bm25_terms(
    index: ServingIndex, text: str, resolved: tuple[QuestionTerm, ...] = ()
) -> tuple[str, ...]:
    """The query's BM25 terms with each unknown one replaced by the corpus term it is a typo
    of ("spce" -> "space") or dropped, as a search engine's did-you-mean does against its own
    vocabulary; terms already resolved for the features are not looked up again."""
    known = {q.term: q.known for q in resolved}
    lexical = index.lexical
    corrected = (
        known[t] if t in known else lexical.known_as(t) for t in lexical.query_tokens(text)
    )
    return tuple(t for t in corrected if t is not None)


def _search_query(
    raw: str,
    focused: str,
    index: ServingIndex,
    embed_query: Callable[[str], np.ndarray],
    resolved: tuple[QuestionTerm, ...],
) -> SearchQuery:
    vector = embed_query(focused)
    return SearchQuery(
        raw=raw,
        text=focused,
        focused=focused,
        vector=vector,
        bm25_terms=corrected_bm25_terms(index, focused, resolved),
        scores=QueryScores(index, vector),
    )


def build_search_query(
    raw: str, index: ServingIndex, embed_query: Callable[[str], np.ndarray]
) -> SearchQuery:
    """Clean, focus, embed once: what retrieval alone needs (no intent, no term weights)."""
    return _search_query(raw, focused_text(raw), index, embed_query, ())


def build_query(
    raw: str,
    index: ServingIndex,
    embed_query: Callable[[str], np.ndarray],
    asked: str | None = None,
) -> Query:
    """Clean, focus, embed once, and resolve the question's terms against this index.

    `asked`: a follow-up as typed, when `raw` is it read with the earlier turns' subject.
    Retrieval reads `raw`; answering weighs the follow-up's own terms and reads its intent, so
    the earlier subject finds the passages without pulling the answer back to the earlier one
    (unless the follow-up names too little to weigh: "why?")."""
    focused = focused_text(raw)  # BM25 and the embedder both read it: whole text hurt rambling
    terms = frozenset(index.lexical.terms(focused))
    resolved = resolve_terms(index, terms)
    search = _search_query(raw, focused, index, embed_query, resolved)
    shared = {f.name: getattr(search, f.name) for f in fields(SearchQuery)}
    if asked is not None:
        own_text = focused_text(asked)
        own = frozenset(index.lexical.terms(own_text))
        if len(own) >= OWN_TERMS:  # the terms both share are resolved once (a typo look-up each)
            done = {q.term: q for q in resolved}
            fresh = {q.term: q for q in resolve_terms(index, own - done.keys())}
            own_resolved = tuple((done | fresh)[term] for term in sorted(own))
            shared["text"] = own_text
            return Query(**shared, terms=own, resolved=own_resolved, intent=read_intent(own_text))
    return Query(**shared, terms=terms, resolved=resolved, intent=read_intent(focused))
