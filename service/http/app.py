"""The HTTP app: /ask, /search and /examples here, thin handlers over the engine, and the rest
assembled from the room's other modules.

Each piece stays small: the engine dependency and query slots in dependencies.py, documents
(reading them, and the admin's PUT and DELETE) in documents.py with the upload's body in
uploads.py, probes and the admin reload in probes.py, error bodies in errors.py, body limits and
response headers in middleware.py, keys and document ids in security.py, request ids, logs and
metrics in observability.py; opening the engine and index reloads in runtime/lifecycle.py; the
page and the documentation pages in service/web/.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, TypeVar

import orjson
from anyio import CapacityLimiter
from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware

from service.answer_cache import CacheStats
from service.config import Settings
from service.engine import Engine
from service.http.chat.routes import add_chat_routes
from service.http.dependencies import EngineDep, compute
from service.http.documents import add_document_routes
from service.http.errors import (
    QUERY_ERRORS,
    error_responses,
    install_error_handlers,
    public_message,
)
from service.http.middleware import BodyGuard, SecurityHeaders
from service.http.observability import AccessMiddleware, Metrics, ensure_access_handler
from service.http.probes import add_operations_routes
from service.http.runtime.lifecycle import Reloader, Starter
from service.http.schemas import (
    MODE_HELP,
    TEXT_SCHEMA,
    AskRequest,
    AskResponse,
    Examples,
    Mode,
    SearchResponse,
    check_text,
)
from service.http.security import require_query_key
from service.http.uploads import upload_limit
from service.render import ask_body, search_body
from service.serving import ServingIndex
from service.web.api_docs import add_docs_routes
from service.web.routes import add_web_routes

T = TypeVar("T")


def add_query_routes(app: FastAPI, settings: Settings) -> None:
    """/ask, /search and /documents: open, or behind RAG_API_KEY when it is set.

    The key requirement is declared (and so appears in /openapi.json) only when a key is set.
    Routes go straight on the app, so middleware can find a path's template by matching.
    """
    guard = [Depends(require_query_key)] if settings.api_key else []

    @app.post(
        "/ask",
        response_model=AskResponse,
        dependencies=guard,
        responses=error_responses(400, 401, 408, 413, 422, 500, 503),
    )
    async def ask(body: AskRequest, engine: EngineDep, request: Request) -> Response:
        """Answer a question with sentences quoted from the articles, each cited."""
        result = await compute(
            request,
            lambda: ask_body(engine.ask(body.question, body.top_k, body.mode, body.history)),
        )
        request.state.abstained = result["abstained"]
        request.state.index_version = result["index_version"]
        request.state.question = body.question  # logged only with RAG_LOG_QUESTIONS
        return json_response(result)

    @app.get("/search", response_model=SearchResponse, dependencies=guard, responses=QUERY_ERRORS)
    async def search(
        engine: EngineDep,
        request: Request,
        q: Annotated[str, Query(description="The query text.", json_schema_extra=TEXT_SCHEMA)],
        k: Annotated[int, Query(ge=1, le=50, description="How many passages.")] = 5,
        mode: Annotated[Mode | None, Query(description=MODE_HELP)] = None,
    ) -> dict:
        """Ranked passages, with the signals that ranked them."""
        try:
            query = check_text(q, "q")
        except ValueError as error:
            raise RequestValidationError(
                [{"loc": ("query", "q"), "msg": str(error), "type": "value_error"}]
            ) from error
        request.state.question = query
        return await compute(request, lambda: search_body(query, engine.search(query, k, mode)))

    @app.get("/examples", response_model=Examples, dependencies=guard, responses=QUERY_ERRORS)
    def examples(engine: EngineDep) -> dict:
        """Questions the served documents suggest themselves (their FAQ's, their headings'),
        for a first-time reader who does not know what to ask."""
        return {"questions": list(engine.index.examples)}


def json_response(body: dict) -> Response:
    """The body encoded once, by orjson: ask_body already builds exactly the AskResponse shape
    (the schema tests check it), so FastAPI's second validation and its generic encoder, a
    tenth of a request's CPU, are skipped."""
    return Response(
        orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY), media_type="application/json"
    )


def _middleware(settings: Settings, metrics: Metrics) -> list[Middleware]:
    """Outermost first: headers on everything, ids/logs/metrics see every answer, CORS
    decorates the guards' errors."""
    stack = [
        Middleware(SecurityHeaders),
        Middleware(AccessMiddleware, metrics=metrics, log_questions=settings.log_questions),
    ]
    if settings.cors_origins:  # closed unless configured: no CORS headers, preflights get 405
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID"],
                max_age=600,
            )
        )
    stack.append(
        Middleware(
            BodyGuard,
            max_bytes=settings.max_body_bytes,
            timeout=settings.body_timeout,
            limit_for=upload_limit(settings),
        )
    )
    return stack


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The app; with no engine given, the lifespan opens one (building the index if needed)."""

    def adopt(engine: Engine | None, error: Exception | None) -> None:
        """What the starter found: an engine to serve, or why there is none (no paths shown)."""
        if engine is not None:
            app.state.engine, app.state.load_error = engine, None
        else:
            app.state.load_error = public_message(str(error), settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.query_limiter = CapacityLimiter(settings.query_concurrency)
        starter = Starter(settings, adopt)
        if app.state.engine is None:
            starter.start()  # a missing fitted model raises: the app refuses to start
        poller = None
        if settings.reload_interval > 0:
            poller = asyncio.create_task(
                app.state.reloader.poll(lambda: app.state.engine, settings.reload_interval, starter)
            )
        yield
        if poller is not None:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller

    def serving_index() -> ServingIndex | None:
        current = app.state.engine
        return None if current is None else current.index

    ensure_access_handler()

    def answer_cache() -> CacheStats | None:
        cache = getattr(app.state.engine, "answers", None)  # none while loading
        return None if cache is None else cache.stats()

    metrics = Metrics(serving_index, answer_cache)
    app = FastAPI(
        title="Grounded QA",
        summary="Cited, extractive answers over the bundled articles.",
        version="0.1.0",
        lifespan=lifespan,
        middleware=_middleware(settings, metrics),
        redirect_slashes=False,  # a redirect would be built from the Host header; 404 instead
        docs_url=None,  # service/web/api_docs.py serves /docs and /redoc without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.load_error = None
    app.state.metrics = metrics
    app.state.reloader = Reloader(on_result=lambda result: metrics.reloads.labels(result).inc())
    install_error_handlers(app)
    add_query_routes(app, settings)
    add_chat_routes(app, settings)
    add_document_routes(app, settings)
    add_operations_routes(app)
    add_docs_routes(app)
    add_web_routes(app)
    return app
