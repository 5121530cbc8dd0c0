"""Liveness, readiness, metrics (always open) and the admin reload (RAG_ADMIN_KEY).

/health, /ready and /metrics are `async def` and read only the engine's current index, so they
run on the event loop without waiting for a thread: a worker busy answering /ask (whose work is
bounded per worker, see service/http/app.py) still answers its probes at once.
"""

from __future__ import annotations

import os

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST

from service.engine import Engine
from service.http.dependencies import EngineDep, loading_reason
from service.http.errors import error_responses
from service.http.runtime.lifecycle import ReloadFailed
from service.http.schemas import Health, Ready, ReloadResult
from service.http.security import require_admin


def add_operations_routes(app: FastAPI) -> None:
    """GET /health, /ready, /metrics and POST /admin/reload."""

    @app.get("/health", response_model=Health)
    async def health(request: Request) -> dict:
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
                "worker_pid": os.getpid(),
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
            "skipped": [{"source": s.source, "reason": s.reason} for s in index.manifest.skipped],
            "worker_pid": os.getpid(),
        }

    @app.get("/ready", response_model=Ready, responses={503: {"model": Ready}})
    async def ready(request: Request) -> dict | JSONResponse:
        """Readiness: 200 once an index is loaded, 503 (with the reason) before or without one."""
        engine: Engine | None = request.app.state.engine
        if engine is None:
            return JSONResponse(
                status_code=503,
                content={
                    "status": "unavailable",
                    "ready": False,
                    "index_version": None,
                    "error": f"no index loaded: {loading_reason(request)}",
                },
            )
        return {"status": "ready", "ready": True, "index_version": engine.index.version}

    @app.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def metrics(request: Request) -> PlainTextResponse:
        """Prometheus metrics of this worker (requests, latency, abstentions, index)."""
        return PlainTextResponse(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.post(
        "/admin/reload",
        response_model=ReloadResult,
        responses=error_responses(401, 403, 409, 500, 503),
        dependencies=[Depends(require_admin)],
    )
    def reload_index(engine: EngineDep, request: Request) -> dict:
        """Load the index `current` points at and swap to it, in this worker now and in every
        other worker within RAG_RELOAD_INTERVAL; on failure keep the old one (409)."""
        try:
            outcome = request.app.state.reloader.reload_everywhere(engine)
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
