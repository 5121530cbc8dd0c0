"""The public JSON contract: request and response shapes of the HTTP API (and `--json`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictInt, StrictStr, field_validator

from service.retrieval.modes import Mode
from service.validation import MAX_QUESTION_CHARS, check_question

MODE_HELP = f"Retrieval mode: {', '.join(Mode.names())} (default: RAG_RETRIEVAL_MODE)."


class AskRequest(BaseModel):
    question: StrictStr = Field(
        description=f"A free-text question, 1 to {MAX_QUESTION_CHARS:,} characters."
    )
    top_k: StrictInt | None = Field(
        default=None, ge=1, le=50, description="How many passages to return (1 to 50)."
    )
    mode: Mode | None = Field(default=None, description=MODE_HELP)

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        return check_question(value)


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    section: str
    start: int = Field(description="Start offset in the original file text.")
    end: int = Field(description="End offset: text[start:end] == quote.")
    quote: str


class Passage(BaseModel):
    rank: int
    doc_id: str
    chunk_id: str
    title: str
    section: str
    start: int
    end: int
    text: str
    score: float
    signals: dict[str, float | int | None] = Field(
        default_factory=dict, description="Dense and BM25 scores and ranks, and the fused score."
    )


class AskResponse(BaseModel):
    question: str
    answer: str
    abstained: bool
    confidence: float = Field(ge=0.0, le=1.0)
    citations: list[Citation]
    passages: list[Passage]
    timings_ms: dict[str, float]
    index_version: str
    evidence: dict[str, float] = Field(default_factory=dict)


class SearchResponse(BaseModel):
    query: str
    mode: Mode
    passages: list[Passage]
    timings_ms: dict[str, float]
    index_version: str


class DocumentMeta(BaseModel):
    doc_id: str
    title: str
    author: str | None
    published: str | None
    source: str
    site: str | None = None


class DocumentFull(DocumentMeta):
    text: str = Field(description="The original file text; citation offsets index into it.")


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    index_loaded: bool
    documents: int
    chunks: int
    sentences: int
    model: str | None
    index_version: str | None
    error: str | None = None


class ErrorBody(BaseModel):
    error: str
    detail: object | None = None
    request_id: str | None = Field(default=None, description="Also in the X-Request-ID header.")


class Ready(BaseModel):
    status: Literal["ready", "unavailable"]
    ready: bool
    index_version: str | None
    error: str | None = None


class ReloadResult(BaseModel):
    reloaded: bool = Field(description="False when `current` still pointed at the same version.")
    previous_version: str
    index_version: str
    documents: int
    chunks: int
