"""Engine results as the public JSON shapes, shared by the HTTP API and the CLI's --json."""

from __future__ import annotations

from dataclasses import asdict

from service.engine import AskResult, SearchResult
from service.retrieval.retrieve import Hit
from service.serving import ServingIndex


def passage(hit: Hit, index: ServingIndex) -> dict:
    chunk = hit.chunk
    return {
        "rank": hit.rank,
        "doc_id": chunk.doc_id,
        "chunk_id": chunk.chunk_id,
        "title": index.documents[chunk.doc_id].title,
        "section": chunk.section,
        "start": chunk.start,
        "end": chunk.end,
        "text": chunk.text,
        "score": round(hit.score, 6),
        "signals": {k: round(v, 6) if isinstance(v, float) else v for k, v in hit.signals.items()},
    }


def ask_body(result: AskResult) -> dict:
    answer = result.answer
    return {
        "question": answer.question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "confidence": answer.confidence,
        "citations": [asdict(c) for c in answer.citations],
        "passages": [passage(h, result.index) for h in answer.hits],
        "timings_ms": result.timings_ms,
        "index_version": result.index.version,
        "evidence": answer.signals,
        "resolved_question": result.resolved.text,
    }


def search_body(query: str, result: SearchResult) -> dict:
    return {
        "query": query,
        "mode": result.mode.value,
        "passages": [passage(h, result.index) for h in result.hits],
        "timings_ms": result.timings_ms,
        "index_version": result.index.version,
    }
