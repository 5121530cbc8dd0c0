"""Questions about an article itself: who wrote it, when it was published, on what site,
under what title. They are answered from the document's own byline, date and title lines
(the spans the readers record), cited like any other quote, or honestly not answered when the
article does not state what is asked."""

from __future__ import annotations

from collections.abc import Sequence

from ingest.blocks.plain import collapse
from ingest.documents import Document
from service.answering.context import AnswerContext, Coverage
from service.answering.protocol import Answer, Citation, abstention, answer_text
from service.question.forms import ARTICLE_ASKING_WORDS
from service.question.intent import ArticleField
from service.question.query import Query
from service.retrieval.retrieve import Hit
from service.serving import ServingIndex

MIN_NAMING_COVERAGE = 0.5  # below this, the question names something other than an article


def _naming_terms(index: ServingIndex, query: Query) -> list:
    asking = set(index.lexical.terms(ARTICLE_ASKING_WORDS))
    return [q for q in query.resolved if q.term not in asking]


def _describes(index: ServingIndex, doc: Document) -> set[str]:
    """The words an article is known by: its title, site, author and headings."""
    text = " ".join(filter(None, (doc.title, doc.site, doc.author)))
    words = set(index.lexical.terms(text))
    for section in doc.sections:
        words |= set(index.lexical.terms(section.heading))
    return words


def choose_document(index: ServingIndex, query: Query, hits: Sequence[Hit]) -> Document | None:
    """The article the question asks about: the one its naming words describe best (retrieval
    breaks ties), or None when the question names something no article's title describes."""
    naming = _naming_terms(index, query)
    rank = {}
    for position, hit in enumerate(hits):
        rank.setdefault(hit.chunk.doc_id, position)
    documents = list(index.documents.values())
    if not naming:
        if len(documents) == 1:
            return documents[0]
        return index.documents[hits[0].chunk.doc_id] if hits else None
    names = Coverage(naming)  # the naming words' total weight, summed once
    scored = [
        (names(_describes(index, doc)), -rank.get(doc.doc_id, len(hits)), doc) for doc in documents
    ]
    coverage, _, doc = max(scored, key=lambda item: item[:2])
    return doc if coverage >= MIN_NAMING_COVERAGE else None


def article_answer(context: AnswerContext) -> Answer | None:
    """The answer to a question about an article itself, or None when it is not one."""
    index, query, hits = context.index, context.query, context.hits
    fields: tuple[ArticleField, ...] = query.intent.article_fields
    if not fields:
        return None
    doc = choose_document(index, query, hits)
    if doc is None:
        return None
    spans = [doc.span(field.value) for field in fields]
    if any(span is None for span in spans):  # the article does not say: no guessing
        return abstention(query, hits, 0.0, {"article_field_missing": 1.0})
    ordered = sorted({(s.start, s.end) for s in spans if s is not None})
    citations = tuple(
        Citation(
            n,
            doc.doc_id,
            doc.title,
            doc.title,
            start,
            end,
            doc.text[start:end],
            doc.page_at(start),
            collapse(doc.text[start:end]),
        )
        for n, (start, end) in enumerate(ordered, start=1)
    )
    return Answer(
        question=query.raw,
        text=answer_text(citations),
        abstained=False,
        confidence=1.0,
        citations=citations,
        hits=tuple(hits),
        signals={"article_field": 1.0},
    )
