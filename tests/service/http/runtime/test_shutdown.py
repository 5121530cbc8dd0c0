"""SIGTERM to `rag serve`: the listener closes at once, requests in flight still get answers."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time

import httpx
import pytest

from tests.support.net import free_port
from tests.support.rag import RAG, rag_env


def _connect_refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("engine")  # the session index exists, so the server only loads it
def test_sigterm_lets_a_request_in_flight_finish(settings, tmp_path):
    port = free_port()
    env = rag_env(settings, RAG_AUTO_BUILD="0")
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [str(RAG), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2)
            except httpx.HTTPError:
                ready = None
            if ready is not None:
                assert ready.status_code == 200, ready.text  # 503 means it failed to load
                break
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(0.2)

        body = json.dumps({"question": "How long should I give him space?"}).encode()
        head = (
            f"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(head + body[:10])  # the request is now in flight, its body half sent
            time.sleep(0.5)
            server.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            while not _connect_refused(port):  # new connections are turned away ...
                assert time.monotonic() < deadline, "the listener stayed open after SIGTERM"
                time.sleep(0.05)
            assert server.poll() is None  # ... while the process waits for the one in flight
            client.sendall(body[10:])
            answer = b""
            while chunk := client.recv(65536):
                answer += chunk
        status_line, _, rest = answer.partition(b"\r\n")
        assert b" 200 " in status_line, answer[:300]
        payload = json.loads(rest.partition(b"\r\n\r\n")[2])
        assert payload["answer"] and payload["passages"] and payload["index_version"]
        assert server.wait(timeout=40) in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
