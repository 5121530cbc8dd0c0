"""The extractive answerer: the few article sentences that best answer, each citing its span,
or an abstention when the evidence is weak."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from service.answering.abstention import AbstentionModel
from service.answering.context import AnswerContext
from service.answering.evidence import evidence_signals
from service.answering.features import FeatureExtractor, SentenceFeatures
from service.answering.meta import article_answer
from service.answering.protocol import Answer, Citation, abstention, answer_text
from service.answering.ranker import SentenceRanker
from service.answering.selection import AnswerConfig, Candidate, eligible, select
from service.question.query import Query
from service.retrieval.retrieve import Hit
from service.serving import ServingIndex


class _Scorer:
    """How well one sentence answers the question, by the ranker over its features (memoised)."""

    def __init__(
        self, features: FeatureExtractor, ranker: SentenceRanker, config: AnswerConfig
    ) -> None:
        self.features, self.ranker, self.config = features, ranker, config
        self._seen: dict[int, Candidate] = {}

    def __call__(self, sid: int) -> Candidate:
        if sid not in self._seen:
            features = self.features.features(sid)
            similarity = max(
                features.similarity, self.config.context_weight * features.context_similarity
            )
            self._seen[sid] = Candidate(sid, self.ranker.score(features), similarity)
        return self._seen[sid]


def candidate_features(
    index: ServingIndex,
    query: Query,
    hits: Sequence[Hit],
    config: AnswerConfig = AnswerConfig(),  # noqa: B008 - frozen dataclass
) -> list[tuple[int, SentenceFeatures]]:
    """Every eligible candidate sentence with its features: what the sentence ranker learns from."""
    context = AnswerContext(index, query, hits, config.candidate_passages)
    features = FeatureExtractor(context)
    return [
        (sid, features.features(sid))
        for sid in context.passage_rank
        if eligible(context.index, sid, config, query.intent)
    ]


def supporting_first(index: ServingIndex, hits: Sequence[Hit], sids: list[int]) -> tuple[Hit, ...]:
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


def cite(index: ServingIndex, sids: list[int]) -> tuple[Citation, ...]:
    """One citation per chosen sentence, numbered in answer order."""
    citations = []
    for n, sid in enumerate(sids, start=1):
        s = index.sentences[sid]
        doc = index.documents[s.doc_id]
        page = doc.page_at(s.start)
        citations.append(
            Citation(
                n, s.doc_id, doc.title, s.section, s.start, s.end, s.text, page, s.readable, s.kind
            )
        )
    return tuple(citations)


@dataclass(frozen=True)
class ExtractiveAnswerer:
    """Ranks candidate sentences from the top passages, abstains on weak evidence, and quotes."""

    ranker: SentenceRanker
    abstention: AbstentionModel
    config: AnswerConfig = AnswerConfig()  # noqa: RUF009 - frozen dataclass

    @property
    def candidate_passages(self) -> int:
        return self.config.candidate_passages

    def answer(self, query: Query, hits: Sequence[Hit], index: ServingIndex) -> Answer:
        context = AnswerContext(index, query, hits, self.config.candidate_passages)
        about_article = article_answer(context)
        if about_article is not None:
            return about_article
        index = context.index  # rows decoded once for this answer
        score_of = _Scorer(FeatureExtractor(context), self.ranker, self.config)
        candidates = sorted(
            (
                score_of(sid)
                for sid in context.passage_rank
                if eligible(index, sid, self.config, query.intent)
            ),
            key=lambda c: (-c.score, c.sid),
        )
        chosen = select(context, candidates, score_of, self.config) if candidates else []
        ranked = [(c.sid, c.similarity) for c in candidates]
        signals = evidence_signals(context, ranked, chosen)
        confidence = self.abstention.probability(signals)
        if not candidates or confidence < self.abstention.threshold:
            return abstention(query, hits, confidence, signals.as_dict())
        citations = cite(index, chosen)
        return Answer(
            question=query.raw,
            text=answer_text(citations),
            abstained=False,
            confidence=round(confidence, 4),
            citations=citations,
            hits=supporting_first(index, hits, chosen),
            signals=signals.as_dict(),
        )
