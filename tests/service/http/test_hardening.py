"""Malformed and hostile requests against a real server: each a JSON 4xx naming the problem."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from service.config import Settings
from service.engine import Engine
from service.http.app import create_app
from tests.support.net import raw_request
from tests.support.observe import LogRecords
from tests.support.server import LiveServer

LIMIT = 64 * 1024


def assert_json_error(response: httpx.Response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    for word in words:
        assert word in body["error"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert (
        body.get("request_id", response.headers["x-request-id"]) == response.headers["x-request-id"]
    )
    return body


# --- body size ------------------------------------------------------------------------------


def _padded(size: int) -> bytes:
    """A valid /ask body of exactly `size` bytes (JSON allows trailing whitespace)."""
    body = json.dumps({"question": "How long should I give him space?"}).encode()
    return body + b" " * (size - len(body))


def test_body_at_the_limit_is_accepted(client):
    response = client.post(
        "/ask", content=_padded(LIMIT), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200


def test_body_over_the_limit_is_413(client):
    response = client.post(
        "/ask", content=_padded(LIMIT + 1), headers={"content-type": "application/json"}
    )
    assert_json_error(response, 413, "too large", str(LIMIT))


def test_chunked_body_over_the_limit_is_413_without_content_length(client):
    sent = []

    def stream() -> Iterator[bytes]:
        for _ in range(200):  # 800 KB offered; the server stops reading after 64 KB
            sent.append(4096)
            yield b"x" * 4096

    request = client.build_request(
        "POST", "/ask", content=stream(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in request.headers
    assert request.headers["transfer-encoding"] == "chunked"
    assert_json_error(client.send(request), 413, "too large")


def test_raw_chunked_body_over_the_limit_is_413(live_server):
    chunk = b"a" * 8192
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(10)) + b"0\r\n\r\n"
    status, headers, payload = raw_request(
        live_server.port,
        "POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        body,
    )
    assert status == 413 and headers["content-type"] == "application/json"
    assert "too large" in json.loads(payload)["error"]


# --- encoding, syntax and types -------------------------------------------------------------


def test_invalid_utf8_is_400_naming_the_encoding(client):
    response = client.post(
        "/ask",
        content=b'{"question": "caf\xe9 \xff?"}',
        headers={"content-type": "application/json"},
    )
    assert_json_error(response, 400, "not valid UTF-8")


def test_lone_surrogate_escape_is_422(client):
    response = client.post(
        "/ask",
        content=b'{"question": "why \\ud800 now?"}',
        headers={"content-type": "application/json"},
    )
    assert_json_error(response, 422, "question", "surrogate")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"question": ', ("body", "not valid JSON")),
        (b"question=why", ("body", "not valid JSON")),
        (b"[" * 50_000, ("body", "cannot be parsed")),
        (b'{"question": "why?", "top_k": ' + b"9" * 5000 + b"}", ("body", "cannot be parsed")),
        (b"[1, 2]", ("body",)),
        (b'"just a string"', ("body",)),
        (b"", ("body",)),
    ],
)
def test_wrong_json_is_4xx_naming_the_body(client, body, words):
    response = client.post("/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)
    assert_json_error(response, response.status_code, *words)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question": ["why?"]}, "question"),
        ({"question": None}, "question"),
        ({"question": {"text": "why?"}}, "question"),
        ({"question": "why?", "top_k": True}, "top_k"),
        ({"question": "why?", "top_k": "3"}, "top_k"),
        ({"question": "why?", "top_k": 1e300}, "top_k"),
        ({"question": "why?", "top_k": -1}, "top_k"),
        ({"question": "why?", "mode": 3}, "mode"),
        ({"question": "why?", "mode": "fuzzy"}, "mode"),
        ({"question": "why\x00 now?"}, "question"),
        ({"question": "bell \x07 and escape \x1b[31m"}, "question"),
        ({"question": "a" * 201}, "question"),
        ({"question": "why? " * 801}, "question"),
    ],
)
def test_wrong_types_and_hostile_text_are_422_naming_the_field(client, payload, field):
    body = assert_json_error(client.post("/ask", json=payload), 422, field)
    assert any(d["field"] == field for d in body["detail"])


def test_untyped_or_non_json_content_is_rejected_cleanly(client):
    response = client.post("/ask", content=b"why?", headers={"content-type": "text/plain"})
    assert_json_error(response, 422, "body")


def test_inputs_are_not_echoed_in_errors(client):
    marker = "<script>alert(1)</script>" + "z" * 300
    response = client.post("/ask", json={"question": marker})
    assert response.status_code == 422 and "<script>" not in response.text


# --- routes, methods, traversal -------------------------------------------------------------


def test_unknown_route_is_404_json(client):
    assert_json_error(client.get("/no/such/route"), 404, "no such route")


def test_wrong_method_is_405_json(client):
    body = assert_json_error(client.get("/ask"), 405, "method not allowed", "POST")
    assert body["detail"] == "Method Not Allowed"


@pytest.mark.parametrize(
    "path",
    [
        "/documents/..%2F..%2Fetc%2Fpasswd",
        "/documents/%2e%2e",
        "/documents/..",
        "/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/documents/..%5C..%5Cwindows%5Cwin.ini",
        "/documents/why-men-pull-away%00.txt",
        "/documents/%2Fetc%2Fpasswd",
        "/documents/.hidden",
        "/documents/../../../etc/passwd",
    ],
)
def test_traversal_attempts_are_404_and_leak_nothing(live_server, path):
    status, headers, payload = raw_request(
        live_server.port, f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    assert status == 404 and headers["content-type"] == "application/json"
    body = json.loads(payload)
    assert body["error"] and "root:" not in payload.decode() and "[fonts]" not in payload.decode()


def test_a_real_document_id_still_works(client):
    assert client.get("/documents/why-men-pull-away").status_code == 200


# --- request ids and unexpected failures ----------------------------------------------------


def test_request_id_is_echoed_when_sane_and_replaced_when_not(client):
    assert (
        client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    replaced = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert len(replaced.headers["x-request-id"]) == 32


class ExplodingEngine:
    """Stands in for the engine and fails the way a bug would."""

    def __init__(self, real: Engine) -> None:
        self.settings = real.settings
        self.index = real.index
        self.embedder = real.embedder

    def ask(self, *_args: object) -> None:
        raise RuntimeError("secret internal detail /etc/shadow")

    search = ask


def test_unexpected_exception_is_500_with_only_a_request_id(engine, settings):
    app = create_app(settings, ExplodingEngine(engine))
    with (
        LogRecords("rag.api", level=logging.ERROR) as records,
        LiveServer(app) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        response = http.post("/ask", json={"question": "why?"})
        searched = http.get("/search", params={"q": "why"})
        healthy = http.get("/health")
    assert response.status_code == 500 and searched.status_code == 500
    request_id = response.headers["x-request-id"]
    assert response.json() == {"error": "internal error", "request_id": request_id}
    assert "secret" not in response.text and "Traceback" not in response.text
    logged = [r for r in records.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info  # the traceback is in the log, under the same id
    assert "secret internal detail" in str(logged[0].exc_info[1])
    assert healthy.status_code == 200  # one bad request does not take the service down


# --- CORS -----------------------------------------------------------------------------------


def test_cors_is_closed_by_default(client):
    preflight = client.options(
        "/ask", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_allows_only_configured_origins(engine, settings):
    from dataclasses import replace

    open_settings: Settings = replace(settings, cors_origins=("https://app.example",))
    with (
        LiveServer(create_app(open_settings, engine)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        allowed = http.options(
            "/ask",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        other = http.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
