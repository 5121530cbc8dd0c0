"""OpenAI's chat request, as far as an extractive service can honour it.

Parameters that steer a language model's sampling (temperature, top_p, max_tokens, ...) are
accepted and ignored: the answer is quoted, never sampled. Parameters OpenAI does not know are
rejected with OpenAI's own message, and so is what cannot be honoured (n > 1, images).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, create_model

from service.question.followup import MAX_HISTORY, MAX_HISTORY_CHARS
from service.question.validation import check_question

MODEL_ID = "rag"  # the one model /v1/models lists: the extractive answerer over the index

# OpenAI's chat parameters that change nothing here (sampling, tools, logging, formats)
IGNORED = frozenset(
    "frequency_penalty presence_penalty logit_bias logprobs top_logprobs max_tokens "
    "max_completion_tokens temperature top_p seed stop user metadata store service_tier "
    "parallel_tool_calls tools tool_choice functions function_call response_format "
    "reasoning_effort modalities prediction audio web_search_options verbosity "
    "prompt_cache_key safety_identifier".split()
)
Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: StrictStr
    text: StrictStr | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls, refusal, ...: not read

    role: Role
    content: StrictStr | list[TextPart] | None = None

    def text(self) -> str:
        """The message's text: the string, or its text parts joined; other parts are refused."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        kinds = {part.type for part in self.content} - {"text", "input_text"}
        if kinds:
            raise ValueError(f"only text content is supported, not {', '.join(sorted(kinds))}")
        return "\n".join(part.text or "" for part in self.content)


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: StrictBool = False


# Every parameter OpenAI knows and this service ignores, declared so the schema can say that
# no other is accepted (an unknown one is refused with OpenAI's message, service/http/errors.py)
_OpenAIParameters = create_model(  # type: ignore[call-overload]
    "_OpenAIParameters",
    __config__=ConfigDict(extra="forbid"),
    **{
        name: (Any, Field(default=None, description="Accepted and ignored."))
        for name in sorted(IGNORED)
    },
)


class ChatRequest(_OpenAIParameters):  # type: ignore[misc, valid-type]
    model: StrictStr
    messages: list[Message] = Field(min_length=1)
    stream: StrictBool = False
    stream_options: StreamOptions | None = None
    n: int = Field(default=1, ge=1, le=1, description="One answer per request.")

    def turns(self) -> tuple[str, list[str]]:
        """The question (the last message, the user's) and the earlier user questions."""
        last = self.messages[-1]
        if last.role != "user":
            raise ValueError("the last message must be the user's question (role 'user')")
        question = check_question(last.text(), "messages[-1].content")
        earlier = [m.text().strip() for m in self.messages[:-1] if m.role == "user"]
        recent = [text[-MAX_HISTORY_CHARS:].strip() for text in earlier if text][-MAX_HISTORY:]
        history = [check_question(text, "messages") for text in recent if text]
        return question, history


class OpenAIError(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIErrorBody(BaseModel):
    """OpenAI's error shape, which every error under /v1/ takes."""

    error: OpenAIError


_WHY = {
    400: "Invalid request: a bad or unknown parameter, or a last message that is not the user's",
    401: "Missing or wrong API key (the RAG_API_KEY, as a bearer token)",
    404: "No such model (GET /v1/models lists `rag`)",
    408: "The body did not arrive within RAG_BODY_TIMEOUT seconds",
    413: "The body is larger than RAG_MAX_BODY_BYTES",
    500: "Internal error",
    503: "No index loaded",
}


def openai_responses(*codes: int) -> dict:
    """OpenAPI `responses` for the /v1/ routes' errors, in OpenAI's shape."""
    return {code: {"model": OpenAIErrorBody, "description": _WHY[code]} for code in codes}


def model_card(created: int) -> dict[str, Any]:
    return {"id": MODEL_ID, "object": "model", "created": created, "owned_by": "rag"}
