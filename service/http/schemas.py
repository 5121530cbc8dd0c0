"""The public JSON contract: request and response shapes of the HTTP API (and `--json`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from service.question.followup import MAX_HISTORY, MAX_HISTORY_CHARS
from service.question.validation import MAX_QUESTION_CHARS, MAX_TOKEN_CHARS, check_question
from service.retrieval.modes import Mode

MODE_HELP = f"Retrieval mode: {', '.join(Mode.names())} (default: RAG_RETRIEVAL_MODE)."

# What check_text accepts, as JSON Schema can say it, so generated clients and fuzzers know:
# words of 1 to 200 characters that are neither whitespace nor control characters (Unicode Cc),
# separated by whitespace other than control characters; Python's whitespace (what str.strip
# and str.split use) is allowed around the text, control characters included, since they are
# stripped before the checks. The one rule left out is unpaired surrogates (rejected; ECMA
# regexes cannot name them without breaking emoji). The schema documents; check_text enforces.
_WIDE_SPACE = r"\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SEPARATORS = rf"[\t\n\r \u00a0{_WIDE_SPACE}]"
_STRIPPED = rf"[\t-\r\u001c-\u0020\u0085\u00a0{_WIDE_SPACE}]"
_WORD = rf"[^\u0000-\u0020\u007f-\u00a0{_WIDE_SPACE}]{{1,{MAX_TOKEN_CHARS}}}"
QUESTION_PATTERN = f"^{_STRIPPED}*(?:{_WORD}{_SEPARATORS}+)*{_WORD}{_STRIPPED}*$"
TEXT_SCHEMA = {"minLength": 1, "maxLength": MAX_QUESTION_CHARS, "pattern": QUESTION_PATTERN}


def check_text(value: str, name: str = "question") -> str:
    """check_question, with the length limit applied to the text as sent, as `maxLength` says."""
    if len(value) > MAX_QUESTION_CHARS:
        raise ValueError(f"{name} is {len(value)} characters; the limit is {MAX_QUESTION_CHARS}")
    return check_question(value, name)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt `topk` is an error, not ignored

    question: StrictStr = Field(
        description=f"A free-text question, 1 to {MAX_QUESTION_CHARS:,} characters; words of "
        f"at most {MAX_TOKEN_CHARS} characters; no control characters except tab and newline.",
        json_schema_extra=TEXT_SCHEMA,
    )
    top_k: StrictInt | None = Field(
        default=None, ge=1, le=50, description="How many passages to return (1 to 50)."
    )
    mode: Mode | None = Field(default=None, description=MODE_HELP)
    history: list[StrictStr] = Field(
        default_factory=list,
        max_length=MAX_HISTORY,
        description=f"The chat's earlier questions, oldest first (at most {MAX_HISTORY}, each "
        f"at most {MAX_HISTORY_CHARS:,} characters): a follow-up such as 'and how long does "
        "it keep?' is read with their subject. A self-contained question is answered as it is.",
        json_schema_extra={
            "items": {"type": "string", **TEXT_SCHEMA, "maxLength": MAX_HISTORY_CHARS}
        },
    )

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        return check_text(value)

    @field_validator("history")
    @classmethod
    def _history(cls, value: list[str]) -> list[str]:
        for i, text in enumerate(value):
            if len(text) > MAX_HISTORY_CHARS:
                raise ValueError(
                    f"history[{i}] is {len(text)} characters; the limit is {MAX_HISTORY_CHARS}"
                )
        return [check_text(text, f"history[{i}]") for i, text in enumerate(value)]

    @field_validator("top_k", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        """JSON Schema counts 12.0 as an integer, so it is one; 2.5, "3" and true are not."""
        if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
            return int(value)
        return value


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    section: str
    start: int = Field(description="Start offset in the document's citable text.")
    end: int = Field(description="End offset: text[start:end] == quote.")
    quote: str
    page: int | None = Field(
        default=None, description="The 1-based page of the quote, where the source has pages."
    )
    display: str = Field(
        default="",
        description="The quote as the answer shows it: wrapping collapsed, inline markup "
        "dropped (code keeps its lines).",
    )
    kind: str = Field(
        default="paragraph",
        description="The kind of block quoted: paragraph, list_item, quote, caption, code or "
        "table.",
    )


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
    resolved_question: str = Field(
        default="",
        description="The question as it was answered: the question itself, or a follow-up "
        "read with the subject of `history`.",
    )


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


class Block(BaseModel):
    kind: str = Field(description="heading, paragraph, list_item, code, table, quote or caption.")
    start: int = Field(description="Where the block starts in the document's text.")
    end: int
    level: int = Field(default=0, description="A heading's level, or a list item's depth.")
    rows: list[list[list[int]]] = Field(
        default_factory=list, description="A table's cells as [start, end] spans, row by row."
    )


class DocumentFull(DocumentMeta):
    text: str = Field(description="The original file text; citation offsets index into it.")
    index_version: str = Field(
        description="The index version this text is from (`?version=` picks a kept one)."
    )
    format: str = Field(default="text", description="text, markdown, html, pdf or docx.")
    blocks: list[Block] = Field(
        default_factory=list, description="What each part of `text` is, in reading order."
    )
    markup: list[list[int]] = Field(
        default_factory=list,
        description="[start, end] spans of inline markup in `text` (Markdown's `**`, backticks, "
        "link targets): cited, but not read.",
    )
    pages: list[int] = Field(
        default_factory=list, description="Where each page starts in `text` (PDFs)."
    )


class Examples(BaseModel):
    questions: list[str] = Field(
        description="Up to three questions drawn from the served documents' own headings "
        "and questions; empty when they suggest none."
    )


class SkippedFileInfo(BaseModel):
    source: str = Field(description="The file's path inside the corpus.")
    reason: str = Field(description="Why it is not indexed (unsupported type, not UTF-8, ...).")


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    index_loaded: bool
    documents: int
    chunks: int
    sentences: int
    model: str | None
    index_version: str | None
    error: str | None = None
    skipped: list[SkippedFileInfo] = Field(
        default_factory=list, description="Corpus files the loaded index left out, and why."
    )
    worker_pid: int = Field(description="The process that answered (one per `--workers`).")


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
