"""A minimal HTTP/1.1 client over asyncio streams, for load tests that must not eat the CPU.

On a 2-core machine the load generator competes with the server it measures: httpx spends
about a millisecond of Python per request, a third of a core at 300 requests a second. This
client keeps one connection open per simulated user, writes requests built once as bytes, and
reads a response by its Content-Length, a few tens of microseconds each. It speaks only what
the service answers (HTTP/1.1, keep-alive, Content-Length bodies), and only to loopback
addresses (`check_loopback` refuses any other before a connection is made).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

HEAD_LIMIT = 64 * 1024


class NotLoopback(ValueError):
    """The target is not a loopback address; this tool never loads anyone else's server."""


def check_loopback(url: str) -> str:
    """The URL without a trailing slash, or NotLoopback naming the host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotLoopback(f"--url must be http://127.0.0.1:PORT or similar, got {url!r}")
    host = parts.hostname
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise NotLoopback(
                f"refusing to load-test {host!r}: only loopback hosts (127.0.0.0/8, ::1, "
                "localhost) are allowed"
            )
    return url.rstrip("/")


class ProtocolError(ConnectionError):
    """The server's answer was not an HTTP/1.1 response this client can read."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def request_bytes(
    host: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    """One whole request, ready to write (JSON when there is a body)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """One keep-alive connection; reopened transparently when the server closed it."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(check_loopback(url))
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"only plain http:// URLs are supported, got {url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.authority = parts.netloc
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(
            self.host, self.port, limit=HEAD_LIMIT
        )

    async def send(self, raw: bytes) -> Response:
        """Write one prepared request and read its response. A kept-alive connection that the
        server had closed before answering (its idle timeout) is reopened once."""
        reused = self._writer is not None and not self._writer.is_closing()
        if not reused:
            await self._open()
        try:
            head = await self._exchange(raw)
        except asyncio.IncompleteReadError as error:
            await self.close()
            if not (reused and not error.partial):
                raise ConnectionResetError("the server closed the connection") from error
            await self._open()
            head = await self._exchange(raw)
        assert self._reader is not None
        status, length, closes = _parse_head(head)
        body = await self._reader.readexactly(length) if length else b""
        if closes:
            await self.close()
        return Response(status, body)

    async def _exchange(self, raw: bytes) -> bytes:
        assert self._reader is not None and self._writer is not None
        self._writer.write(raw)
        return await self._reader.readuntil(b"\r\n\r\n")

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    """(status, Content-Length, whether the server closes) from a response head."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ProtocolError(f"not an HTTP/1.1 status line: {lines[0][:80]!r}")
    length, closes = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding":
            raise ProtocolError("chunked responses are not supported")
        elif name == "connection" and value.strip().lower() == "close":
            closes = True
    return int(parts[1]), length, closes
