"""No question reaches any log by default: a real `rag serve` is asked through /ask, /search?q=
and the page's /?q= link, and neither its stderr nor any file it wrote holds the question; with
RAG_LOG_QUESTIONS=1 the access lines carry it (so the check can fail)."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from service.config import Settings
from tests.support.net import free_port, wait_ready
from tests.support.rag import RAG, rag_env

QUESTION = "does quokkamarker77 keep my diagnosis private"


def serve_and_ask(settings: Settings, log_dir: Path, **env: str) -> str:
    """Serve the session's index with stderr to a file, ask three ways, stop; the stderr."""
    port = free_port()
    stderr = log_dir / "stderr.log"
    with stderr.open("wb") as sink:
        server = subprocess.Popen(
            [str(RAG), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=rag_env(settings, **env),
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=log_dir,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
                wait_ready(http, server)
                assert http.post("/ask", json={"question": QUESTION}).status_code == 200
                assert http.get(f"/search?q={quote(QUESTION)}").status_code == 200
                assert http.get(f"/?q={quote(QUESTION)}").status_code == 200
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return stderr.read_text(errors="replace")


def files_holding(root: Path, text: str) -> list[str]:
    return [
        str(p)
        for p in root.rglob("*")
        if p.is_file() and text.encode() in p.read_bytes() and p.name != "stderr.log"
    ]


@pytest.mark.usefixtures("engine")  # the session's index exists
def test_questions_stay_out_of_every_log_unless_asked_for(settings: Settings, tmp_path: Path):
    quiet_dir, chatty_dir = tmp_path / "quiet", tmp_path / "chatty"
    quiet_dir.mkdir()
    chatty_dir.mkdir()
    quiet = serve_and_ask(settings, quiet_dir)
    assert '"route": "/ask"' in quiet and '"route": "/search"' in quiet  # lines were written
    marker = "quokkamarker77"
    assert marker not in quiet
    for root in (quiet_dir, settings.index_dir, settings.cache_dir):
        assert files_holding(root, marker) == []
    chatty = serve_and_ask(settings, chatty_dir, RAG_LOG_QUESTIONS="1")
    assert f'"question": "{QUESTION}"' in chatty
    assert f"/search?q={quote(QUESTION)}" in chatty  # uvicorn's own access line, with the query
