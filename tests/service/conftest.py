"""A real uvicorn server on a free loopback port, serving the session's engine."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from service.api import create_app
from service.server import uvicorn_config
from tests.conftest import free_port

# The /ask fields the public contract promises (extend, never drop).
ASK_FIELDS = frozenset(
    {"question", "answer", "abstained", "confidence", "citations", "passages", "timings_ms"}
)


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The production configuration (request-head deadline, shutdown bound) of the app's own
        # settings, on a free port.
        config = uvicorn_config(
            app.state.settings,
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(engine, settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(settings, engine)) as server:
        yield server


@pytest.fixture()
def client(live_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        yield http
