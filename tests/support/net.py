"""Loopback sockets and polling: free ports, requests sent byte for byte, waiting on a condition."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Callable

import httpx


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (the socket's timeout fails a held one)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def read_one_response(sock: socket.socket) -> bytes:
    """One whole response on a kept-alive connection (head, then Content-Length bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    found = re.search(rb"content-length: (\d+)", head.lower())
    assert found, head
    length = int(found[1])
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def raw_request(port: int, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """Send bytes exactly as written (no client-side URL normalisation) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + body)
        data = read_until_closed(sock)
    head_bytes, _, payload = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, payload


def wait_until(check: Callable[[], bool], timeout: float = 60, interval: float = 0.05) -> bool:
    """Poll `check` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def wait_ready(client: httpx.Client, server: subprocess.Popen, timeout: float = 90) -> None:
    """Poll a spawned server's /ready until it answers 200; fail if the process exits first
    or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if client.get("/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert server.poll() is None, f"the server exited with {server.returncode} before ready"
        assert time.monotonic() < deadline, f"the server was not ready within {timeout} s"
        time.sleep(0.1)
