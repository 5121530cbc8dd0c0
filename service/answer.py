"""Extractive answers: the few article sentences that best answer, each citing its exact span."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from index.load import IndexData
from service.abstain import AbstentionModel
from service.evidence import evidence_signals
from service.retrieve import Hit
from service.sentence_rank import (
    CONTINUATION,
    FeatureExtractor,
    SentenceFeatures,
    SentenceRanker,
    neighbour,
    passage_ranks,
    question_terms,
    same_paragraph,
)
from service.sentence_rank import FALLBACK as FALLBACK_RANKER

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
    context_weight: float = 0.9  # for abstention: how much of its FAQ question's match it inherits
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
    similarity: float  # its own cosine, or most of its FAQ question's (for abstention)


def _eligible(index: IndexData, sid: int, config: AnswerConfig) -> bool:
    """Headings never get here; article questions, list lead-ins and fragments are no answer."""
    s = index.sentences[sid]
    text = s.text.rstrip()
    return not (
        text.endswith(("?", ":")) or (len(text.split()) < config.min_words and not s.bullet)
    )


class _Scorer:
    """How well one sentence answers the question, by the ranker over its features."""

    def __init__(
        self,
        index: IndexData,
        features: FeatureExtractor,
        ranker: SentenceRanker,
        config: AnswerConfig,
    ) -> None:
        self.index, self.features, self.ranker, self.config = index, features, ranker, config
        self._seen: dict[int, _Candidate] = {}

    def candidate(self, sid: int) -> _Candidate:
        if sid not in self._seen:
            self._seen[sid] = self._score(sid)
        return self._seen[sid]

    def _score(self, sid: int) -> _Candidate:
        features = self.features.features(sid)
        similarity = max(
            features.similarity, self.config.context_weight * features.context_similarity
        )
        return _Candidate(sid, self.ranker.score(features), similarity)

    def candidates(self) -> list[_Candidate]:
        scored = [
            self.candidate(sid)
            for sid in self.features.passage_rank
            if _eligible(self.index, sid, self.config)
        ]
        return sorted(scored, key=lambda c: (-c.score, c.sid))


def _list_around(index: IndexData, sid: int, limit: int) -> list[int]:
    """The whole bullet list that sentence `sid` belongs to (same section, consecutive items)."""
    items = [sid]
    for step in (-1, 1):
        other = neighbour(index, sid, step)
        while other is not None and index.sentences[other].bullet:
            items.append(other)
            other = neighbour(index, other, step)
    return sorted(items)[:limit]


def _list_after(index: IndexData, sid: int) -> int | None:
    """The first item of a list that `sid` introduces (directly or through a lead-in line)."""
    step = neighbour(index, sid, 1)
    if step is not None and not index.sentences[step].bullet:
        lead_in = index.sentences[step].text.rstrip().endswith(":")
        step = neighbour(index, step, 1) if lead_in else None
    return step if step is not None and index.sentences[step].bullet else None


def _window(index: IndexData, best: _Candidate, scorer: _Scorer, config: AnswerConfig) -> list[int]:
    """The best sentence, with the sentence before it when it leans on it ("This ...") and the
    sentences after it that continue it or answer nearly as well, within one paragraph."""
    chosen = [best.sid]
    previous = neighbour(index, best.sid, -1)
    if (
        CONTINUATION.match(index.sentences[best.sid].text)
        and same_paragraph(index, best.sid, previous)
        and _eligible(index, previous, config)
    ):
        chosen.insert(0, previous)
    following = neighbour(index, best.sid, 1)
    while (
        len(chosen) < config.max_sentences
        and same_paragraph(index, best.sid, following)
        and _eligible(index, following, config)
    ):
        continues = CONTINUATION.match(index.sentences[following].text)
        close = scorer.candidate(following).score >= best.score - config.follow_margin
        if not (continues or close):
            break
        chosen.append(following)
        following = neighbour(index, following, 1)
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


def _supporting_first(index: IndexData, hits: list[Hit], sids: list[int]) -> tuple[Hit, ...]:
    """The passages holding the cited sentences first, in citation order, then the rest in
    retrieval order: the sentence ranker reads passages more finely than retrieval does, and a
    reader should find citation [1] in the first passage shown. `retrieval_rank` keeps the order
    retrieval gave."""
    holder: dict[int, int] = {}
    for position, hit in enumerate(hits):
        for sid in index.chunk_sentences[hit.row]:
            holder.setdefault(sid, position)
    lead = list(dict.fromkeys(holder[sid] for sid in sids if sid in holder))
    order = lead + [p for p in range(len(hits)) if p not in lead]
    return tuple(
        replace(hits[p], rank=rank, signals={**hits[p].signals, "retrieval_rank": hits[p].rank})
        for rank, p in enumerate(order, start=1)
    )


def _extractor(
    retrieval_text: str,
    query_vector: np.ndarray,
    hits: list[Hit],
    index: IndexData,
    config: AnswerConfig,
) -> FeatureExtractor:
    terms = set(index.lexical.terms(retrieval_text))
    resolved = question_terms(index, terms)
    ranks = passage_ranks(index, [hit.row for hit in hits[: config.candidate_passages]])
    return FeatureExtractor(index, query_vector, terms, resolved, retrieval_text, ranks)


def candidate_features(
    retrieval_text: str,
    query_vector: np.ndarray,
    hits: list[Hit],
    index: IndexData,
    config: AnswerConfig = AnswerConfig(),
) -> list[tuple[int, SentenceFeatures]]:
    """Every eligible candidate sentence with its features: what the sentence ranker learns from."""
    features = _extractor(retrieval_text, query_vector, hits, index, config)
    return [
        (sid, features.features(sid))
        for sid in features.passage_rank
        if _eligible(index, sid, config)
    ]


def compose_answer(
    question: str,
    retrieval_text: str,
    query_vector: np.ndarray,
    hits: list[Hit],
    index: IndexData,
    abstention: AbstentionModel,
    config: AnswerConfig = AnswerConfig(),
    ranker: SentenceRanker = FALLBACK_RANKER,
) -> Answer:
    """Pick the answering sentences from the hits, or abstain when the evidence is weak."""
    features = _extractor(retrieval_text, query_vector, hits, index, config)
    terms, resolved = features.terms, features.resolved
    scorer = _Scorer(index, features, ranker, config)
    candidates = scorer.candidates()
    ranked = [(c.sid, c.similarity) for c in candidates]
    signals = evidence_signals(index, hits, ranked, terms, resolved, retrieval_text)
    confidence = abstention.probability(signals)
    if not candidates or confidence < abstention.threshold:
        return Answer(
            question, NO_ANSWER, True, round(confidence, 4), (), tuple(hits), signals.as_dict()
        )
    citations = []
    chosen = _select(index, candidates, scorer, retrieval_text, config)
    for n, sid in enumerate(chosen, start=1):
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
        _supporting_first(index, hits, chosen),
        signals.as_dict(),
    )
