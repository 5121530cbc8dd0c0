"""What every route depends on: the engine (503 while none is loaded) and the worker's query slots.

/ask and /search are computed in threads, at most RAG_QUERY_CONCURRENCY at once per worker;
requests beyond that wait on the event loop (costing nothing), so the loop stays free for the
probes and for reading bodies instead of handing dozens of threads to a handful of cores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, HTTPException, Request

from service.engine import Engine

T = TypeVar("T")


def loading_reason(request: Request) -> str:
    """Why no engine serves yet (already free of filesystem paths, see service/http/app.py)."""
    return request.app.state.load_error or "the index is still loading"


async def get_engine(request: Request) -> Engine:
    """The engine, or 503 while none is loaded (async: no thread is taken to find out)."""
    engine: Engine | None = request.app.state.engine
    if engine is None:
        raise HTTPException(status_code=503, detail=f"no index loaded: {loading_reason(request)}")
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


async def compute(request: Request, work: Callable[[], T]) -> T:
    """Run a query's work in a thread, waiting (on the loop) for one of the worker's slots."""
    limiter: CapacityLimiter = request.app.state.query_limiter
    return await anyio.to_thread.run_sync(work, limiter=limiter)
