"""Uploads read within the reading budget, through a real server: a file over a limit is a 422
naming it and changes nothing, a slow file holds up no other change, and a client that goes
away stops the reading of its upload."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from index.load import load_index
from ingest.folder.budget import ReadingBudget
from service.indexing import build
from tests.support.admin import Admin, put_file, put_text, serve_admin, state
from tests.support.auth import AUTH
from tests.support.files import docx_bomb, slow_pdf
from tests.support.processes import reading_workers_alive

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist

TIGHT = ReadingBudget(cpu_seconds=3, seconds_per_mb=0)


@pytest.fixture()
def admin(tmp_path, settings, embedder) -> Iterator[Admin]:
    yield from serve_admin(tmp_path, settings, embedder, reading=TIGHT)


@pytest.mark.alone  # a busy neighbour would make it a wall-time refusal (twice the CPU budget)
@pytest.mark.parametrize("pages", [1, 4])
def test_a_slow_pdf_upload_is_refused_naming_the_budget_and_changes_nothing(admin, pages: int):
    before = state(admin)
    response = put_file(admin, "slow", "slow.pdf", slow_pdf(pages))
    assert response.status_code == 422, response.text
    assert "CPU-time budget of 3 s" in response.json()["error"]
    assert "RAG_READ_CPU_SECONDS" in response.json()["error"]
    assert state(admin) == before


def test_a_word_zip_bomb_upload_is_refused(admin):
    before = state(admin)
    response = put_file(admin, "bomb", "bomb.docx", docx_bomb(300))
    assert response.status_code == 422 and "ratio limit" in response.json()["error"]
    assert state(admin) == before


@pytest.mark.alone  # the quick change must be published within the slow file's budget
def test_a_slow_upload_holds_up_no_other_change(admin):
    slow: dict[str, httpx.Response] = {}
    url = admin.http.base_url

    def send_slow() -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            files = {"file": ("slow.pdf", slow_pdf(1))}
            slow["response"] = http.put("/admin/documents/slow", files=files, headers=AUTH)

    sender = threading.Thread(target=send_slow)
    sender.start()
    deadline = time.monotonic() + 10
    while not reading_workers_alive():  # the slow file is being read
        assert time.monotonic() < deadline
        time.sleep(0.02)
    quick = put_text(admin, "rhubarb")
    still_reading = sender.is_alive()
    sender.join(timeout=60)
    assert quick.status_code == 201, quick.text
    assert still_reading  # the quick change was published while the slow file was being read
    assert slow["response"].status_code == 422


def test_a_client_that_disconnects_stops_the_reading_of_its_upload(tmp_path, settings, embedder):
    patient = ReadingBudget(cpu_seconds=120, seconds_per_mb=0)
    for admin in serve_admin(tmp_path, settings, embedder, reading=patient):
        before = state(admin)
        with pytest.raises(httpx.ReadTimeout):
            put_file_with_timeout(admin, 2.0)
        deadline = time.monotonic() + 10
        while reading_workers_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert reading_workers_alive() == []  # stopped long before its 120 s budget
        assert state(admin) == before


def put_file_with_timeout(admin: Admin, seconds: float) -> httpx.Response:
    with httpx.Client(base_url=admin.http.base_url, timeout=seconds) as http:
        return http.put(
            "/admin/documents/slow",
            files={"file": ("slow.pdf", slow_pdf(1))},
            headers=AUTH,
        )


@pytest.mark.alone  # a busy neighbour would make it a wall-time refusal (twice the CPU budget)
def test_a_build_skips_a_file_over_the_budget_with_a_warning(tmp_path, settings, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kale.md").write_text("# Kale\n\nKale tolerates light frost in cool weather.\n")
    (corpus / "slow.pdf").write_bytes(slow_pdf(1))
    scratch = replace(settings, corpus_dir=corpus, index_dir=tmp_path / "index", reading=TIGHT)
    said: list[str] = []
    result = build(scratch, embedder, log=said.append)
    assert result.published
    assert [w for w in said if w.startswith("warning: skipped slow.pdf: ")] == [
        "warning: skipped slow.pdf: reading took more than its CPU-time budget of 3 s "
        "(RAG_READ_CPU_SECONDS 3 + RAG_READ_SECONDS_PER_MB 0 per MB of the file)"
    ]
    assert [d.source for d in load_index(scratch.index_dir).documents.values()] == ["kale.md"]
