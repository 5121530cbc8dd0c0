"""uvicorn's h11 protocol with a deadline for the request head, and JSON for its own errors.

uvicorn bounds idle keep-alive connections but not a request whose line and headers arrive
slowly or never: such a connection was held until the client gave up. The app cannot help,
because it is only called once the headers are complete, so the deadline lives here: from the
connection (or the first byte of a further request on it) to the end of the headers. On expiry
a client that sent part of a request gets a JSON 408 and the connection is closed; one that sent
nothing is just closed. The body has its own deadline in service/http/middleware.py (BodyGuard).

uvicorn takes a protocol class through `Config(http=...)`; this one subclasses its h11 protocol
and uses only its connection, transport and loop. It also answers malformed HTTP with the
service's JSON error shape instead of uvicorn's plain text.
"""

from __future__ import annotations

import asyncio
import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.http.middleware import DEFAULT_CACHE_CONTROL, SECURITY_HEADERS


def error_response(status: int, reason: str, message: str) -> bytes:
    """A complete HTTP/1.1 error response that closes the connection, in the service's shape."""
    body = json.dumps({"error": message}).encode()
    head = [
        f"HTTP/1.1 {status} {reason}".encode(),
        b"content-type: application/json",
        b"content-length: " + str(len(body)).encode(),
        b"cache-control: " + DEFAULT_CACHE_CONTROL,
        *(name + b": " + value for name, value in SECURITY_HEADERS),
        b"connection: close",
    ]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


class DeadlineH11Protocol(H11Protocol):
    """Closes a connection whose request head is not complete within `header_timeout` seconds.

    The timeout is read from the uvicorn config's `header_timeout` attribute, which
    service/http/runtime/server.py sets (uvicorn passes only its own config to a protocol).
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_deadline: asyncio.TimerHandle | None = None
        self._got_bytes = False
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        self._got_bytes = self._got_bytes or bool(data)
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._arm()  # still waiting for this request's head (or the next one's)
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        self._got_bytes = False  # the next request's deadline starts at its first byte
        super().on_response_complete()

    def _arm(self) -> None:
        if self._head_deadline is None and not self.transport.is_closing():
            timeout = float(self.config.header_timeout)  # type: ignore[attr-defined]
            self._head_deadline = self.loop.call_later(timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self._got_bytes:
            timeout = float(self.config.header_timeout)  # type: ignore[attr-defined]
            message = f"request headers not received within {timeout:g} s"
            self.transport.write(error_response(408, "Request Timeout", message))
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """Malformed HTTP: the JSON error shape (uvicorn's own answer is plain text)."""
        self._disarm()
        self.transport.write(error_response(400, "Bad Request", f"malformed HTTP request: {msg}"))
        self.transport.close()
