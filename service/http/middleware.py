"""Pure-ASGI guards in front of the app: bounded request bodies, valid UTF-8, JSON errors,
and the headers every response carries."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import anyio
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http.errors import error_body

JSON_TYPES = ("application/json",)
# On every answer, including errors: browsers must not guess a type (a JSON error read as HTML),
# and nothing is cached unless the route says so (the web page's assets and the docs' bundles).
SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"),)
DEFAULT_CACHE_CONTROL = b"no-store"


def request_id_of(scope: Scope) -> str | None:
    """The id the access middleware gave this request (None outside it)."""
    return scope.get("state", {}).get("request_id")


async def send_json_error(
    send: Send,
    scope: Scope,
    status: int,
    message: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Answer with the service's error shape (OpenAI's under /v1/); used where no FastAPI
    handler can run."""
    body = error_body(scope.get("path", ""), status, message, request_id_of(scope))
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"cache-control", DEFAULT_CACHE_CONTROL),
                *SECURITY_HEADERS,
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value
    return None


def _is_json(content_type: bytes | None) -> bool:
    if content_type is None:
        return True  # FastAPI parses an untyped body as JSON
    media = content_type.split(b";", 1)[0].strip().lower().decode("latin-1")
    return media in JSON_TYPES or media.endswith("+json")


class SecurityHeaders:
    """Outermost layer: `nosniff` on every response, `no-store` unless the route set caching."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name.decode() not in headers:
                        headers.append(name.decode(), value.decode())
                if "cache-control" not in headers:
                    headers.append("Cache-Control", DEFAULT_CACHE_CONTROL.decode())
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyGuard:
    """Reads the whole body (at most `max_bytes`, chunked or not, within `timeout` seconds of
    the headers) before the app sees it.

    Counting as the bytes arrive is what makes the limit hold without a Content-Length; a
    64 KB buffer per request is cheap, and the app then reads from memory. The deadline is for
    the whole body, not per read, so a client dripping one byte at a time cannot hold a
    connection (or a shutdown) open for longer than `timeout`: it gets 408 and is closed.
    `limit_for`, when given, picks a request's own limit instead of `max_bytes` (an upload
    route's larger one, service/http/documents.py).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        timeout: float,
        limit_for: Callable[[Scope], int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.limit_for = limit_for

    @staticmethod
    def _too_large(limit: int) -> str:
        return f"request body too large: the limit is {limit} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        close = [(b"connection", b"close")]
        limit = self.max_bytes if self.limit_for is None else self.limit_for(scope)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_json_error(send, scope, 413, self._too_large(limit), close)
            return
        chunks: list[bytes] = []
        size = 0
        with anyio.move_on_after(self.timeout) as deadline:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the client left; nobody is waiting for an answer
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    await send_json_error(send, scope, 413, self._too_large(limit), close)
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        if deadline.cancelled_caught:
            reason = (
                f"request body not received within {self.timeout:g} s "
                f"({size} bytes arrived); send the whole body at once"
            )
            await send_json_error(send, scope, 408, reason, close)
            return
        body = b"".join(chunks)
        if body and _is_json(_header(scope, b"content-type")):
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as error:
                await send_json_error(
                    send,
                    scope,
                    400,
                    f"request body is not valid UTF-8 (byte {error.start}: {error.reason}); "
                    "send JSON encoded as UTF-8",
                )
                return
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that yields the buffered body once, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
