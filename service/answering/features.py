"""Features of candidate answer sentences: cheap, bounded signals a linear ranker weighs.

A bi-encoder alone prefers sentences that restate the topic ("Knowing how to respond when he
pulls away can make a significant difference") over the ones that answer; features such as how
much a sentence merely repeats its heading or how generic it is let the ranker tell them apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from ingest.blocks.block import CODE, TABLE
from service.question.intent import AnswerType
from service.serving import ServingIndex

if TYPE_CHECKING:  # the context is built from this module's helpers
    from service.answering.context import AnswerContext

# A sentence opening like this continues the one before it (and reads badly alone).
CONTINUATION = re.compile(
    r"^(this|these|that|those|it|they|such|instead|rather|however|additionally|as a result|"
    r"because|so|yet|but|in such cases)\b",
    re.IGNORECASE,
)


# Wording that gives a reason, or advice/steps: what "why" and "how do I" questions ask for.
_REASON_CUE = re.compile(
    r"\b(because|since|due to|stems? from|caused by|causes?|reasons?|leads? to|led to|"
    r"triggers?|results? in|as a result|so that|comes? from|explains?|factors?|the (main|most "
    r"common|first|second|third|biggest|other) \w+)\b",
    re.IGNORECASE,
)
_ADVICE_CUE = re.compile(
    r"\b(should|try|avoid|make sure|remember to|helps? to|consider|instead|you can|you may "
    r"want|best to|aim for|keep|don't|do not|never|always|start|stop)\b",
    re.IGNORECASE,
)


def neighbour(index: ServingIndex, sid: int, step: int) -> int | None:
    """The sentence `step` places away in the same section, if any.

    A section is a run of sentences sharing document and heading (index/storage/sentence_tables.py),
    so a sentence next to this one shares both exactly when it has the same section id; the
    ids are one array read, where comparing the records would decode both.
    """
    other = sid + step
    if not 0 <= other < len(index.sentence_section):
        return None
    section = index.sentence_section
    return other if section[sid] == section[other] else None


def same_paragraph(index: ServingIndex, a: int, b: int | None) -> bool:
    return b is not None and index.sentence_paragraph[a] == index.sentence_paragraph[b]


def context_of(index: ServingIndex, sid: int) -> list[int]:
    """Sentences that say what `sid` answers: the article's own question right before it (FAQ),
    or for a list item the list's lead-in and the sentence before that."""
    previous = neighbour(index, sid, -1)
    if not index.sentences[sid].bullet:
        if previous is not None and index.sentences[previous].is_question:
            return [previous]
        return []
    while previous is not None and index.sentences[previous].bullet:
        previous = neighbour(index, previous, -1)
    if previous is None:
        return []
    before = neighbour(index, previous, -1)
    return [previous] if before is None else [previous, before]


@dataclass(frozen=True)
class SentenceFeatures:
    """Why a sentence might answer; each a cosine, a share in [0, 1] or a 0/1 flag."""

    similarity: float  # cosine of the sentence to the question
    context_similarity: float  # best cosine of the FAQ question or list lead-in it answers
    neighbour_similarity: float  # best cosine of the sentences around it in its paragraph
    overlap: float  # share of the question's terms in the sentence
    weighted_overlap: float  # the same, weighted by rarity (IDF), typos resolved
    context_overlap: float  # IDF-weighted coverage of the question by its context sentences
    heading_match: float  # IDF-weighted coverage of the question by the section heading
    heading_echo: float  # share of the sentence's own terms that repeat its heading
    novelty: float  # share of the sentence's terms the question does not use
    centrality: float  # cosine to the corpus centroid: high for generic, summary sentences
    passage_prior: float  # 1 / rank of the best passage holding it
    first_in_section: float  # 1 for a section's opening sentence (often a topic sentence)
    dependent: float  # 1 when it opens with "This ...", leaning on the sentence before
    bullet: float  # 1 for a list item
    type_match: float  # +1 / -1 when a number or name is asked and it has / lacks one; else 0
    length: float  # words / 40, capped at 1
    heading_similarity: float  # cosine of its section heading (or the title) to the question
    section_similarity: float  # best cosine of any sentence of its section to the question
    cue: float  # 1 when a "why" question meets reason wording, "how" advice wording or a list
    code: float  # 1 for a code block (a candidate only when code is asked for)
    table: float  # 1 for a table (a candidate only when a value or an option is asked for)

    def vector(self) -> list[float]:
        return [getattr(self, name) for name in FEATURES]


FEATURES = tuple(f.name for f in fields(SentenceFeatures))


class FeatureExtractor:
    """Features of candidate sentences for one question, read from the answer's context."""

    def __init__(self, context: AnswerContext) -> None:
        self.context = context
        self.index, self.query = context.index, context.query
        self.passage_rank = context.passage_rank

    def cue(self, sid: int) -> float:
        s, kind = self.index.sentences[sid], self.query.answer_type
        if kind is AnswerType.REASON:
            return float(bool(_REASON_CUE.search(s.readable)))
        if kind is AnswerType.STEPS:
            return float(s.bullet or bool(_ADVICE_CUE.search(s.readable)))
        if kind is AnswerType.LIST:
            return float(s.bullet)
        return 0.0

    def features(self, sid: int) -> SentenceFeatures:
        index, query, s = self.index, self.query, self.index.sentences[sid]
        context_, terms, coverage = self.context, query.terms, self.context.coverage
        section = int(index.sentence_section[sid])
        words = index.sentence_terms[sid]
        context = context_of(index, sid)
        context_words: set[str] = set()
        for other in context:
            context_words |= index.sentence_terms[other]
        around = [
            n
            for n in (neighbour(index, sid, -1), neighbour(index, sid, 1))
            if same_paragraph(index, sid, n)
        ]
        heading = index.heading_terms[sid]
        rank = self.passage_rank.get(sid)
        if query.intent.wants_value:
            type_match = 1.0 if context_.states_value(sid) else -1.0
        else:
            type_match = 0.0
        return SentenceFeatures(
            similarity=context_.similarity(sid),
            context_similarity=max((context_.similarity(o) for o in context), default=0.0),
            neighbour_similarity=max((context_.similarity(o) for o in around), default=0.0),
            overlap=len(terms & words) / len(terms) if terms else 0.0,
            weighted_overlap=coverage(words),
            context_overlap=coverage(context_words),
            heading_match=coverage(heading),
            heading_echo=len(words & heading) / len(words) if words else 0.0,
            novelty=len(words - terms) / len(words) if words else 0.0,
            centrality=float(index.sentence_centrality[sid]),
            passage_prior=1.0 / rank if rank else 0.0,
            first_in_section=float(neighbour(index, sid, -1) is None),
            dependent=float(bool(CONTINUATION.match(s.readable))),
            bullet=float(s.bullet),
            type_match=type_match,
            length=min(len(s.readable.split()), 40) / 40,
            heading_similarity=context_.heading_similarity(section),
            section_similarity=context_.section_similarity(section),
            cue=self.cue(sid),
            code=float(s.kind == CODE),
            table=float(s.kind == TABLE),
        )
