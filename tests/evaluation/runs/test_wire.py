"""The raw load client: real responses from a real server, keep-alive, a server that hangs up."""

from __future__ import annotations

import asyncio
import json

import pytest

from evaluation.runs.wire import Connection, NotLoopback, ProtocolError, _parse_head, request_bytes


def test_asks_and_probes_over_one_kept_alive_connection(live_server) -> None:
    async def exchange() -> list:
        connection = Connection(live_server.url)
        ask = request_bytes(
            connection.authority, "POST", "/ask", json.dumps({"question": "why?"}).encode()
        )
        health = request_bytes(connection.authority, "GET", "/health")
        replies, writers = [], set()
        for raw in (ask, health, ask):
            replies.append(await connection.send(raw))
            writers.add(id(connection._writer))
        await connection.close()
        return [*replies, writers]

    first, health, again, writers = asyncio.run(exchange())
    assert first.status == health.status == again.status == 200
    body, repeated = json.loads(first.body), json.loads(again.body)
    assert body["question"] == "why?" and repeated["answer"] == body["answer"]
    assert len(writers) == 1  # all three went over the one connection it kept open


def test_a_connection_the_server_closed_is_reopened_once() -> None:
    served = []

    async def run() -> list[int]:
        async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            served.append(1)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
            writer.close()  # an idle timeout: the client finds out on its next request

        server = await asyncio.start_server(answer_once, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        connection = Connection(f"http://127.0.0.1:{port}")
        raw = request_bytes(connection.authority, "GET", "/health")
        statuses = [(await connection.send(raw)).status]
        await asyncio.sleep(0.05)
        statuses.append((await connection.send(raw)).status)
        await connection.close()
        server.close()
        await server.wait_closed()
        return statuses

    assert asyncio.run(run()) == [200, 200] and len(served) == 2


def test_response_heads_are_read_or_refused() -> None:
    assert _parse_head(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 12\r\n\r\n") == (
        503,
        12,
        False,
    )
    assert _parse_head(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n") == (200, 0, True)
    for head in (
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    ):
        with pytest.raises(ProtocolError):
            _parse_head(head)
    with pytest.raises(ValueError, match="plain http"):
        Connection("https://127.0.0.1:1")
    with pytest.raises(NotLoopback):
        Connection("http://10.1.2.3:8000")
