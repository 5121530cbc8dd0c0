"""The HTTP API: thin handlers over the engine, which is loaded once at start-up.

Guards live elsewhere so each piece stays small: error bodies in service/errors.py, body
limits and response headers in service/middleware.py, keys and document ids in
service/security.py, request ids, logs and metrics in service/observability.py, probes and the
admin reload in service/operations.py, adding and removing documents in service/documents.py,
opening the engine and index reloads in service/lifecycle.py, the documentation pages in
service/docs.py.

/ask and /search are computed in threads, at most RAG_QUERY_CONCURRENCY at once per worker;
requests beyond that wait on the event loop (costing nothing), so the loop stays free for the
probes and for reading bodies instead of handing dozens of threads to a handful of cores.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware

from index.load import load_documents
from index.manifest import IndexNotFound, IndexProblem
from ingest.documents import Document
from service.config import Settings
from service.docs import add_docs_routes
from service.documents import add_document_routes, upload_limit
from service.engine import Engine
from service.errors import QUERY_ERRORS, error_responses, install_error_handlers, public_message
from service.lifecycle import Reloader, Starter
from service.middleware import BodyGuard, SecurityHeaders
from service.observability import AccessMiddleware, Metrics, ensure_access_handler
from service.operations import EngineDep, add_operations_routes
from service.render import ask_body, search_body
from service.schemas import (
    MODE_HELP,
    TEXT_SCHEMA,
    AskRequest,
    AskResponse,
    DocumentFull,
    DocumentMeta,
    Examples,
    Mode,
    SearchResponse,
    check_text,
)
from service.security import DocIdPath, check_doc_id, require_query_key
from service.serving import ServingIndex
from service.web.routes import add_web_routes

T = TypeVar("T")


async def compute(request: Request, work: Callable[[], T]) -> T:
    """Run a query's work in a thread, waiting (on the loop) for one of the worker's slots."""
    limiter: CapacityLimiter = request.app.state.query_limiter
    return await anyio.to_thread.run_sync(work, limiter=limiter)


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
    async def ask(body: AskRequest, engine: EngineDep, request: Request) -> dict:
        """Answer a question with sentences quoted from the articles, each cited."""
        result = await compute(
            request, lambda: ask_body(engine.ask(body.question, body.top_k, body.mode))
        )
        request.state.abstained = result["abstained"]
        request.state.index_version = result["index_version"]
        request.state.question = body.question  # logged only with RAG_LOG_QUESTIONS
        return result

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
        chosen = mode or engine.settings.retrieval_mode
        request.state.question = query
        return await compute(
            request, lambda: search_body(query, chosen, engine.search(query, k, chosen))
        )

    @app.get(
        "/documents", response_model=list[DocumentMeta], dependencies=guard, responses=QUERY_ERRORS
    )
    def documents(engine: EngineDep) -> list[dict]:
        """Every indexed document's metadata."""
        return [d.metadata() for d in engine.index.documents.values()]

    @app.get("/examples", response_model=Examples, dependencies=guard, responses=QUERY_ERRORS)
    def examples(engine: EngineDep) -> dict:
        """Questions the served documents suggest themselves (their FAQ's, their headings'),
        for a first-time reader who does not know what to ask."""
        return {"questions": list(engine.index.examples)}

    @app.get(
        "/documents/{doc_id}",
        response_model=DocumentFull,
        dependencies=guard,
        responses=error_responses(404, 409, *QUERY_ERRORS),
    )
    def document(
        doc_id: DocIdPath,
        engine: EngineDep,
        version: Annotated[
            str | None,
            Query(
                max_length=200,
                description="An index version (a citation's `index_version`): its text, for "
                "as long as that version is kept (RAG_KEEP_VERSIONS). Default: the one served.",
            ),
        ] = None,
    ) -> dict:
        """One document with its citable text, so a citation's offsets can be checked, and the
        index version it is from."""
        check_doc_id(doc_id)
        index = engine.index
        served = index.version if version is None else version
        documents = index.documents if served == index.version else kept_documents(engine, served)
        doc = documents.get(doc_id)
        if doc is None:
            where = "" if version is None else f" in index version {version!r}"
            raise HTTPException(status_code=404, detail=f"unknown document {doc_id!r}{where}")
        return {
            **doc.metadata(),
            "text": doc.text,
            "index_version": served,
            "format": doc.format,
            "blocks": [b.to_record() for b in doc.blocks],
            "markup": [list(span) for span in doc.markup],
            "pages": list(doc.pages),
        }


def kept_documents(engine: Engine, version: str) -> dict[str, Document]:
    """The documents of an older kept version: 404 when it is unknown or pruned, 409 when it
    is on disk but damaged."""
    try:
        return load_documents(engine.settings.index_dir, version)
    except IndexNotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except IndexProblem as error:
        raise HTTPException(status_code=409, detail=str(error)) from error


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
    metrics = Metrics(serving_index)
    app = FastAPI(
        title="Grounded QA",
        summary="Cited, extractive answers over the bundled articles.",
        version="0.1.0",
        lifespan=lifespan,
        middleware=_middleware(settings, metrics),
        redirect_slashes=False,  # a redirect would be built from the Host header; 404 instead
        docs_url=None,  # service/docs.py serves /docs and /redoc without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.load_error = None
    app.state.metrics = metrics
    app.state.reloader = Reloader(on_result=lambda result: metrics.reloads.labels(result).inc())
    install_error_handlers(app)
    add_query_routes(app, settings)
    add_operations_routes(app)
    add_document_routes(app)
    add_docs_routes(app)
    add_web_routes(app)
    return app
