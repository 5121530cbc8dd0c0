"""The HTTP API: thin handlers over the engine, which is loaded once at start-up.

Guards live elsewhere so each piece stays small: error bodies in service/errors.py, body
limits in service/middleware.py, keys and document ids in service/security.py, request ids,
logs and metrics in service/observability.py, index reloads in service/lifecycle.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST

from service.config import Settings
from service.engine import Engine
from service.errors import QUERY_ERRORS, error_responses, install_error_handlers
from service.lifecycle import Reloader, ReloadFailed
from service.middleware import BodyGuard
from service.observability import AccessMiddleware, Metrics, ensure_access_handler
from service.render import ask_body, search_body
from service.schemas import (
    MODE_HELP,
    AskRequest,
    AskResponse,
    DocumentFull,
    DocumentMeta,
    Health,
    Mode,
    Ready,
    ReloadResult,
    SearchResponse,
    check_question,
)
from service.security import check_doc_id, require_admin, require_query_key
from service.serving import ServingIndex

log = logging.getLogger("rag.api")


def get_engine(request: Request) -> Engine:
    engine: Engine | None = request.app.state.engine
    if engine is None:
        reason = request.app.state.load_error or "the index is still loading"
        raise HTTPException(status_code=503, detail=f"no index loaded: {reason}")
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


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
        responses=error_responses(400, 401, 413, 422, 500, 503),
    )
    def ask(body: AskRequest, engine: EngineDep, request: Request) -> dict:
        """Answer a question with sentences quoted from the articles, each cited."""
        result = ask_body(engine.ask(body.question, body.top_k, body.mode))
        request.state.abstained = result["abstained"]
        request.state.index_version = result["index_version"]
        return result

    @app.get("/search", response_model=SearchResponse, dependencies=guard, responses=QUERY_ERRORS)
    def search(
        engine: EngineDep,
        q: Annotated[str, Query(description="The query text.")],
        k: Annotated[int, Query(ge=1, le=50, description="How many passages.")] = 5,
        mode: Annotated[Mode | None, Query(description=MODE_HELP)] = None,
    ) -> dict:
        """Ranked passages, with the signals that ranked them."""
        try:
            query = check_question(q, "q")
        except ValueError as error:
            raise RequestValidationError(
                [{"loc": ("query", "q"), "msg": str(error), "type": "value_error"}]
            ) from error
        chosen = mode or engine.settings.retrieval_mode
        return search_body(query, chosen, engine.search(query, k, chosen))

    @app.get(
        "/documents", response_model=list[DocumentMeta], dependencies=guard, responses=QUERY_ERRORS
    )
    def documents(engine: EngineDep) -> list[dict]:
        """Every indexed document's metadata."""
        return [d.metadata() for d in engine.index.documents.values()]

    @app.get(
        "/documents/{doc_id}",
        response_model=DocumentFull,
        dependencies=guard,
        responses=error_responses(404, *QUERY_ERRORS),
    )
    def document(doc_id: str, engine: EngineDep) -> dict:
        """One document with its original text, so a citation's offsets can be checked."""
        doc = engine.index.documents.get(check_doc_id(doc_id))
        if doc is None:
            raise HTTPException(status_code=404, detail=f"unknown document {doc_id!r}")
        return {**doc.metadata(), "text": doc.text}


def add_operations_routes(app: FastAPI) -> None:
    """Liveness, readiness, metrics (always open) and the admin reload (RAG_ADMIN_KEY)."""

    @app.get("/health", response_model=Health)
    def health(request: Request) -> dict:
        """Liveness: answers while the process runs, saying whether an index is loaded."""
        engine: Engine | None = request.app.state.engine
        if engine is None:
            return {
                "status": "unavailable",
                "index_loaded": False,
                "documents": 0,
                "chunks": 0,
                "sentences": 0,
                "model": None,
                "index_version": None,
                "error": request.app.state.load_error,
            }
        index = engine.index
        return {
            "status": "ok",
            "index_loaded": True,
            "documents": len(index.documents),
            "chunks": len(index.chunks),
            "sentences": len(index.sentences),
            "model": engine.embedder.name,
            "index_version": index.version,
        }

    @app.get("/ready", response_model=Ready, responses={503: {"model": Ready}})
    def ready(request: Request) -> dict | JSONResponse:
        """Readiness: 200 once an index is loaded, 503 (with the reason) before or without one."""
        engine: Engine | None = request.app.state.engine
        if engine is None:
            reason = request.app.state.load_error or "the index is still loading"
            return JSONResponse(
                status_code=503,
                content={
                    "status": "unavailable",
                    "ready": False,
                    "index_version": None,
                    "error": f"no index loaded: {reason}",
                },
            )
        return {"status": "ready", "ready": True, "index_version": engine.index.version}

    @app.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    def metrics(request: Request) -> PlainTextResponse:
        """Prometheus metrics of this process (requests, latency, abstentions, index)."""
        return PlainTextResponse(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.post(
        "/admin/reload",
        response_model=ReloadResult,
        responses=error_responses(401, 403, 409, 500, 503),
        dependencies=[Depends(require_admin)],
    )
    def reload_index(engine: EngineDep, request: Request) -> dict:
        """Load the index `current` points at and swap to it; on failure keep the old one (409)."""
        try:
            outcome = request.app.state.reloader.reload(engine)
        except ReloadFailed as error:
            raise HTTPException(status_code=409, detail=str(error)) from error
        index = engine.index
        return {
            "reloaded": outcome.changed,
            "previous_version": outcome.previous_version,
            "index_version": outcome.index_version,
            "documents": len(index.documents),
            "chunks": len(index.chunks),
        }


def _middleware(settings: Settings, metrics: Metrics) -> list[Middleware]:
    """Outermost first: ids/logs/metrics see every answer, CORS decorates the guards' errors."""
    stack = [Middleware(AccessMiddleware, metrics=metrics)]
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
    stack.append(Middleware(BodyGuard, max_bytes=settings.max_body_bytes))
    return stack


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The app; with no engine given, the lifespan opens one (building the index if needed)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.engine is None:
            try:
                app.state.engine = Engine.open(settings, log=log.info)
            except Exception as error:  # the service still answers /health and 503s
                log.exception("could not load the index")
                app.state.load_error = str(error)
        poller = None
        if settings.reload_interval > 0:
            poller = asyncio.create_task(
                app.state.reloader.poll(lambda: app.state.engine, settings.reload_interval)
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
    metrics = Metrics(serving_index)
    app = FastAPI(
        title="Grounded QA",
        summary="Cited, extractive answers over the bundled articles.",
        version="0.1.0",
        lifespan=lifespan,
        middleware=_middleware(settings, metrics),
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.load_error = None
    app.state.metrics = metrics
    app.state.reloader = Reloader(on_result=lambda result: metrics.reloads.labels(result).inc())
    install_error_handlers(app)
    add_query_routes(app, settings)
    add_operations_routes(app)
    return app
