"""Issue 10's "Done when", end to end, as a user meets it: `rag serve --workers 2` started on a
folder of their own with no index yet, then documents changed over HTTP without a restart, then
`rag index`, which finds nothing to publish."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
import pytest

from tests.support.auth import AUTH
from tests.support.files import SECTIONED, write_mixed_folder
from tests.support.rag import run_rag
from tests.support.server import ServeProcess, health_by_pid, wait_until_every_worker_serves

RHUBARB = {
    "text": "Growing Rhubarb\n\nRhubarb stalks are pulled, never cut, from April to July. "
    "Leave the plant alone in its first year so that the crown can grow strong.\n",
    "title": "Growing Rhubarb",
}
QUESTION = "When are rhubarb stalks pulled?"


def cited(body: dict, doc_id: str) -> list[dict]:
    return [c for c in body["citations"] if c["doc_id"] == doc_id]


def every_worker_answers(url: str, path: str) -> set[int]:
    """The status codes of `path` over 16 fresh connections, so both workers answer some."""

    def one(_: int) -> int:
        return httpx.get(f"{url}{path}", headers={"Connection": "close"}, timeout=10).status_code

    with ThreadPoolExecutor(8) as pool:
        return set(pool.map(one, range(16)))


@pytest.mark.timeout(900)
@pytest.mark.usefixtures("engine")  # its build warms the embedding cache and the ONNX export
def test_a_users_folder_served_changed_over_http_and_rebuilt(tmp_path, settings):
    corpus = write_mixed_folder(tmp_path / "corpus")
    root = tmp_path / "index"  # nothing built: the first start builds, as on a fresh clone
    log = tmp_path / "serve.log"
    users = replace(settings, corpus_dir=corpus, index_dir=root)
    with (
        ServeProcess(users, log, workers=2) as server,
        httpx.Client(base_url=server.url, timeout=60) as http,
    ):
        # Every readable file answers, with verbatim citations, sections and pages.
        health = http.get("/health").json()
        assert {s["source"] for s in health["skipped"]} == {"latin1.txt", "photo.png"}
        assert health["documents"] == 5
        for question, doc_id, words, section, page in SECTIONED:
            body = http.post("/ask", json={"question": question}).json()
            quotes = [c for c in cited(body, doc_id) if words in c["quote"]]
            assert quotes, (question, body["citations"])
            assert section is None or quotes[0]["section"] == section
            assert quotes[0]["page"] == page
            text = http.get(f"/documents/{doc_id}").json()["text"]
            assert all(text[c["start"] : c["end"]] == c["quote"] for c in cited(body, doc_id))

        pids: set[int] = set()
        while len(pids) < 2:  # the second worker waited for the first one's build
            pids |= {p for p, b in health_by_pid(server.url).items() if b["index_loaded"]}

        # Upload, and the worker that got the call answers from it at once.
        put = http.put("/admin/documents/rhubarb", json=RHUBARB, headers=AUTH)
        assert put.status_code == 201, put.text
        added = put.json()["index_version"]
        body = http.post("/ask", json={"question": QUESTION}).json()
        assert body["index_version"] == added and not body["abstained"], body["answer"]
        (citation, *_rest) = cited(body, "rhubarb")
        assert "from April to July" in citation["quote"]
        text = http.get("/documents/rhubarb").json()["text"]
        assert text[citation["start"] : citation["end"]] == citation["quote"]
        wait_until_every_worker_serves(server.url, pids, added)  # and the other one follows

        # Delete it: no answer cites it any more, and its document is gone, on every worker.
        deleted = http.delete("/admin/documents/rhubarb", headers=AUTH)
        assert deleted.status_code == 200, deleted.text
        gone = deleted.json()["index_version"]
        again = http.post("/ask", json={"question": QUESTION}).json()
        assert again["index_version"] == gone and not cited(again, "rhubarb"), again["citations"]
        assert all(p["doc_id"] != "rhubarb" for p in again["passages"])
        assert http.get("/documents/rhubarb").status_code == 404
        wait_until_every_worker_serves(server.url, pids, gone)
        assert every_worker_answers(server.url, "/documents/rhubarb") == {404}
        kept = http.get("/documents/rhubarb", params={"version": added}).json()
        assert kept["text"][citation["start"] : citation["end"]] == citation["quote"]

    # The corpus on disk says what the index holds: a rebuild publishes nothing.
    rebuilt = run_rag(users, "index", "--corpus", str(corpus))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"the index is up to date (version {gone}); nothing published" in rebuilt.stdout
