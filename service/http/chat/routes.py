"""POST /v1/chat/completions and GET /v1/models: the API chat front ends already speak.

The last user message is the question and the earlier user messages are its history (a
follow-up is read with their subject); system and assistant messages are not read, so a
system prompt cannot steer what is quoted. Behind the same key as /ask, as a bearer token.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse

from service.config import Settings
from service.http.chat import replies
from service.http.chat.schemas import MODEL_ID, ChatRequest, model_card, openai_responses
from service.http.dependencies import EngineDep, compute
from service.http.errors import openai_error
from service.http.observability import error_log
from service.http.security import require_query_key
from service.render import ask_body

STARTED = int(time.time())


def _unknown_model(model: str) -> JSONResponse:
    message = f"The model `{model}` does not exist; /v1/models lists `{MODEL_ID}`"
    body = openai_error(404, message, param="model", code="model_not_found")
    return JSONResponse(status_code=404, content=body)


def add_chat_routes(app: FastAPI, settings: Settings) -> None:
    guard = [Depends(require_query_key)] if settings.api_key else []

    @app.get(
        "/v1/models", dependencies=guard, tags=["openai"], responses=openai_responses(401, 500)
    )
    async def models() -> dict:
        """The one model: the extractive answerer over the served documents."""
        return {"object": "list", "data": [model_card(STARTED)]}

    @app.get(
        "/v1/models/{model}",
        dependencies=guard,
        tags=["openai"],
        response_model=None,
        responses=openai_responses(401, 404, 500),
    )
    async def model(model: str) -> dict | JSONResponse:
        return model_card(STARTED) if model == MODEL_ID else _unknown_model(model)

    @app.post(
        "/v1/chat/completions",
        dependencies=guard,
        tags=["openai"],
        response_model=None,
        responses=openai_responses(400, 401, 404, 408, 413, 500, 503),
    )
    async def chat(
        body: ChatRequest, engine: EngineDep, request: Request
    ) -> dict | JSONResponse | StreamingResponse:
        """OpenAI's chat completion: the cited answer as the message, with a Sources list; the
        structured citations, abstention and confidence in the `rag` field (and in the last
        chunk when streaming)."""
        if body.model != MODEL_ID:
            return _unknown_model(body.model)
        try:
            question, history = body.turns()
        except ValueError as error:
            raise HTTPException(status_code=400, detail=str(error)) from error
        request.state.question = question  # logged only with RAG_LOG_QUESTIONS
        prompt = " ".join([*history, question])
        reply_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

        async def answer() -> dict:
            result = await compute(
                request, lambda: ask_body(engine.ask(question, None, None, history))
            )
            request.state.abstained = result["abstained"]
            request.state.index_version = result["index_version"]
            return result

        if not body.stream:
            return replies.completion(reply_id, created, await answer(), prompt)
        include_usage = bool(body.stream_options and body.stream_options.include_usage)

        async def events() -> AsyncIterator[bytes]:
            first = {"role": "assistant", "content": ""}
            yield replies.event(replies.chunk(reply_id, created, first))  # at once
            try:
                result = await answer()
            except HTTPException as error:  # no engine (503): said in the stream, as OpenAI does
                yield replies.event(openai_error(error.status_code, str(error.detail)))
                yield replies.event("[DONE]")
                return
            except Exception:  # the stream has started: the status cannot change any more
                error_log.exception("chat stream failed (request %s)", request.state.request_id)
                yield replies.event(openai_error(500, "the answer could not be computed"))
                yield replies.event("[DONE]")
                return
            text = replies.content(result)
            for piece in replies.pieces(text):
                yield replies.event(replies.chunk(reply_id, created, {"content": piece}))
            last = {replies.EXTENSION: replies.extension(result)}
            yield replies.event(replies.chunk(reply_id, created, {}, "stop", **last))
            if include_usage:
                tally = {"choices": [], "usage": replies.usage(prompt, text)}
                yield replies.event({**replies.chunk(reply_id, created, {}), **tally})
            yield replies.event("[DONE]")

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"cache-control": "no-cache"}
        )
