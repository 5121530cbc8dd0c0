"""PUT and DELETE /admin/documents/{doc_id} through a real server: keys, limits, errors that
change nothing, uploads stored so that a rebuild reproduces them, and the swap without a restart."""

from __future__ import annotations

import contextlib
import errno
import json
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from index.build import build_index
from index.load import load_index
from index.storage import store
from index.storage.store import build_lock
from ingest.chunk import ChunkingConfig as Chunking
from ingest.corpus import read_corpus
from ingest.documents import DOC_ID
from ingest.folder import journal
from ingest.folder.managed import REMOVED_FILE
from ingest.folder.metadata import UPLOADS_METADATA
from service.changes.apply import CHANGES_LOCK
from service.engine import Engine
from service.http.runtime.lifecycle import Reloader, read_signal
from service.indexing import build as build_corpus
from tests.support.admin import FIELDS, Admin, put_file, put_text, serve_admin, state
from tests.support.auth import AUTH
from tests.support.files import MARKDOWN, write_pdf
from tests.support.paths import STONEFIELD

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist


@pytest.fixture()
def admin(tmp_path, settings, embedder) -> Iterator[Admin]:
    yield from serve_admin(tmp_path, settings, embedder)


# --- keys -------------------------------------------------------------------------------------


def test_both_routes_need_the_admin_key(admin):
    for method in ("PUT", "DELETE"):
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            response = admin.http.request(
                method, "/admin/documents/rhubarb", json=FIELDS, headers=headers
            )
            assert response.status_code == 401, response.text
            assert response.headers["www-authenticate"].startswith('Bearer realm="admin"')
    assert admin.http.get("/documents/rhubarb").status_code == 404


def test_both_routes_are_off_without_an_admin_key(client):
    for method in ("PUT", "DELETE"):
        response = client.request(method, "/admin/documents/rhubarb", json=FIELDS, headers=AUTH)
        assert response.status_code == 403
        assert "RAG_ADMIN_KEY" in response.json()["error"]


# --- adding and replacing ---------------------------------------------------------------------


def test_json_text_is_stored_published_and_served_at_once(admin):
    before = admin.engine.index.version
    response = put_text(admin, "rhubarb", {**FIELDS, "title": "Rhubarb", "author": "A. Grower"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["action"] == "added" and body["new_version"] and body["title"] == "Rhubarb"
    assert body["previous_version"] == before and body["index_version"] != before
    assert body["source"] == "uploads/rhubarb.txt"
    served = admin.http.get("/documents/rhubarb").json()
    assert served["text"] == FIELDS["text"] and served["author"] == "A. Grower"
    assert served["index_version"] == body["index_version"] == admin.engine.index.version

    corpus = admin.settings.corpus_dir
    assert (corpus / "uploads" / "rhubarb.txt").read_text() == FIELDS["text"]
    recorded = json.loads((corpus / UPLOADS_METADATA).read_text())["documents"]
    assert recorded == [
        {"source": "rhubarb.txt", "doc_id": "rhubarb", "title": "Rhubarb", "author": "A. Grower"}
    ]

    again = put_text(admin, "rhubarb", {"text": FIELDS["text"].replace("April", "March")})
    assert again.status_code == 200 and again.json()["action"] == "replaced"
    served = admin.http.get("/documents/rhubarb").json()
    assert "from March to July" in served["text"] and served["title"] == "Notes on Rhubarb"
    assert len(admin.http.get("/documents").json()) == 3


def test_a_rebuild_of_the_corpus_reproduces_every_upload(admin, tmp_path, embedder):
    assert put_text(admin, "rhubarb", {**FIELDS, "title": "Rhubarb"}).status_code == 201
    pdf = write_pdf(tmp_path / "bees.pdf").read_bytes()
    assert put_file(admin, "winter-bees", "Bees.PDF", pdf, author="B. Keeper").status_code == 201
    assert put_file(admin, "starter", "s.md", MARKDOWN.encode()).status_code == 201
    served = admin.engine.index.documents
    root = tmp_path / "rebuilt"
    build_index(list(read_corpus(admin.settings.corpus_dir).documents), embedder, Chunking(), root)
    rebuilt = load_index(root).documents
    assert rebuilt.keys() == served.keys()
    for doc_id, document in served.items():
        assert rebuilt[doc_id] == document, doc_id
    assert served["winter-bees"].pages and served["winter-bees"].author == "B. Keeper"
    assert served["winter-bees"].source == "uploads/winter-bees.pdf"
    assert [s.heading for s in served["starter"].sections] == [
        "Keeping a Sourdough Starter",
        "Feeding in the Fridge",
        "Signs of Hunger",
    ]


def test_the_other_workers_are_told(admin):
    root = admin.settings.index_dir
    other = Engine(admin.settings, admin.engine.embedder, load_index(root))
    watcher = Reloader()
    assert watcher.poll_once(other) is None  # its first look: it serves `current`
    marker = read_signal(root).marker
    version = put_text(admin, "rhubarb").json()["index_version"]
    assert read_signal(root).marker != marker  # the marker was replaced for them
    outcome = watcher.poll_once(other)
    assert outcome is not None and outcome.index_version == version
    assert "rhubarb" in other.index.documents


# --- limits and bad input change nothing ------------------------------------------------------


@pytest.fixture()
def small_uploads(tmp_path, settings, embedder) -> Iterator[Admin]:
    yield from serve_admin(tmp_path, settings, embedder, max_upload_bytes=200_000)


def test_an_upload_over_the_limit_is_413_and_the_limit_is_the_uploads_own(small_uploads):
    admin = small_uploads
    before = state(admin)
    big = ("Rhubarb is a perennial vegetable grown for its stalks. " * 2000).encode()
    assert 64 * 1024 < len(big) < 200_000  # over the body limit, under the upload limit
    accepted = put_file(admin, "big", "big.txt", big)
    assert accepted.status_code == 201, accepted.text
    after_big = state(admin)
    too_big = put_file(admin, "huge", "huge.txt", big * 2)
    assert too_big.status_code == 413
    assert "the limit is 200000 bytes" in too_big.json()["error"]
    # without the key, a body is held to RAG_MAX_BODY_BYTES
    anonymous = admin.http.put("/admin/documents/big2", files={"file": ("big.txt", big)})
    assert anonymous.status_code == 413
    assert "the limit is 65536 bytes" in anonymous.json()["error"]
    assert state(admin) == after_big != before


BAD_FILES = [
    ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "unsupported file type '.png'"),
    ("latin1.txt", "Caf\xe9 cr\xe8me\n".encode("latin-1"), "not valid UTF-8"),
    ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "not a readable PDF"),
    ("empty.md", b"   \n", "the file is empty"),
    ("noname", b"Some text\n", "(no suffix)"),
]


@pytest.mark.parametrize(("name", "data", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_file_that_cannot_be_read_is_422_and_changes_nothing(admin, name, data, words):
    before = state(admin)
    response = put_file(admin, "bad", name, data)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error.startswith(f"file: {name}: ")
    assert words in error, error
    assert state(admin) == before
    assert admin.http.get("/documents/bad").status_code == 404


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"text": ""}, "text: String should have at least 1 character"),
        ({"title": "x"}, "text: Field required"),
        ({"text": "x", "extra": 1}, "extra: unknown field"),
        ({"text": 3}, "text: Input should be a valid string"),
        ({"text": "x", "title": "t" * 501}, "title: String should have at most 500"),
    ],
)
def test_bad_json_is_422_naming_the_field(admin, body, words):
    before = state(admin)
    response = put_text(admin, "rhubarb", body)
    assert response.status_code == 422 and words in response.json()["error"], response.text
    assert state(admin) == before


def test_bad_form_fields_are_422_naming_the_field(admin):
    before = state(admin)
    extra = put_file(admin, "rhubarb", "r.txt", FIELDS["text"].encode(), colour="red")
    assert extra.status_code == 422 and extra.json()["error"].startswith("colour: unknown field")
    empty = put_file(admin, "rhubarb", "r.txt", FIELDS["text"].encode(), title="")
    assert empty.status_code == 422 and empty.json()["error"].startswith("title: String should")
    assert state(admin) == before


def test_bad_ids_and_unknown_ids(admin):
    before = state(admin)
    for doc_id in ("-leading-dash", "x" * 129, "a b", ".hidden"):
        response = put_text(admin, doc_id)
        assert response.status_code == 422, (doc_id, response.text)
        assert response.json()["error"].startswith("doc_id: ids are letters, digits")
        deleted = admin.http.delete(f"/admin/documents/{doc_id}", headers=AUTH)
        assert deleted.status_code == 404, (doc_id, deleted.text)
    unknown = admin.http.delete("/admin/documents/no-such-doc", headers=AUTH)
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "the index holds no document 'no-such-doc'"
    wrong_type = admin.http.put(
        "/admin/documents/x", content=b"plain", headers={**AUTH, "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    no_file = admin.http.put("/admin/documents/x", files={"title": (None, b"T")}, headers=AUTH)
    assert no_file.status_code == 422
    assert no_file.json()["error"] == "file: send the document as a form field named 'file'"
    assert state(admin) == before


def test_an_id_of_the_users_own_file_is_refused(admin):
    before = state(admin)
    response = put_text(admin, "why-men-pull-away")
    assert response.status_code == 409
    assert (
        "the corpus's own file 002_3bb7be61ddf7c7d6.txt, not an upload" in response.json()["error"]
    )
    assert state(admin) == before


@pytest.mark.parametrize(
    ("lock", "words"),
    [(".lock", "another build is writing the index"), (CHANGES_LOCK, "another document change")],
)
def test_a_change_while_another_runs_is_409_and_changes_nothing(admin, lock, words):
    before = state(admin)
    with build_lock(admin.settings.index_dir, lock):  # what another process holds
        response = put_text(admin, "rhubarb")
        removal = admin.http.delete("/admin/documents/why-men-pull-away", headers=AUTH)
    for answer in (response, removal):
        assert answer.status_code == 409, answer.text
        assert words in answer.json()["error"] and "nothing was changed" in answer.json()["error"]
    assert state(admin) == before
    assert put_text(admin, "rhubarb").status_code == 201  # and it works once the other is done


# --- removing -----------------------------------------------------------------------------


def test_deleting_an_upload_deletes_its_file(admin):
    assert put_text(admin, "rhubarb").status_code == 201
    response = admin.http.delete("/admin/documents/rhubarb", headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["action"] == "deleted" and body["source"] == "uploads/rhubarb.txt"
    assert body["index_version"] == admin.engine.index.version
    corpus = admin.settings.corpus_dir
    assert not (corpus / "uploads" / "rhubarb.txt").exists()
    assert json.loads((corpus / UPLOADS_METADATA).read_text()) == {"documents": []}
    assert admin.http.get("/documents/rhubarb").status_code == 404
    assert not (corpus / REMOVED_FILE).exists()


def test_deleting_a_users_file_keeps_it_and_a_rebuild_leaves_it_out(admin):
    corpus = admin.settings.corpus_dir
    original = (corpus / STONEFIELD).read_bytes()
    response = admin.http.delete("/admin/documents/why-men-pull-away", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["action"] == "excluded"
    assert (corpus / STONEFIELD).read_bytes() == original
    assert json.loads((corpus / REMOVED_FILE).read_text()) == {"removed": [STONEFIELD]}
    assert admin.http.get("/documents/why-men-pull-away").status_code == 404
    read = read_corpus(corpus)
    assert [d.doc_id for d in read.documents] == ["emotional-distancing-in-men"]
    assert read.skipped == () and STONEFIELD not in read.files
    rebuilt = build_corpus(admin.settings, admin.engine.embedder)
    assert not rebuilt.published  # the corpus says what the index already holds
    last = admin.http.delete("/admin/documents/emotional-distancing-in-men", headers=AUTH)
    assert last.status_code == 409 and "empty index" in last.json()["error"]
    assert json.loads((corpus / REMOVED_FILE).read_text()) == {"removed": [STONEFIELD]}


# --- fuzzing ----------------------------------------------------------------------------------


def an_allowed_id_is_never_refused(ctx, response, case) -> bool | None:
    """A doc_id the schema allows is never refused as malformed (a 422 naming the path)."""
    doc_id = (case.path_parameters or {}).get("doc_id")
    if doc_id is not None and DOC_ID.fullmatch(str(doc_id)) and response.status_code == 422:
        detail = response.json().get("detail")
        fields = (
            {d.get("field") for d in detail if isinstance(d, dict)}
            if isinstance(detail, list)
            else set()
        )
        assert "doc_id" not in fields, f"{doc_id!r} fits the schema's pattern, yet: {response.text}"
    return None


@pytest.mark.timeout(900)
def test_fuzzed_routes_with_the_key_never_5xx_and_leave_corpus_and_index_agreeing(admin):
    """Schemathesis on every route, the admin key sent: whatever it sends, no 5xx, every
    answer as documented, no id the schema allows refused as malformed, and afterwards a
    rebuild of the corpus finds exactly what the index holds."""
    url = str(admin.http.base_url).rstrip("/")
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    changing = [op for op in operations if op.path == "/admin/documents/{doc_id}"]
    assert {op.method.upper() for op in changing} == {"PUT", "DELETE"}
    assert len(operations) >= 10
    checks = [
        not_a_server_error,
        status_code_conformance,
        response_schema_conformance,
        an_allowed_id_is_never_refused,
    ]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis_settings(
                max_examples=25 if operation in changing else 10,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case: schemathesis.Case) -> None:
                case.call_and_validate(base_url=url, headers=AUTH, checks=checks, timeout=60)

            with contextlib.suppress(Unsatisfiable):
                fuzz()
    assert not build_corpus(admin.settings, admin.engine.embedder).published


def test_the_schema_states_the_id_pattern_and_a_405_names_every_method(admin):
    spec = admin.http.get("/openapi.json").json()
    for path in ("/admin/documents/{doc_id}", "/documents/{doc_id}"):
        for operation in spec["paths"][path].values():
            (parameter,) = [p for p in operation["parameters"] if p["name"] == "doc_id"]
            assert parameter["schema"]["pattern"] == DOC_ID.pattern
    response = admin.http.options("/admin/documents/rhubarb", headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, PUT"
    assert "DELETE, PUT" in response.json()["error"]


@pytest.mark.parametrize("where", ["staging the upload", "writing the index"])
def test_a_full_disk_is_507_saying_so_and_changes_nothing(admin, monkeypatch, where: str):
    before = state(admin)

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if where == "staging the upload":
        monkeypatch.setattr(journal, "_write_durably", full)
    else:
        monkeypatch.setattr(store, "_fsync_file", full)
    response = put_text(admin, "rhubarb")
    assert response.status_code == 507, response.text
    assert "the disk is full" in response.json()["error"]
    assert "nothing was changed" in response.json()["error"]
    monkeypatch.undo()
    assert state(admin) == before
    assert put_text(admin, "rhubarb").status_code == 201  # with space again, the same PUT works
