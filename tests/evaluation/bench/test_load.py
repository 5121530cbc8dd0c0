"""The load script, run briefly: concurrent /ask traffic, with and without swaps, no errors."""

from __future__ import annotations

import os
import threading
from dataclasses import replace

import pytest

from evaluation.bench.load import NotLoopback, check_loopback, main, run_load
from index.load import load_index
from index.storage.store import publish
from service.engine import Engine
from service.http.app import create_app
from tests.support.auth import ADMIN_KEY, AUTH
from tests.support.indexes import two_versions
from tests.support.server import LiveServer


def test_load_script_reports_throughput_and_latency_with_zero_errors(live_server, capsys):
    code = main(
        [
            "--url",
            live_server.url,
            "--concurrency",
            "4",
            "--duration",
            "3",
            "--pid",
            str(os.getpid()),
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "errors        0" in out and "req/s" in out and "p99" in out and "server RSS" in out


def test_load_with_repeated_reloads_has_zero_errors(tmp_path, settings, embedder, engine):
    root = tmp_path / "index"
    a, b = two_versions(root, tmp_path, embedder)
    serving = replace(settings, index_dir=root, admin_key=ADMIN_KEY)
    done = threading.Event()
    swaps = []

    def swap(url: str) -> None:
        import httpx

        with httpx.Client(base_url=url, timeout=30) as http:
            while not done.wait(0.05) and len(swaps) < 500:
                publish(root, (b if len(swaps) % 2 == 0 else a).path)
                reply = http.post("/admin/reload", headers=AUTH)
                swaps.append(reply.status_code)

    with LiveServer(create_app(serving, Engine(serving, embedder, load_index(root)))) as server:
        swapper = threading.Thread(target=swap, args=(server.url,))
        swapper.start()
        try:
            report = run_load(server.url, concurrency=4, duration=3, max_requests=2000)
        finally:
            done.set()
            swapper.join(timeout=30)
    assert report.requests > 0 and report.errors == 0, report.error_kinds
    assert len(swaps) >= 5 and set(swaps) == {200}


def test_the_load_script_is_bounded_and_loopback_only(capsys):
    for url in (
        "http://127.0.0.1:8000",
        "http://127.0.0.2:1/",
        "http://[::1]:8000",
        "http://localhost:8000",
    ):
        assert check_loopback(url) == url.rstrip("/")
    for url in (
        "http://10.0.0.1:8000",
        "http://example.com",
        "http://127.0.0.1.evil.test",
        "ftp://127.0.0.1",
        "127.0.0.1:8000",
    ):
        with pytest.raises(NotLoopback):
            check_loopback(url)
    assert main(["--url", "http://192.168.1.10:8000", "--duration", "1"]) == 2
    assert "only loopback hosts" in capsys.readouterr().err
    assert main(["--url", "http://127.0.0.1:9", "--duration", "601"]) == 2
    assert main(["--url", "http://127.0.0.1:9", "--concurrency", "0"]) == 2
