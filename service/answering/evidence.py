"""The evidence signals abstention weighs, from one question's hits and ranked candidates."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bm25s.stopwords import STOPWORDS_EN_PLUS
from wordfreq import zipf_frequency

from service.answering.abstention import EvidenceSignals
from service.answering.features import weighted_coverage
from service.intent import provides_answer_type
from service.query import Query
from service.retrieval.retrieve import Hit
from service.serving import ServingIndex

_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)
COMMON_ZIPF = 6.0  # "the" is about 7.7, "guy" 5.4, "freud" 3.5, "oxytocin" 2.8


def load_word_frequencies() -> None:
    """Load wordfreq's English list now (about 0.3 s) rather than on the first question."""
    zipf_frequency("question", "en")


def rare_unknown_word(question: str, known: Callable[[str], bool]) -> float:
    """How rare in everyday English the rarest question word is that the articles never use.

    A question about "oxytocin" or "Freud" names something the articles would have to mention
    to answer it; a question using "guy" or "clearly" does not. Words English does not know
    at all (another language, a garbled typo) tell nothing either way and count as 0.
    """
    rarest = 0.0
    for word in set(_WORD.findall(question.lower())) - _STOPWORDS:
        zipf = zipf_frequency(word, "en")
        rarity = max(COMMON_ZIPF - zipf, 0.0) / COMMON_ZIPF
        if zipf > 0 and rarity > rarest and not known(word):  # the corpus check costs most
            rarest = rarity
    return rarest


def evidence_signals(
    index: ServingIndex,
    query: Query,
    hits: Sequence[Hit],
    candidates: Sequence[tuple[int, float]],
) -> EvidenceSignals:
    """What abstention weighs; `candidates` are (sentence id, similarity), best first."""
    terms, resolved = query.terms, query.resolved
    passage_terms: set[str] = set()
    for hit in hits[:3]:
        for sid in index.chunk_sentences[hit.row]:
            passage_terms |= index.sentence_terms[sid]
    dense_top = {h.row for h in hits if (h.signals.get("dense_rank") or 99) <= 3}
    bm25_top = {h.row for h in hits if (h.signals.get("bm25_rank") or 99) <= 3}
    best = candidates[0] if candidates else None
    runner_up = candidates[1][1] if len(candidates) > 1 else 0.0
    dense_scores = [h.signals["dense_score"] for h in hits if h.signals.get("dense_score")]
    kind = query.answer_type
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
                provides_answer_type(kind, index.sentences[sid].text, query.text)
                for sid, _ in candidates[:2]
            )
        )
        if kind
        else 1.0,
        agreement=1.0 if dense_top & bm25_top else 0.0,
        margin=(best[1] - runner_up) if best else 0.0,
        rare_unknown=rare_unknown_word(query.text, _known_by(index, query)),
    )


def _known_by(index: ServingIndex, query: Query) -> Callable[[str], bool]:
    """Whether the corpus uses a question word, from the terms already resolved (typos
    included) for this question, so no word is looked up twice."""
    known = {q.term for q in query.resolved if q.known is not None}
    return lambda word: index.lexical.stemmer.stemWord(word) in known
