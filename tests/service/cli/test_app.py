"""The `rag` console script, run as a user runs it: a separate process."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import replace

import httpx
import pytest

from tests.support.net import free_port
from tests.support.rag import RAG, rag_env, run_rag


def test_ask_json_is_the_ask_body(settings, engine, client):
    question = "How long should I give him space when he pulls away?"
    result = run_rag(settings, "ask", "--json", question)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    over_http = client.post("/ask", json={"question": question}).json()
    body.pop("timings_ms"), over_http.pop("timings_ms")
    assert body == over_http
    assert "3 to 7 days" in body["answer"]


def test_ask_readable_output(settings, engine):
    result = run_rag(settings, "ask", "What are the signs he's pulling away but still cares?")
    assert result.returncode == 0, result.stderr
    assert "[1] Understanding Emotional Distancing in Men ›" in result.stdout
    assert "Reduced texting or calling" in result.stdout


def test_ask_off_topic_abstains(settings, engine):
    result = run_rag(settings, "ask", "What is the capital of France?")
    assert result.returncode == 0
    assert "do not answer" in result.stdout and "related reading" in result.stdout


def test_search_explain(settings, engine):
    result = run_rag(settings, "search", "--explain", "-k", "2", "University of Arizona 2024")
    assert result.returncode == 0, result.stderr
    assert "dense" in result.stdout and "bm25" in result.stdout and " 2. " in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "question must not be empty"),
        (["search", "x", "-k", "0"], "Invalid value"),
        (
            ["index", "--corpus", "/nonexistent/corpus"],
            "corpus directory /nonexistent/corpus does not exist",
        ),
    ],
)
def test_errors_go_to_stderr_with_nonzero_exit(settings, args, message):
    result = run_rag(settings, *args)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr


def test_serve_builds_the_index_on_first_start(tmp_path, settings):
    port = free_port()
    process = subprocess.Popen(
        [RAG, "serve", "--port", str(port)],
        env=rag_env(replace(settings, index_dir=tmp_path / "index")),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = ""
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()["index_loaded"]:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        response = httpx.post(
            f"http://127.0.0.1:{port}/ask",
            timeout=30,
            json={"question": "Why do men pull away when relationships deepen?"},
        )
        assert response.status_code == 200 and response.json()["citations"]
        assert (tmp_path / "index" / "current").exists()
    finally:
        process.terminate()
        _, log = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why.
    assert process.returncode in (0, -15)
    assert "no index at" in log and "Application shutdown complete" in log
