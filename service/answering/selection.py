"""Choosing which candidate sentences make the answer: a window around the best one, a whole
list when one is asked for, and a near-tie from elsewhere, without near-duplicates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ingest.blocks.block import CODE, TABLE
from ingest.blocks.sentences import ends_sentence
from service.answering.context import AnswerContext
from service.answering.features import CONTINUATION, neighbour, same_paragraph
from service.question.forms import LIST_CUE
from service.question.intent import Intent
from service.serving import ServingIndex


@dataclass(frozen=True)
class AnswerConfig:
    """How many sentences an answer may use, and how candidates are weighed."""

    candidate_passages: int = 5
    max_sentences: int = 3
    max_list_items: int = 12  # a list is kept whole, up to this many items
    keep_margin: float = 0.05  # sentences from elsewhere must score within this of the best
    follow_margin: float = 0.1  # the next sentence of the paragraph joins within this
    list_margin: float = 0.05  # a list question takes a list scoring within this of the best
    other_doc_margin: float = 0.1  # the other article's best sentence joins within this
    section_margin: float = 0.1  # reasons/steps: more sentences of the section join within this
    duplicate_cosine: float = 0.9  # two sentences this similar say the same thing
    context_weight: float = 0.9  # for abstention: how much of its FAQ question's match it inherits
    min_words: int = 4


@dataclass(frozen=True)
class Candidate:
    sid: int
    score: float
    similarity: float  # its own cosine, or most of its FAQ question's (for abstention)


ScoreOf = Callable[[int], Candidate]


def eligible(index: ServingIndex, sid: int, config: AnswerConfig, intent: Intent) -> bool:
    """Headings never get here; article questions, list lead-ins and fragments are no answer;
    code only when code is asked for, a table only when a value or option is."""
    s = index.sentences[sid]
    if s.kind == CODE:
        return intent.wants_code
    if s.kind == TABLE:
        return intent.wants_table
    return not (
        s.is_question
        or s.is_lead_in
        or (len(s.readable.split()) < config.min_words and not s.bullet)
    )


def _list_around(index: ServingIndex, sid: int, limit: int) -> list[int]:
    """The whole bullet list that sentence `sid` belongs to (same section, consecutive items);
    of a list longer than `limit`, the `limit` items around `sid`, so the item that matched is
    always in the answer (from the first item when `sid` is among the first)."""
    items = [sid]
    for step in (-1, 1):
        other = neighbour(index, sid, step)
        while other is not None and index.sentences[other].bullet:
            items.append(other)
            other = neighbour(index, other, step)
    items.sort()
    at = items.index(sid)
    start = max(0, min(at - limit // 2, len(items) - limit))
    return items[start : start + limit]


def _list_after(index: ServingIndex, sid: int) -> int | None:
    """The first item of a list that `sid` introduces (directly or through a lead-in line)."""
    step = neighbour(index, sid, 1)
    if step is not None and not index.sentences[step].bullet:
        lead_in = index.sentences[step].is_lead_in
        step = neighbour(index, step, 1) if lead_in else None
    return step if step is not None and index.sentences[step].bullet else None


def _window(
    index: ServingIndex, best: Candidate, score_of: ScoreOf, config: AnswerConfig, intent: Intent
) -> list[int]:
    """The best sentence, with the sentence before it when it leans on it ("This ...") and the
    sentences after it that continue it or answer nearly as well, within one paragraph."""
    chosen = [best.sid]
    previous = neighbour(index, best.sid, -1)
    if (
        CONTINUATION.match(index.sentences[best.sid].readable)
        and same_paragraph(index, best.sid, previous)
        and eligible(index, previous, config, intent)
    ):
        chosen.insert(0, previous)
    following = neighbour(index, best.sid, 1)
    while (
        len(chosen) < config.max_sentences
        and same_paragraph(index, best.sid, following)
        and eligible(index, following, config, intent)
    ):
        continues = CONTINUATION.match(index.sentences[following].readable)
        close = score_of(following).score >= best.score - config.follow_margin
        if not (continues or close):
            break
        chosen.append(following)
        following = neighbour(index, following, 1)
    return chosen


def _section_answer(
    index: ServingIndex,
    best: Candidate,
    score_of: ScoreOf,
    config: AnswerConfig,
    intent: Intent,
) -> list[int]:
    """For reasons and steps: the best-scoring sentences of the best sentence's section (up to
    the budget, near-duplicates skipped), so a section that gives several reasons is answered
    by them rather than by one."""
    section = index.sentence_section[best.sid]
    pool = sorted(
        (
            score_of(sid)
            for sid in index.section_sentences[section]
            if sid != best.sid and eligible(index, sid, config, intent)
        ),
        key=lambda c: (-c.score, c.sid),
    )
    chosen = [best.sid]
    vectors = index.sentence_vectors
    for candidate in pool:
        if (
            len(chosen) >= config.max_sentences
            or candidate.score < best.score - config.section_margin
        ):
            break
        if any(
            float(vectors[candidate.sid] @ vectors[c]) > config.duplicate_cosine for c in chosen
        ):
            continue
        chosen.append(candidate.sid)
    return sorted(chosen)


def _list_answer(
    index: ServingIndex, candidates: list[Candidate], config: AnswerConfig
) -> list[int] | None:
    """A whole list, when a candidate within the list margin is an item or introduces one."""
    best = candidates[0]
    for candidate in candidates:
        if candidate.score < best.score - config.list_margin:
            break
        sid = candidate.sid
        item = sid if index.sentences[sid].bullet else _list_after(index, sid)
        if item is not None:
            return _list_around(index, item, config.max_list_items)
    return None


def carried_on(index: ServingIndex, chosen: list[int]) -> list[int]:
    """Each sentence that runs on into a code block or table ("... is set to" + the formula,
    "... by typing" + the command) with that block after it: a quote never stops mid-sentence."""
    out: list[int] = []
    for sid in chosen:
        out.append(sid)
        following = neighbour(index, sid, 1)
        if (
            following is not None
            and following not in chosen
            and index.sentences[following].kind in (CODE, TABLE)
            and not ends_sentence(index.sentences[sid].readable)
        ):
            out.append(following)
    return out


def select(
    context: AnswerContext, candidates: list[Candidate], score_of: ScoreOf, config: AnswerConfig
) -> list[int]:
    """The sentence ids of the answer, in reading order, shaped by what the question asks."""
    index, query, best = context.index, context.query, candidates[0]
    if query.intent.wants_several or LIST_CUE.search(query.text):
        listed = _list_answer(index, candidates, config)
        if listed:
            return carried_on(index, listed)
    if query.intent.wants_several:
        return carried_on(index, _section_answer(index, best, score_of, config, query.intent))
    chosen = _window(index, best, score_of, config, query.intent)
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
    chosen = carried_on(index, chosen)
    # Read in article order within a document; documents in order of their best sentence.
    doc_order: dict[str, int] = {}
    for sid in chosen:
        doc_order.setdefault(index.sentences[sid].doc_id, len(doc_order))
    return sorted(chosen, key=lambda sid: (doc_order[index.sentences[sid].doc_id], sid))
