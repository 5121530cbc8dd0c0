"""Extractive answers: the few article sentences that best answer, each citing its exact span."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from index.load import IndexData
from service.abstain import AbstentionModel, EvidenceSignals
from service.query import expected_answer_type, provides_answer_type
from service.retrieve import Hit

NO_ANSWER = "The articles do not answer this question."
_LIST_CUE = re.compile(
    r"\b(signs?|ways?|steps?|tips?|approach(es)?|strateg(y|ies)|list|things|what (can|should) "
    r"(i|you|we)|how (can|should|do) (i|you|we)|examples?|behaviou?rs?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AnswerConfig:
    """How many sentences an answer may use, and how candidates are weighed."""

    candidate_passages: int = 5
    max_sentences: int = 3
    max_list_items: int = 5
    keep_margin: float = 0.05  # sentences from elsewhere must score within this of the best
    follow_margin: float = 0.15  # the next sentence of the paragraph joins within this
    list_margin: float = 0.1  # a list question takes a list scoring within this of the best
    other_doc_margin: float = 0.1  # the other article's best sentence joins within this
    duplicate_cosine: float = 0.9  # two sentences this similar say the same thing
    lexical_weight: float = 0.5
    rank_weight: float = 0.05
    context_weight: float = 0.9  # how much of its question's or lead-in's match a sentence inherits
    min_words: int = 4


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str
    section: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    abstained: bool
    confidence: float
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    signals: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Candidate:
    sid: int
    score: float
    similarity: float


# A sentence opening like this continues the one before it (and reads badly alone).
_CONTINUATION = re.compile(
    r"^(this|these|that|those|it|they|such|instead|rather|however|additionally|as a result|"
    r"because|so|yet|but|in such cases)\b",
    re.IGNORECASE,
)


def _eligible(index: IndexData, sid: int, config: AnswerConfig) -> bool:
    """Headings never get here; article questions, list lead-ins and fragments are no answer."""
    s = index.sentences[sid]
    text = s.text.rstrip()
    return not (
        text.endswith(("?", ":")) or (len(text.split()) < config.min_words and not s.bullet)
    )


def _neighbour(index: IndexData, sid: int, step: int) -> int | None:
    other = sid + step
    if not 0 <= other < len(index.sentences):
        return None
    a, b = index.sentences[sid], index.sentences[other]
    return other if (a.doc_id, a.section) == (b.doc_id, b.section) else None


def _context(index: IndexData, sid: int) -> list[int]:
    """Sentences that say what `sid` answers: the article's own question right before it (FAQ),
    or for a list item the list's lead-in and the sentence before that."""
    previous = _neighbour(index, sid, -1)
    if not index.sentences[sid].bullet:
        if previous is not None and index.sentences[previous].text.rstrip().endswith("?"):
            return [previous]
        return []
    while previous is not None and index.sentences[previous].bullet:
        previous = _neighbour(index, previous, -1)
    if previous is None:
        return []
    before = _neighbour(index, previous, -1)
    return [previous] if before is None else [previous, before]


class _Scorer:
    """How well one sentence answers the question: its meaning, its words and its passage."""

    def __init__(
        self,
        index: IndexData,
        hits: list[Hit],
        query_vector: np.ndarray,
        terms: set[str],
        config: AnswerConfig,
    ) -> None:
        self.index, self.query, self.terms, self.config = index, query_vector, terms, config
        self.rank: dict[int, int] = {}
        for hit in hits[: config.candidate_passages]:
            for sid in index.chunk_sentences[hit.row]:
                self.rank.setdefault(sid, hit.rank)

    def similarity(self, sid: int) -> float:
        vectors = self.index.sentence_vectors
        own = float(vectors[sid] @ self.query)
        inherited = [float(vectors[o] @ self.query) for o in _context(self.index, sid)]
        return max([own] + [self.config.context_weight * v for v in inherited])

    def candidate(self, sid: int) -> _Candidate:
        similarity = self.similarity(sid)
        words = self.index.sentence_terms[sid]
        overlap = len(self.terms & words) / len(self.terms) if self.terms else 0.0
        rank = self.rank.get(sid)
        prior = self.config.rank_weight / rank if rank else 0.0
        return _Candidate(
            sid, similarity + self.config.lexical_weight * overlap + prior, similarity
        )

    def candidates(self) -> list[_Candidate]:
        scored = [
            self.candidate(sid) for sid in self.rank if _eligible(self.index, sid, self.config)
        ]
        return sorted(scored, key=lambda c: (-c.score, c.sid))


def _list_around(index: IndexData, sid: int, limit: int) -> list[int]:
    """The whole bullet list that sentence `sid` belongs to (same section, consecutive items)."""
    items = [sid]
    for step in (-1, 1):
        other = _neighbour(index, sid, step)
        while other is not None and index.sentences[other].bullet:
            items.append(other)
            other = _neighbour(index, other, step)
    return sorted(items)[:limit]


def _list_after(index: IndexData, sid: int) -> int | None:
    """The first item of a list that `sid` introduces (directly or through a lead-in line)."""
    step = _neighbour(index, sid, 1)
    if step is not None and not index.sentences[step].bullet:
        lead_in = index.sentences[step].text.rstrip().endswith(":")
        step = _neighbour(index, step, 1) if lead_in else None
    return step if step is not None and index.sentences[step].bullet else None


def _same_paragraph(index: IndexData, a: int, b: int | None) -> bool:
    return b is not None and index.sentence_paragraph[a] == index.sentence_paragraph[b]


def _window(index: IndexData, best: _Candidate, scorer: _Scorer, config: AnswerConfig) -> list[int]:
    """The best sentence, with the sentence before it when it leans on it ("This ...") and the
    sentences after it that continue it or answer nearly as well, within one paragraph."""
    chosen = [best.sid]
    previous = _neighbour(index, best.sid, -1)
    if (
        _CONTINUATION.match(index.sentences[best.sid].text)
        and _same_paragraph(index, best.sid, previous)
        and _eligible(index, previous, config)
    ):
        chosen.insert(0, previous)
    following = _neighbour(index, best.sid, 1)
    while (
        len(chosen) < config.max_sentences
        and _same_paragraph(index, best.sid, following)
        and _eligible(index, following, config)
    ):
        continues = _CONTINUATION.match(index.sentences[following].text)
        close = scorer.candidate(following).score >= best.score - config.follow_margin
        if not (continues or close):
            break
        chosen.append(following)
        following = _neighbour(index, following, 1)
    return chosen


def _select(
    index: IndexData,
    candidates: list[_Candidate],
    scorer: _Scorer,
    question: str,
    config: AnswerConfig,
) -> list[int]:
    best = candidates[0]
    if _LIST_CUE.search(question):
        for candidate in candidates:
            if candidate.score < best.score - config.list_margin:
                break
            sid = candidate.sid
            item = sid if index.sentences[sid].bullet else _list_after(index, sid)
            if item is not None:
                return _list_around(index, item, config.max_list_items)
    chosen = _window(index, best, scorer, config)
    vectors = index.sentence_vectors
    anchor_doc = index.sentences[best.sid].doc_id
    other_doc_taken = False
    for candidate in candidates[1:]:
        if len(chosen) >= config.max_sentences:
            break
        other_doc = index.sentences[candidate.sid].doc_id != anchor_doc and not other_doc_taken
        margin = config.other_doc_margin if other_doc else config.keep_margin
        if candidate.score < best.score - margin or candidate.sid in chosen:
            continue
        if any(
            float(vectors[candidate.sid] @ vectors[c]) > config.duplicate_cosine for c in chosen
        ):
            continue
        chosen.append(candidate.sid)
        other_doc_taken = other_doc_taken or other_doc
    # Read in article order within a document; documents in order of their best sentence.
    doc_order: dict[str, int] = {}
    for sid in chosen:
        doc_order.setdefault(index.sentences[sid].doc_id, len(doc_order))
    return sorted(chosen, key=lambda sid: (doc_order[index.sentences[sid].doc_id], sid))


@dataclass(frozen=True)
class _QuestionTerm:
    """A question term resolved once: the corpus term it is (typos included) and its rarity."""

    term: str
    known: str | None
    weight: float


def _question_terms(index: IndexData, terms: set[str]) -> list[_QuestionTerm]:
    total = len(index.sentences) or 1
    resolved = []
    for term in sorted(terms):
        known = index.lexical.known_as(term)
        frequency = index.term_frequency.get(known, 0) if known else 0
        resolved.append(_QuestionTerm(term, known, math.log(1 + total / (frequency + 0.5))))
    return resolved


def _weighted_coverage(question_terms: list[_QuestionTerm], found: set[str]) -> float:
    """Coverage where rare terms count most: missing "oxytocin" matters, missing "men" not."""
    weights = sum(q.weight for q in question_terms)
    covered = sum(q.weight for q in question_terms if q.term in found or q.known in found)
    return covered / weights if weights else 0.0


def _signals(
    index: IndexData,
    hits: list[Hit],
    candidates: list[_Candidate],
    terms: set[str],
    question: str,
) -> EvidenceSignals:
    top = hits[:3]
    passage_terms: set[str] = set()
    for hit in top:
        for sid in index.chunk_sentences[hit.row]:
            passage_terms |= index.sentence_terms[sid]
    dense_top = {h.row for h in hits if (h.signals.get("dense_rank") or 99) <= 3}
    bm25_top = {h.row for h in hits if (h.signals.get("bm25_rank") or 99) <= 3}
    best = candidates[0] if candidates else None
    runner_up = candidates[1].similarity if len(candidates) > 1 else 0.0
    dense_scores = [h.signals["dense_score"] for h in hits if h.signals.get("dense_score")]
    resolved = _question_terms(index, terms)
    return EvidenceSignals(
        best_sentence=best.similarity if best else 0.0,
        best_passage=max(dense_scores, default=0.0),
        term_coverage=len(terms & passage_terms) / len(terms) if terms else 0.0,
        weighted_coverage=_weighted_coverage(resolved, passage_terms),
        sentence_coverage=max(
            (_weighted_coverage(resolved, index.sentence_terms[c.sid]) for c in candidates),
            default=0.0,
        ),
        unknown_terms=(
            sum(1 for q in resolved if q.known is None) / len(resolved) if resolved else 0.0
        ),
        type_match=float(
            any(
                provides_answer_type(kind, index.sentences[c.sid].text, question)
                for c in candidates[:2]
            )
        )
        if (kind := expected_answer_type(question))
        else 1.0,
        agreement=1.0 if dense_top & bm25_top else 0.0,
        margin=(best.similarity - runner_up) if best else 0.0,
    )


def compose_answer(
    question: str,
    retrieval_text: str,
    query_vector: np.ndarray,
    hits: list[Hit],
    index: IndexData,
    abstention: AbstentionModel,
    config: AnswerConfig = AnswerConfig(),
) -> Answer:
    """Pick the answering sentences from the hits, or abstain when the evidence is weak."""
    terms = set(index.lexical.terms(retrieval_text))
    scorer = _Scorer(index, hits, query_vector, terms, config)
    candidates = scorer.candidates()
    signals = _signals(index, hits, candidates, terms, retrieval_text)
    confidence = abstention.probability(signals)
    if not candidates or confidence < abstention.threshold:
        return Answer(
            question, NO_ANSWER, True, round(confidence, 4), (), tuple(hits), signals.as_dict()
        )
    citations = []
    for n, sid in enumerate(_select(index, candidates, scorer, retrieval_text, config), start=1):
        s = index.sentences[sid]
        title = index.documents[s.doc_id].title
        citations.append(Citation(n, s.doc_id, title, s.section, s.start, s.end, s.text))
    text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return Answer(
        question,
        text,
        False,
        round(confidence, 4),
        tuple(citations),
        tuple(hits),
        signals.as_dict(),
    )
