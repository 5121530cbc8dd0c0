"""Citations checkable across reloads: GET /documents/{id} says which index version its text is
from, and `?version=V` serves that version's text for as long as the version is kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from index.storage.store import VERSIONS
from tests.support.admin import Admin, put_text, serve_admin
from tests.support.auth import AUTH

OLD = "Rhubarb Notes\n\nRhubarb stalks are pulled, never cut, from April to July.\n"
NEW = "Rhubarb Notes\n\nRhubarb stalks are harvested from late March until early June.\n"
QUESTION = "When are rhubarb stalks pulled?"


@pytest.fixture()
def admin(tmp_path, settings, embedder) -> Iterator[Admin]:
    yield from serve_admin(tmp_path, settings, embedder, keep_versions=3)


def test_a_citation_is_checkable_after_its_document_changes_and_goes(admin):
    first = put_text(admin, "rhubarb", {"text": OLD}).json()["index_version"]
    body = admin.http.post("/ask", json={"question": QUESTION}).json()
    assert body["index_version"] == first
    citation = next(c for c in body["citations"] if c["doc_id"] == "rhubarb")

    second = put_text(admin, "rhubarb", {"text": NEW}).json()["index_version"]
    now = admin.http.get("/documents/rhubarb").json()
    assert now["text"] == NEW and now["index_version"] == second
    then = admin.http.get("/documents/rhubarb", params={"version": first}).json()
    assert then["text"] == OLD and then["index_version"] == first
    assert then["text"][citation["start"] : citation["end"]] == citation["quote"]
    same = admin.http.get("/documents/rhubarb", params={"version": second}).json()
    assert same == now

    assert admin.http.delete("/admin/documents/rhubarb", headers=AUTH).status_code == 200
    assert admin.http.get("/documents/rhubarb").status_code == 404
    kept = admin.http.get("/documents/rhubarb", params={"version": first})
    assert kept.status_code == 200 and kept.json()["text"] == OLD  # 3 versions are kept

    put_text(admin, "other", {"text": "Other Notes\n\nSomething else entirely.\n"})
    pruned = admin.http.get("/documents/rhubarb", params={"version": first})
    assert pruned.status_code == 404
    assert pruned.json()["error"] == (
        f"no index version '{first}' (never built, or no longer kept)"
    )
    assert admin.http.get("/documents/rhubarb", params={"version": second}).json()["text"] == NEW


@pytest.mark.parametrize("version", ["20990101T000000000000-1", "../current", "x" * 150, " "])
def test_an_unknown_version_is_404_naming_it(admin, version):
    response = admin.http.get("/documents/why-men-pull-away", params={"version": version})
    assert response.status_code == 404, response.text
    assert "never built, or no longer kept" in response.json()["error"]


def test_a_document_the_version_lacks_and_a_damaged_version(admin):
    old = admin.engine.index.version
    put_text(admin, "rhubarb", {"text": OLD})
    missing = admin.http.get("/documents/rhubarb", params={"version": old})
    assert missing.status_code == 404
    assert missing.json()["error"] == f"unknown document 'rhubarb' in index version '{old}'"
    documents = admin.settings.index_dir / VERSIONS / old / "documents.jsonl"
    data = bytearray(documents.read_bytes())
    data[len(data) // 2] ^= 0x01
    documents.write_bytes(bytes(data))
    damaged = admin.http.get("/documents/why-men-pull-away", params={"version": old})
    assert damaged.status_code == 409
    assert f"versions/{old}/documents.jsonl does not match" in damaged.json()["error"]
