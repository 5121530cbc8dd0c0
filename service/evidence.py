"""The evidence signals abstention weighs, from one question's hits and ranked candidates."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from index.load import IndexData
from service.abstain import EvidenceSignals
from service.query import expected_answer_type, provides_answer_type, rare_unknown_word
from service.retrieve import Hit
from service.sentence_rank import QuestionTerm, weighted_coverage


def evidence_signals(
    index: IndexData,
    hits: list[Hit],
    candidates: Sequence[tuple[int, float]],
    terms: set[str],
    resolved: list[QuestionTerm],
    question: str,
) -> EvidenceSignals:
    """What abstention weighs; `candidates` are (sentence id, similarity), best first."""
    top = hits[:3]
    passage_terms: set[str] = set()
    for hit in top:
        for sid in index.chunk_sentences[hit.row]:
            passage_terms |= index.sentence_terms[sid]
    dense_top = {h.row for h in hits if (h.signals.get("dense_rank") or 99) <= 3}
    bm25_top = {h.row for h in hits if (h.signals.get("bm25_rank") or 99) <= 3}
    best = candidates[0] if candidates else None
    runner_up = candidates[1][1] if len(candidates) > 1 else 0.0
    dense_scores = [h.signals["dense_score"] for h in hits if h.signals.get("dense_score")]
    return EvidenceSignals(
        best_sentence=best[1] if best else 0.0,
        best_passage=max(dense_scores, default=0.0),
        term_coverage=len(terms & passage_terms) / len(terms) if terms else 0.0,
        weighted_coverage=weighted_coverage(resolved, passage_terms),
        sentence_coverage=max(
            (weighted_coverage(resolved, index.sentence_terms[sid]) for sid, _ in candidates),
            default=0.0,
        ),
        unknown_terms=(
            sum(1 for q in resolved if q.known is None) / len(resolved) if resolved else 0.0
        ),
        type_match=float(
            any(
                provides_answer_type(kind, index.sentences[sid].text, question)
                for sid, _ in candidates[:2]
            )
        )
        if (kind := expected_answer_type(question))
        else 1.0,
        agreement=1.0 if dense_top & bm25_top else 0.0,
        margin=(best[1] - runner_up) if best else 0.0,
        rare_unknown=rare_unknown_word(question, _known_by(index, resolved)),
    )


def _known_by(index: IndexData, resolved: list[QuestionTerm]) -> Callable[[str], bool]:
    """Whether the corpus uses a question word, from the terms already resolved (typos
    included) for this question, so no word is looked up twice."""
    known = {q.term for q in resolved if q.known is not None}
    return lambda word: index.lexical.stemmer.stemWord(word) in known
