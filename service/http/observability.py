"""Request ids, one JSON access-log line per request, and Prometheus metrics per app.

The line names the route's template (`/documents/{doc_id}`), never the path or its query
string, so no question reaches the log: questions can be private (a diagnosis, a name). An
operator who wants them sets RAG_LOG_QUESTIONS=1, and the line then carries `question`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.answer_cache import CacheStats
from service.http.middleware import send_json_error
from service.serving import ServingIndex

access_log = logging.getLogger("rag.access")
error_log = logging.getLogger("rag.api")
REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UNMATCHED = "unmatched"  # one label for every unknown path, so 404 probes cannot explode series
# nginx's "client closed request": the client hung up before any answer. Counted and logged
# under its own status, never as a 500 or an error: anyone can hang up, and it is not a fault.
CLIENT_CLOSED = 499


class IndexCollector:
    """Reads the engine's index at scrape time, so the gauges always match what serves."""

    def __init__(self, current_index: Callable[[], ServingIndex | None]) -> None:
        self.current_index = current_index

    def collect(self) -> Iterator[Metric]:
        """The loaded index's version (as a label), its size, and whether one is loaded."""
        index = self.current_index()
        info = GaugeMetricFamily("rag_index_info", "The index version serving.", labels=["version"])
        loaded = GaugeMetricFamily("rag_index_loaded", "1 when an index is loaded, else 0.")
        chunks = GaugeMetricFamily("rag_index_chunks", "Chunks in the serving index.")
        documents = GaugeMetricFamily("rag_index_documents", "Documents in the serving index.")
        loaded.add_metric([], 0 if index is None else 1)
        if index is not None:
            info.add_metric([index.version], 1)
            chunks.add_metric([], len(index.chunks))
            documents.add_metric([], len(index.documents))
        yield from (info, loaded, chunks, documents)


class AnswerCacheCollector:
    """Reads the serving engine's answer cache at scrape time."""

    def __init__(self, current_cache: Callable[[], CacheStats | None]) -> None:
        self.current_cache = current_cache

    def collect(self) -> Iterator[Metric]:
        stats = self.current_cache()
        hits = CounterMetricFamily("rag_answer_cache_hits", "/ask answers served from the cache.")
        misses = CounterMetricFamily("rag_answer_cache_misses", "/ask answers computed anew.")
        entries = GaugeMetricFamily("rag_answer_cache_entries", "Answers held (0 after a reload).")
        if stats is not None:
            hits.add_metric([], stats.hits)
            misses.add_metric([], stats.misses)
            entries.add_metric([], stats.entries)
        yield from (hits, misses, entries)


class Metrics:
    """One registry per app (never the global one), so several apps can share a process."""

    def __init__(
        self,
        current_index: Callable[[], ServingIndex | None],
        current_cache: Callable[[], CacheStats | None] = lambda: None,
    ) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rag_requests",
            "HTTP requests by route template and status.",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "rag_request_latency_seconds",
            "Request latency by route template.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.abstentions = Counter(
            "rag_abstentions", "/ask answers that abstained.", registry=self.registry
        )
        self.reloads = Counter(
            "rag_index_reloads",
            "Index reload attempts by result.",
            ["result"],
            registry=self.registry,
        )
        self.registry.register(IndexCollector(current_index))
        self.registry.register(AnswerCacheCollector(current_cache))

    def observe(self, route: str, status: int, seconds: float, abstained: bool | None) -> None:
        """Count one finished request."""
        self.requests.labels(route=route, status=str(status)).inc()
        self.latency.labels(route=route).observe(seconds)
        if abstained:
            self.abstentions.inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of this app's registry."""
        return generate_latest(self.registry)


def ensure_access_handler() -> None:
    """Access lines go to stderr as bare JSON (no logging prefix), once per process."""
    if any(getattr(h, "_rag_access", False) for h in access_log.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler._rag_access = True  # type: ignore[attr-defined]
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_ID.fullmatch(text) else None
    return None


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/documents/{doc_id}`), never the raw path."""
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return route.path
    app = scope.get("app")
    for candidate in getattr(getattr(app, "router", None), "routes", ()):
        match, _ = candidate.matches(scope)
        if match != Match.NONE:
            return getattr(candidate, "path", UNMATCHED)
    return UNMATCHED


class AccessMiddleware:
    """Gives each request an id, logs and counts it, and turns crashes into 500s.

    A crash answers `{"error": "internal error", "request_id": ...}`; the traceback goes only to
    the log, under the same request id. A client that hangs up before an answer (an aborted
    upload: the server reports `http.disconnect`, Starlette raises ClientDisconnect) is
    recorded as 499 and nothing is sent.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, log_questions: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.log_questions = log_questions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or os.urandom(16).hex()  # uuid4's randomness, cheaper
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        responded = disconnected = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        async def receive_watching() -> Message:
            nonlocal disconnected
            message = await receive()
            disconnected = disconnected or message["type"] == "http.disconnect"
            return message

        try:
            await self.app(scope, receive_watching, send_with_id)
            if not responded and disconnected:
                status = CLIENT_CLOSED
        except ClientDisconnect:
            if not responded:
                status = CLIENT_CLOSED
        except Exception:
            error_log.exception(
                "unhandled error in %s %s (request_id=%s)",
                scope.get("method"),
                route_template(scope),
                request_id,
            )
            if responded:
                raise  # the response is half sent; the server must drop the connection
            await send_json_error(send_with_id, scope, 500, "internal error")
        finally:
            self._record(scope, request_id, status, time.perf_counter() - started)

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = route_template(scope)
        state = scope.get("state", {})
        abstained = state.get("abstained")
        self.metrics.observe(route, status, seconds, abstained)
        line = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": request_id,
            "method": scope.get("method"),
            "route": route,
            "status": status,
            "latency_ms": round(seconds * 1000, 2),
        }
        if abstained is not None:
            line["abstained"] = abstained
        if state.get("index_version"):
            line["index_version"] = state["index_version"]
        if self.log_questions and state.get("question"):
            line["question"] = state["question"]
        access_log.info(json.dumps(line))
