"""Pure-ASGI guards in front of the app: bounded request bodies, valid UTF-8, JSON errors."""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_TYPES = ("application/json",)


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
    """Answer with the service's error shape; used where no FastAPI handler can run."""
    body = {"error": message}
    if request_id := request_id_of(scope):
        body["request_id"] = request_id
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
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


class BodyGuard:
    """Reads the whole body (at most `max_bytes`, chunked or not) before the app sees it.

    Counting as the bytes arrive is what makes the limit hold without a Content-Length; a
    64 KB buffer per request is cheap, and the app then reads from memory.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> str:
        return f"request body too large: the limit is {self.max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        close = [(b"connection", b"close")]
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await send_json_error(send, scope, 413, self._too_large(), close)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left; nobody is waiting for an answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_json_error(send, scope, 413, self._too_large(), close)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
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
