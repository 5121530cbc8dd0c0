"""Extractive answers: the few article sentences that best answer, each citing its exact span."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from index.load import IndexData
from service.abstain import AbstentionModel, EvidenceSignals
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
    keep_margin: float = 0.05  # further sentences must score within this of the best
    duplicate_cosine: float = 0.9  # two sentences this similar say the same thing
    lexical_weight: float = 0.3
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


def _eligible(index: IndexData, sid: int, config: AnswerConfig) -> bool:
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


def _candidates(
    index: IndexData,
    hits: list[Hit],
    query_vector: np.ndarray,
    terms: set[str],
    config: AnswerConfig,
) -> list[_Candidate]:
    best_rank: dict[int, int] = {}
    for hit in hits[: config.candidate_passages]:
        for sid in index.chunk_sentences[hit.row]:
            best_rank.setdefault(sid, hit.rank)
    scored = []
    for sid, rank in best_rank.items():
        if not _eligible(index, sid, config):
            continue
        vectors = index.sentence_vectors
        similarity = float(vectors[sid] @ query_vector)
        for other in _context(index, sid):
            similarity = max(
                similarity, config.context_weight * float(vectors[other] @ query_vector)
            )
        overlap = len(terms & index.sentence_terms[sid]) / len(terms) if terms else 0.0
        score = similarity + config.lexical_weight * overlap + config.rank_weight / rank
        scored.append(_Candidate(sid, score, similarity))
    return sorted(scored, key=lambda c: (-c.score, c.sid))


def _list_around(index: IndexData, sid: int, limit: int) -> list[int]:
    """The whole bullet list that sentence `sid` belongs to (same section, consecutive items)."""
    anchor = index.sentences[sid]
    items = [sid]
    for step in (-1, 1):
        other = sid + step
        while 0 <= other < len(index.sentences):
            s = index.sentences[other]
            if not s.bullet or s.doc_id != anchor.doc_id or s.section != anchor.section:
                break
            items.append(other)
            other += step
    return sorted(items)[:limit]


def _list_after(index: IndexData, sid: int) -> int | None:
    """The first item of a list that `sid` introduces (directly or through a lead-in line)."""
    step = _neighbour(index, sid, 1)
    if step is not None and not index.sentences[step].bullet:
        step = (
            _neighbour(index, step, 1)
            if index.sentences[step].text.rstrip().endswith(":")
            else None
        )
    return step if step is not None and index.sentences[step].bullet else None


def _select(
    index: IndexData, candidates: list[_Candidate], question: str, config: AnswerConfig
) -> list[int]:
    best = candidates[0]
    if _LIST_CUE.search(question):
        item = best.sid if index.sentences[best.sid].bullet else _list_after(index, best.sid)
        if item is not None:
            return _list_around(index, item, config.max_list_items)
    chosen = [best.sid]
    for candidate in candidates[1:]:
        if len(chosen) >= config.max_sentences or candidate.score < best.score - config.keep_margin:
            break
        vectors = index.sentence_vectors
        if any(
            float(vectors[candidate.sid] @ vectors[c]) > config.duplicate_cosine for c in chosen
        ):
            continue
        chosen.append(candidate.sid)
    # Read in article order within a document; documents in order of their best sentence.
    doc_order = {index.sentences[sid].doc_id: i for i, sid in reversed(list(enumerate(chosen)))}
    return sorted(chosen, key=lambda sid: (doc_order[index.sentences[sid].doc_id], sid))


def _signals(
    index: IndexData, hits: list[Hit], candidates: list[_Candidate], terms: set[str]
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
    best_terms = index.sentence_terms[best.sid] if best else frozenset()
    dense_scores = [h.signals["dense_score"] for h in hits if h.signals.get("dense_score")]
    return EvidenceSignals(
        best_sentence=best.similarity if best else 0.0,
        best_passage=max(dense_scores, default=0.0),
        term_coverage=len(terms & passage_terms) / len(terms) if terms else 0.0,
        sentence_coverage=len(terms & best_terms) / len(terms) if terms else 0.0,
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
    candidates = _candidates(index, hits, query_vector, terms, config)
    signals = _signals(index, hits, candidates, terms)
    confidence = abstention.probability(signals)
    if not candidates or confidence < abstention.threshold:
        return Answer(
            question, NO_ANSWER, True, round(confidence, 4), (), tuple(hits), signals.as_dict()
        )
    citations = []
    for n, sid in enumerate(_select(index, candidates, retrieval_text, config), start=1):
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
