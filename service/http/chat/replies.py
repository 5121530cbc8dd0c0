"""An /ask answer as OpenAI's chat reply: the content a chat window shows (the cited answer and
its sources), the structured citations in the `rag` extension field, and the stream's chunks."""

from __future__ import annotations

import json
import re
from typing import Any

from service.http.chat.schemas import MODEL_ID

EXTENSION = "rag"  # the extension field: citations, abstention, confidence, resolved question
_PIECE = re.compile(r"(?:\S+\s*){1,8}")  # a stream delta: up to eight words, spacing kept


def source_line(citation: dict[str, Any]) -> str:
    """One "Sources" entry: `[n] Title, section (p. 3): "quote"`."""
    where = citation["title"]
    if citation["section"] and citation["section"] != citation["title"]:
        where += f", {citation['section']}"
    if citation.get("page"):
        where += f" (p. {citation['page']})"
    quote = " ".join((citation.get("display") or citation["quote"]).split())
    return f'[{citation["n"]}] {where}: "{quote}"'


def content(body: dict[str, Any]) -> str:
    """The reply's text: the answer with its [n] markers, then a Sources list."""
    if body["abstained"] or not body["citations"]:
        return body["answer"]
    sources = "\n".join(source_line(c) for c in body["citations"])
    return f"{body['answer']}\n\nSources:\n{sources}"


def extension(body: dict[str, Any]) -> dict[str, Any]:
    """What a chat client cannot read from the text: each citation's document, span and page."""
    return {
        "citations": body["citations"],
        "abstained": body["abstained"],
        "confidence": body["confidence"],
        "question": body["question"],
        "resolved_question": body["resolved_question"],
        "index_version": body["index_version"],
    }


def usage(prompt: str, completion: str) -> dict[str, int]:
    """Counts in words (no language model, so no tokens are spent; clients expect the field)."""
    asked, answered = len(prompt.split()), len(completion.split())
    return {"prompt_tokens": asked, "completion_tokens": answered, "total_tokens": asked + answered}


def completion(reply_id: str, created: int, body: dict[str, Any], prompt: str) -> dict[str, Any]:
    text = content(body)
    return {
        "id": reply_id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_ID,
        "system_fingerprint": body["index_version"],
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": usage(prompt, text),
        EXTENSION: extension(body),
    }


def chunk(reply_id: str, created: int, delta: dict, finish: str | None = None, **more) -> dict:
    return {
        "id": reply_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        **more,
    }


def pieces(text: str) -> list[str]:
    """The text in stream deltas; joined, they are the text exactly."""
    return _PIECE.findall(text) or [text]


def event(payload: dict[str, Any] | str) -> bytes:
    """One server-sent event: `data: <json>` and a blank line."""
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n".encode()
