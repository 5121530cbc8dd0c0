"""The HTTP API: thin handlers over the engine, which is loaded once at start-up."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.config import Settings
from service.engine import Engine
from service.render import ask_body, search_body
from service.schemas import (
    AskRequest,
    AskResponse,
    DocumentFull,
    DocumentMeta,
    ErrorBody,
    Health,
    Mode,
    SearchResponse,
    check_question,
)

log = logging.getLogger("rag.api")
ERRORS = {
    404: {"model": ErrorBody, "description": "Unknown document"},
    422: {"model": ErrorBody, "description": "Invalid input; `error` names the field"},
    503: {"model": ErrorBody, "description": "No index loaded"},
}


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def _validation_body(errors: list[dict]) -> dict:
    detail = [
        {"loc": list(e.get("loc", ())), "field": _field(tuple(e.get("loc", ()))),
         "msg": str(e.get("msg", "")).removeprefix("Value error, "), "type": e.get("type")}
        for e in errors
    ]
    summary = "; ".join(f"{d['field']}: {d['msg']}" for d in detail)
    return {"error": summary or "invalid request", "detail": detail}


def install_error_handlers(app: FastAPI) -> None:
    """Every error is JSON with an `error` sentence; inputs are never echoed back."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content=_validation_body(list(error.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=error.status_code,
            content={"error": str(error.detail), "detail": error.detail},
            headers=getattr(error, "headers", None),
        )


def get_engine(request: Request) -> Engine:
    engine: Engine | None = request.app.state.engine
    if engine is None:
        reason = request.app.state.load_error or "the index is still loading"
        raise HTTPException(status_code=503, detail=f"no index loaded: {reason}")
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


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
        yield

    app = FastAPI(
        title="Grounded QA",
        summary="Cited, extractive answers over the bundled articles.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.load_error = None
    install_error_handlers(app)

    @app.post("/ask", response_model=AskResponse, responses=ERRORS)
    def ask(body: AskRequest, engine: EngineDep) -> dict:
        """Answer a question with sentences quoted from the articles, each cited."""
        return ask_body(engine.ask(body.question, body.top_k, body.mode))

    @app.get("/search", response_model=SearchResponse, responses=ERRORS)
    def search(
        engine: EngineDep,
        q: Annotated[str, Query(description="The query text.")],
        k: Annotated[int, Query(ge=1, le=50, description="How many passages.")] = 5,
        mode: Annotated[Mode | None, Query(description="dense, bm25 or hybrid.")] = None,
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

    @app.get("/documents", response_model=list[DocumentMeta], responses=ERRORS)
    def documents(engine: EngineDep) -> list[dict]:
        """Every indexed document's metadata."""
        return [d.metadata() for d in engine.index.documents.values()]

    @app.get("/documents/{doc_id}", response_model=DocumentFull, responses=ERRORS)
    def document(doc_id: str, engine: EngineDep) -> dict:
        """One document with its original text, so a citation's offsets can be checked."""
        doc = engine.index.documents.get(doc_id)
        if doc is None:
            raise HTTPException(status_code=404, detail=f"unknown document {doc_id!r}")
        return {**doc.metadata(), "text": doc.text}

    @app.get("/health", response_model=Health)
    def health(request: Request) -> dict:
        """Whether an index is loaded, what it holds and which model serves it."""
        engine: Engine | None = request.app.state.engine
        if engine is None:
            return {"status": "unavailable", "index_loaded": False, "documents": 0, "chunks": 0,
                    "sentences": 0, "model": None, "index_version": None,
                    "error": request.app.state.load_error}
        index = engine.index
        return {"status": "ok", "index_loaded": True, "documents": len(index.documents),
                "chunks": len(index.chunks), "sentences": len(index.sentences),
                "model": engine.embedder.name, "index_version": index.version}

    return app
