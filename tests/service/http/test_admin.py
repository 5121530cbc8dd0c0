"""Keys, readiness, metrics and access logs, through real servers on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from service.http.app import create_app
from service.http.security import key_matches
from tests.support.auth import ADMIN_KEY, API_KEY, bearer
from tests.support.net import wait_until
from tests.support.observe import LogRecords, metric_value, wait_for_metric
from tests.support.server import LiveServer


@pytest.fixture(scope="module")
def keyed(engine, settings) -> Iterator[httpx.Client]:
    """A server with both keys set."""
    keyed_settings = replace(settings, admin_key=ADMIN_KEY, api_key=API_KEY)
    with (
        LiveServer(create_app(keyed_settings, engine)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield http


def test_admin_is_disabled_without_a_key(client):
    for headers in ({}, bearer("anything")):
        response = client.post("/admin/reload", headers=headers)
        assert response.status_code == 403
        assert "admin endpoints are disabled" in response.json()["error"]
        assert "RAG_ADMIN_KEY" in response.json()["error"]


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({}, "missing API key"),
        (bearer("wrong"), "invalid API key"),
        (bearer(ADMIN_KEY[:-1]), "invalid API key"),
        (bearer(ADMIN_KEY + "x"), "invalid API key"),
        (bearer(API_KEY), "invalid API key"),  # the query key is not an admin key
        ({"Authorization": f"Basic {ADMIN_KEY}"}, "missing API key"),
        ({"Authorization": ADMIN_KEY}, "missing API key"),
        ({"Authorization": "Bearer ключ".encode()}, "invalid API key"),
    ],
)
def test_admin_needs_the_right_bearer_key(keyed, headers, words):
    response = keyed.post("/admin/reload", headers=headers)
    assert response.status_code == 401
    assert words in response.json()["error"]
    assert response.headers["www-authenticate"].startswith('Bearer realm="admin"')


def test_admin_reload_with_the_key_reports_versions(keyed, index_data):
    response = keyed.post("/admin/reload", headers=bearer(ADMIN_KEY))
    assert response.status_code == 200
    assert response.json() == {
        "reloaded": False,
        "previous_version": index_data.version,
        "index_version": index_data.version,
        "documents": len(index_data.documents),
        "chunks": len(index_data.chunks),
    }


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("POST", "/ask", {"question": "why?"}),
        ("GET", "/search?q=why", None),
        ("GET", "/documents", None),
        ("GET", "/documents/why-men-pull-away", None),
    ],
)
def test_query_key_protects_query_endpoints(keyed, method, path, payload):
    for headers in ({}, bearer("wrong"), bearer(ADMIN_KEY)):
        response = keyed.request(method, path, json=payload, headers=headers)
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith('Bearer realm="query"')
    assert keyed.request(method, path, json=payload, headers=bearer(API_KEY)).status_code == 200


def test_auth_is_checked_before_the_body_is_validated(keyed):
    response = keyed.post("/ask", json={"question": 42})
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/health", "/ready", "/metrics", "/openapi.json"])
def test_probes_and_metrics_stay_open(keyed, path):
    assert keyed.get(path).status_code == 200


def test_query_endpoints_are_open_without_a_configured_key(client):
    assert client.get("/documents").status_code == 200


def test_key_comparison_is_total():
    assert key_matches("abc", "abc") and not key_matches("abd", "abc")
    assert not key_matches(None, "abc") and not key_matches("", "abc")
    assert not key_matches("ключ\udcff", "abc")  # non-ASCII or undecodable never raises


# --- readiness, metrics, access log ---------------------------------------------------------


def test_ready_reports_the_serving_version(client, index_data):
    assert client.get("/ready").json() == {
        "status": "ready",
        "ready": True,
        "index_version": index_data.version,
        "error": None,
    }


def test_ready_is_503_without_an_index(tmp_path, settings):
    broken = replace(settings, model_dir=tmp_path / "no-model", index_dir=tmp_path / "idx")
    with LiveServer(create_app(broken)) as server, httpx.Client(base_url=server.url) as http:
        ready = http.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["ready"] is False and "no index loaded" in ready.json()["error"]
        assert http.get("/health").status_code == 200  # alive, though not ready
        assert "rag_index_loaded 0.0" in http.get("/metrics").text


def test_metrics_count_requests_abstentions_and_the_index(engine, settings, index_data):
    with (
        LiveServer(create_app(settings, engine)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        http.post("/ask", json={"question": "What is the capital of France?"})
        http.post("/ask", json={"question": "How long should I give him space?"})
        http.post("/ask", json={"question": ""})
        http.get("/documents/nope")
        http.get("/no/such/path/12345")
        # each request is counted just after its response
        text = wait_for_metric(http, 'route="unmatched",status="404"', timeout=5)
    assert metric_value(text, 'rag_requests_total{route="/ask",status="200"}') == 2
    assert metric_value(text, 'rag_requests_total{route="/ask",status="422"}') == 1
    assert metric_value(text, 'rag_requests_total{route="/documents/{doc_id}",status="404"}') == 1
    assert metric_value(text, 'rag_requests_total{route="unmatched",status="404"}') == 1
    assert "12345" not in text  # raw paths never become labels
    assert metric_value(text, 'rag_request_latency_seconds_count{route="/ask"}') == 3
    assert metric_value(text, "rag_abstentions_total") >= 1
    assert f'rag_index_info{{version="{index_data.version}"}} 1.0' in text
    assert metric_value(text, "rag_index_chunks") == len(index_data.chunks)
    assert metric_value(text, "rag_index_documents") == len(index_data.documents)


def test_one_json_access_line_per_request(client):
    with LogRecords("rag.access") as handler:
        ask = client.post(
            "/ask",
            json={"question": "What is the capital of France?"},
            headers={"X-Request-ID": "trace-42"},
        )
        missing = client.get("/documents/nope")
        # the line is written just after the response is sent
        wait_until(lambda: len(handler.records) >= 2, timeout=5, interval=0.01)
    records = [json.loads(line) for line in handler.messages()]
    by_id = {r["request_id"]: r for r in records}
    assert ask.headers["x-request-id"] == "trace-42"
    line = by_id["trace-42"]
    assert line["method"] == "POST" and line["route"] == "/ask" and line["status"] == 200
    assert line["latency_ms"] > 0 and line["abstained"] is True and line["index_version"]
    other = by_id[missing.headers["x-request-id"]]
    assert other["route"] == "/documents/{doc_id}" and other["status"] == 404
    assert "abstained" not in other
    assert len(records) == 2
