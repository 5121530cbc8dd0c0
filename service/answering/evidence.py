"""The evidence signals abstention weighs, from one question's hits, candidates and answer.

Each signal means the same on any corpus: how similar the best sentence and its heading are to
the question, how much of the question (IDF-weighted, typos resolved) the answer and its
section cover, how much the corpus knows but the answer leaves out (a question about women
answered from a sentence about men), how much of the question the corpus never uses and how
rare those words are, whether an asked-for number, date or name is there, and whether the
asking sentence of a padded question ("What is the capital of France? men pull away") is met.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from bm25s.stopwords import STOPWORDS_EN_PLUS

from ingest.blocks.sentences import split_sentences
from service.answering.abstention import EvidenceSignals
from service.answering.context import AnswerContext, Coverage, weighted_coverage
from service.question.query import Query, QuestionTerm
from service.question.word_rarity import english_rarity
from service.serving import ServingIndex

_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)
COMMON_ZIPF = 6.0  # "the" is about 7.7, "guy" 5.4, "freud" 3.5, "oxytocin" 2.8


def load_word_frequencies() -> None:
    """Open the word table now (a few ms; service/question/word_rarity.py) rather than on the
    first question."""
    english_rarity()


def rare_unknown_word(question: str, known: Callable[[str], bool]) -> float:
    """How rare in everyday English the rarest question word is that the articles never use.

    A question about "oxytocin" or "Freud" names something the articles would have to mention
    to answer it; a question using "guy" or "clearly" does not. Words English does not know
    at all (another language, a garbled typo) tell nothing either way and count as 0.
    """
    rarest = 0.0
    rarity_of = english_rarity()
    for word in set(_WORD.findall(question.lower())) - _STOPWORDS:
        if known(word):  # a word the articles use counts for nothing, however rare
            continue
        zipf = rarity_of.zipf(word)
        rarity = max(COMMON_ZIPF - zipf, 0.0) / COMMON_ZIPF
        if zipf > 0 and rarity > rarest:
            rarest = rarity
    return rarest


def _terms_of(index: ServingIndex, sids: Iterable[int]) -> set[str]:
    found: set[str] = set()
    for sid in sids:
        found |= index.sentence_terms[sid]
    return found


def _context_terms(
    index: ServingIndex, answer: Sequence[int], text_terms: Callable[[str], list[str]]
) -> set[str]:
    """The terms of each answer sentence's whole section, its heading and its document's
    title (a section or title shared by several answer sentences is read once)."""
    found: set[str] = set()
    sections: set[int] = set()
    for sid in answer:
        section = int(index.sentence_section[sid])
        if section not in sections:
            sections.add(section)
            found |= _terms_of(index, index.section_sentences[section])
        found |= index.heading_terms[sid]
        found.update(text_terms(index.documents[index.sentences[sid].doc_id].title))
    return found


def missing_known(coverage: Coverage, found: set[str]) -> float:
    """IDF-weighted share of the question's terms the corpus uses but `found` lacks."""
    missing = sum(
        q.weight
        for q in coverage.resolved
        if q.known and q.known not in found and q.term not in found
    )
    return missing / coverage.total if coverage.total else 0.0


def asking_terms(index: ServingIndex, query: Query) -> list[QuestionTerm]:
    """The resolved terms of the sentences that ask (all of them when nothing ends in "?")."""
    sentences = split_sentences(query.text)
    asking = [s.plain for s in sentences if s.is_question]
    if len(sentences) < 2 or not asking:
        return list(query.resolved)
    terms = {t for s in asking for t in index.lexical.terms(s)}
    return [q for q in query.resolved if q.term in terms]


def orphan_lead_in(context: AnswerContext, best: float) -> float:
    """1 when a list is asked for and the closest sentence is a lead-in ("...:") with no items
    after it: the article names a list it does not give."""
    index = context.index
    if not context.query.intent.wants_several:
        return 0.0
    for hit in context.hits[:3]:
        for sid in index.chunk_sentences[hit.row]:
            s = index.sentences[sid]
            if not s.is_lead_in:
                continue
            following = sid + 1
            has_items = (
                following < len(index.sentences)
                and index.sentences[following].bullet
                and index.sentence_section[following] == index.sentence_section[sid]
            )
            if not has_items and context.similarity(sid) >= best:
                return 1.0
    return 0.0


def evidence_signals(
    context: AnswerContext, candidates: Sequence[tuple[int, float]], answer: Sequence[int]
) -> EvidenceSignals:
    """What abstention weighs; `candidates` are (sentence id, similarity), best first, and
    `answer` the sentences the answer would quote."""
    index, query, hits = context.index, context.query, context.hits
    terms, resolved, coverage, text_terms = (
        query.terms, query.resolved, context.coverage, context.text_terms
    )  # fmt: skip
    passage_terms = _terms_of(
        index, (sid for hit in hits[:3] for sid in index.chunk_sentences[hit.row])
    )
    passage_terms |= {t for hit in hits[:3] for t in text_terms(hit.chunk.section)}
    dense_top = {h.row for h in hits if (h.signals.get("dense_rank") or 99) <= 3}
    bm25_top = {h.row for h in hits if (h.signals.get("bm25_rank") or 99) <= 3}
    best = candidates[0] if candidates else None
    runner_up = candidates[1][1] if len(candidates) > 1 else 0.0
    dense_scores = [h.signals["dense_score"] for h in hits if h.signals.get("dense_score")]
    answer_terms = _terms_of(index, answer)
    context_terms = _context_terms(index, answer, text_terms)
    return EvidenceSignals(
        best_sentence=best[1] if best else 0.0,
        best_passage=max(dense_scores, default=0.0),
        term_coverage=len(terms & passage_terms) / len(terms) if terms else 0.0,
        weighted_coverage=coverage(passage_terms),
        sentence_coverage=max(
            (coverage(index.sentence_terms[sid]) for sid, _ in candidates),
            default=0.0,
        ),
        unknown_terms=(
            sum(1 for q in resolved if q.known is None) / len(resolved) if resolved else 0.0
        ),
        type_match=float(any(context.states_value(sid) for sid in answer)),
        agreement=1.0 if dense_top & bm25_top else 0.0,
        margin=(best[1] - runner_up) if best else 0.0,
        rare_unknown=rare_unknown_word(query.text, _known_by(index, query)),
        heading_similarity=(
            context.heading_similarity(int(index.sentence_section[best[0]])) if best else 0.0
        ),
        answer_coverage=coverage(answer_terms | context_terms),
        quote_coverage=coverage(answer_terms),
        missing_known=missing_known(coverage, answer_terms),
        asking_coverage=weighted_coverage(
            asking_terms(index, query), passage_terms | context_terms
        ),
        orphan_lead_in=orphan_lead_in(context, best[1] if best else 0.0),
    )


def _known_by(index: ServingIndex, query: Query) -> Callable[[str], bool]:
    """Whether the corpus uses a question word, from the terms already resolved (typos
    included) for this question, so no word is looked up twice."""
    known = {q.term for q in query.resolved if q.known is not None}
    return lambda word: index.lexical.stemmer.stemWord(word) in known
