"""The HTTP edge against real servers: hang-ups, read deadlines, redirects, paths, docs, schema,
response headers. Each test names the defect it guards against."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from index.load import load_index
from index.storage.store import VERSIONS, publish
from service.config import Settings
from service.engine import Engine
from service.http.app import create_app
from service.http.schemas import QUESTION_PATTERN, check_text
from tests.support.auth import ADMIN_KEY, AUTH
from tests.support.indexes import two_versions
from tests.support.net import free_port, raw_request, read_one_response, read_until_closed
from tests.support.observe import LogRecords, wait_for_metric
from tests.support.rag import RAG, rag_env
from tests.support.server import LiveServer

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist

QUESTION = "How long should I give him space?"


@pytest.fixture()
def short_deadlines(engine: Engine, settings: Settings) -> Iterator[LiveServer]:
    """A fresh server (its own metrics) with one-second head and body deadlines."""
    quick = replace(settings, header_timeout=1.0, body_timeout=1.0)
    with LiveServer(create_app(quick, engine)) as server:
        yield server


# --- aborted uploads ---------------------------------------------------------------------------


def test_an_aborted_upload_is_neither_an_error_nor_a_500(short_deadlines):
    head = (
        "POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Content-Length: 5000\r\n\r\n"
    )
    with LogRecords("rag.api", "rag.access", "uvicorn.error") as records:
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", short_deadlines.port)) as sock:
                sock.sendall(head.encode() + b'{"question": "how long should')
                time.sleep(0.1)  # the server is reading the body ...
            # ... when the client hangs up
        with httpx.Client(base_url=short_deadlines.url) as http:
            metrics = wait_for_metric(http, 'rag_requests_total{route="/ask",status="499"} 3.0')
    assert 'status="500"' not in metrics
    assert records.problems() == []  # no traceback, no "Exception in ASGI application"
    assert [line["status"] for line in records.access_lines() if line["route"] == "/ask"] == [
        499
    ] * 3


# --- read deadlines ----------------------------------------------------------------------------


def test_a_half_sent_head_gets_408_and_is_closed(short_deadlines):
    with socket.create_connection(("127.0.0.1", short_deadlines.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n")  # no blank line: headers never end
        answer = read_until_closed(sock)
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 408 Request Timeout", answer
    assert b"x-content-type-options: nosniff" in rest
    assert (
        "request headers not received within 1 s" in json.loads(rest.split(b"\r\n\r\n")[1])["error"]
    )


def test_an_idle_connection_is_closed_without_an_answer(short_deadlines):
    with socket.create_connection(("127.0.0.1", short_deadlines.port), timeout=10) as sock:
        assert read_until_closed(sock) == b""


def test_the_head_deadline_also_holds_for_a_second_request_on_a_kept_alive_connection(
    short_deadlines,
):
    with socket.create_connection(("127.0.0.1", short_deadlines.port), timeout=10) as sock:
        sock.sendall(b"GET /ready HTTP/1.1\r\nHost: t\r\n\r\n")
        first = read_one_response(sock)
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer


def test_a_half_sent_body_gets_408_json_and_is_closed(short_deadlines):
    head = (
        "POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", short_deadlines.port), timeout=10) as sock:
        sock.sendall(head.encode() + b'{"question":')
        answer = read_until_closed(sock)
    status, _, rest = answer.partition(b"\r\n")
    assert b" 408 " in status, answer
    headers, _, payload = rest.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in headers and b"connection: close" in headers
    assert "request body not received within 1 s" in json.loads(payload)["error"]
    with httpx.Client(base_url=short_deadlines.url) as http:
        metrics = wait_for_metric(http, 'rag_requests_total{route="/ask",status="408"} 1.0')
    assert 'status="500"' not in metrics


def _serve(settings: Settings, port: int, log: Path, **env: str) -> subprocess.Popen:
    variables = rag_env(settings, **env)
    with log.open("wb") as out:
        return subprocess.Popen(
            [RAG, "serve", "--port", str(port)], env=variables, stdout=out, stderr=subprocess.STDOUT
        )


def wait_ready(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)


@pytest.mark.timeout(240)
@pytest.mark.usefixtures("engine")  # the session index exists, so the workers only load it
def test_sigterm_with_held_requests_ends_within_the_body_deadline(settings, tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    server = _serve(
        settings, port, log, RAG_WORKERS="2", RAG_HEADER_TIMEOUT="1", RAG_BODY_TIMEOUT="3"
    )
    try:
        wait_ready(server, port, log)
        body_held = socket.create_connection(("127.0.0.1", port), timeout=30)
        body_held.sendall(
            b"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"question":'
        )
        head_held = socket.create_connection(("127.0.0.1", port), timeout=30)
        head_held.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n")
        time.sleep(0.3)
        server.send_signal(signal.SIGTERM)
        held_answer = read_until_closed(body_held)
        head_answer = read_until_closed(head_held)
        # 3 s of body deadline + 5 s of margin is the bound; 30 s is uvicorn's default wait
        status = server.wait(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    text = log.read_text()
    assert status in (0, -signal.SIGTERM), text[-2000:]
    assert b" 408 " in held_answer.partition(b"\r\n")[0], held_answer  # JSON, not a plain 500
    assert b"application/json" in held_answer
    assert head_answer == b"" or head_answer.startswith(b"HTTP/1.1 408 ")
    assert "Cancel" not in text and "Exception in ASGI application" not in text, text[-2000:]


# --- redirects ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/health/", b""),
        ("GET", "/docs/", b""),
        ("GET", "/documents/", b""),
        ("POST", "/ask/", b'{"question": "How long should I give him space?"}'),
    ],
)
def test_a_trailing_slash_is_a_json_404_never_a_redirect_built_from_host(
    live_server, method, path, body
):
    status, headers, payload = raw_request(
        live_server.port,
        f"{method} {path} HTTP/1.1\r\nHost: evil.example.com\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n",
        body,
    )
    assert status == 404 and "location" not in headers
    assert headers["content-type"] == "application/json"
    assert b"evil.example.com" not in payload and json.loads(payload)["error"]


# --- no absolute paths -------------------------------------------------------------------------


def _no_path_in(text: str, *roots: Path) -> None:
    for root in roots:
        assert str(root) not in text and str(root.resolve()) not in text, text
    assert not re.search(r"/(tmp|home|root|work|usr|var)/", text), text


def test_no_absolute_path_in_any_answer_without_an_index(tmp_path, settings):
    broken = replace(settings, corpus_dir=tmp_path / "no-corpus", index_dir=tmp_path / "idx")
    with LiveServer(create_app(broken)) as server, httpx.Client(base_url=server.url) as http:
        answers = [
            http.get("/health"),
            http.get("/ready"),
            http.post("/ask", json={"question": "anything?"}),
            http.get("/search", params={"q": "anything"}),
            http.get("/documents"),
        ]
    assert [a.status_code for a in answers] == [200, 503, 503, 503, 503]
    for answer in answers:
        _no_path_in(answer.text, tmp_path)
    assert "$RAG_CORPUS_DIR does not exist" in answers[0].json()["error"]


@pytest.mark.usefixtures("engine")  # its build warms the embedding cache
def test_no_absolute_path_when_a_reload_fails(tmp_path, settings, embedder):
    root = tmp_path / "index"
    a, b = two_versions(root, tmp_path, embedder)
    serving = replace(settings, index_dir=root, admin_key=ADMIN_KEY)
    engine = Engine(serving, embedder, load_index(root))
    broken = root / VERSIONS / f"{b.version}-broken"
    shutil.copytree(b.path, broken)
    # the manifest layer names the file by its full path
    (broken / "manifest.json").write_text("{ not json", encoding="utf-8")
    publish(root, broken)
    with (
        LiveServer(create_app(serving, engine)) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        reload = http.post("/admin/reload", headers=AUTH)
        health = http.get("/health")
    assert reload.status_code == 409
    assert f"versions/{broken.name}/manifest.json is not" in reload.json()["error"], reload.text
    for answer in (reload, health):
        _no_path_in(answer.text, tmp_path)
    assert health.json()["index_version"] == a.version


# --- docs without a CDN ------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_same_origin_assets(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "'self'" in response.headers["content-security-policy"]
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 1000, url
        assert "max-age" in asset.headers["cache-control"]
    assert client.get("/openapi.json").status_code == 200


# --- the schema says what the server accepts ---------------------------------------------------


def test_the_schema_carries_the_question_limits(client):
    schema = client.get("/openapi.json").json()
    ask = schema["components"]["schemas"]["AskRequest"]
    assert ask["additionalProperties"] is False
    question = ask["properties"]["question"]
    assert (question["minLength"], question["maxLength"]) == (1, 4000)
    assert question["pattern"] == QUESTION_PATTERN
    q = next(p for p in schema["paths"]["/search"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["maxLength"] == 4000 and q["schema"]["pattern"] == QUESTION_PATTERN


def _accepted(text: str) -> bool:
    try:
        check_text(text)
    except ValueError:
        return False
    return True


# Whitespace, control characters, long words and ordinary text, mixed.
PIECES = st.sampled_from(
    [
        "a",
        "é",
        "語",
        "\U0001f600",
        " ",
        "\t",
        "\n",
        "\u3000",
        "\xa0",
        "\x00",
        "\x0c",
        "\x85",
        "\x1f",
    ]
)
TEXTS = st.one_of(
    st.text(),
    st.lists(PIECES, max_size=30).map("".join),
    st.integers(190, 210).map(lambda n: "x" * n),
    st.integers(3990, 4010).map(lambda n: "ab " * (n // 3) + "c" * (n % 3)),
)


@hypothesis_settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_the_schema_pattern_and_the_server_agree(text):
    in_schema = 1 <= len(text) <= 4000 and re.search(QUESTION_PATTERN, text) is not None
    assert in_schema == _accepted(text), repr(text[:80])


def test_the_schema_pattern_and_the_server_agree_on_every_character_around_a_word():
    for code in [*range(0x3100), 0xFEFF, 0x1F600, 0xE0001]:
        char = chr(code)
        for text in (char, f"a{char}", f"{char}a", f"a{char}b"):
            in_schema = re.search(QUESTION_PATTERN, text) is not None
            assert in_schema == _accepted(text), (hex(code), text)


def test_unknown_fields_are_422_naming_them(client):
    response = client.post(
        "/ask", json={"question": "How long should I give him space?", "topk": 3}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("topk: unknown field")
    assert [d["field"] for d in body["detail"]] == ["topk"]


def test_a_whole_float_is_an_integer_as_json_schema_says(client):
    response = client.post(
        "/ask", json={"question": "How long should I give him space?", "top_k": 2.0}
    )
    assert response.status_code == 200 and len(response.json()["passages"]) == 2


# --- response headers --------------------------------------------------------------------------


def test_every_answer_says_nosniff_and_api_answers_are_not_stored(client, live_server):
    api = [
        client.get("/health"),
        client.get("/ready"),
        client.get("/metrics"),
        client.post("/ask", json={"question": "How long should I give him space?"}),
        client.post("/ask", json={"question": ""}),
        client.get("/search", params={"q": "space"}),
        client.get("/documents/nope"),
        client.get("/no/such/route"),
        client.get("/ask"),
        client.get("/openapi.json"),
        client.post("/ask", content=b"x" * 70_000, headers={"content-type": "application/json"}),
    ]
    for response in api:
        assert response.headers["x-content-type-options"] == "nosniff", response.url
        assert response.headers["cache-control"] == "no-store", response.url
    pages = [client.get("/"), client.get("/static/app.js"), client.get("/docs")]
    for response in pages:  # the page and its assets may be cached (revalidated)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-cache"
    status, headers, payload = raw_request(live_server.port, "NONSENSE\r\n\r\n")
    assert status == 400 and headers["x-content-type-options"] == "nosniff"
    assert "malformed HTTP request" in json.loads(payload)["error"]
