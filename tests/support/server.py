"""Servers under test: the app on uvicorn in a thread of this process (LiveServer), and
`rag serve` in its own process (ServeProcess), each on a free loopback port."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from service.config import Settings
from service.http.runtime.server import uvicorn_config
from tests.support.auth import ADMIN_KEY
from tests.support.net import free_port
from tests.support.rag import RAG, rag_env

# The /ask fields the public contract promises (extend, never drop).
ASK_FIELDS = frozenset(
    {"question", "answer", "abstained", "confidence", "citations", "passages", "timings_ms"}
)


class LiveServer:
    """A real uvicorn server in a thread, serving `app` with its own settings' configuration."""

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


class ServeProcess:
    """`rag serve --workers N` in its own process on the settings' folders, with the admin
    key set; entering waits until it is ready, leaving sends SIGTERM."""

    def __init__(self, settings: Settings, log: Path, workers: int, **env: str) -> None:
        self.port, self.log = free_port(), log
        self.url = f"http://127.0.0.1:{self.port}"
        command = [RAG, "serve", "--port", str(self.port), "--workers", str(workers)]
        variables = rag_env(settings, RAG_ADMIN_KEY=ADMIN_KEY, **env)
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, env=variables, stdout=out, stderr=subprocess.STDOUT
            )

    def __enter__(self) -> ServeProcess:
        deadline = time.monotonic() + 180
        while True:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/ready", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.3)

    def __exit__(self, *_exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    def failed_reload_pids(self) -> set[int]:
        """The workers whose log says a reload failed."""
        return {
            int(line.rpartition("(pid ")[2].rstrip(")"))
            for line in self.log.read_text().splitlines()
            if "reload failed" in line and "(pid " in line
        }


def health_by_pid(url: str, rounds: int = 1) -> dict[int, dict]:
    """/health over fresh connections, 8 at a time, so the workers share them; latest per pid."""

    def one(_: int) -> dict:
        return httpx.get(f"{url}/health", headers={"Connection": "close"}, timeout=10).json()

    seen: dict[int, dict] = {}
    with ThreadPoolExecutor(8) as pool:
        for _ in range(rounds):
            for body in pool.map(one, range(8)):
                seen[body["worker_pid"]] = body
    return seen


def wait_until_every_worker_serves(url: str, pids: set[int], version: str) -> None:
    deadline = time.monotonic() + 60  # the watchers look twice a second
    versions: dict[int, str | None] = {}
    while {pid for pid in pids if versions.get(pid) == version} != pids:
        assert time.monotonic() < deadline, (version, versions)
        versions.update({pid: body["index_version"] for pid, body in health_by_pid(url).items()})
        time.sleep(0.1)
