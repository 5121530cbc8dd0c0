"""A scratch server for document changes: a copy of the bundled corpus with its own index,
served with the admin key, and the calls and snapshots the change tests make."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from index.load import load_index
from ingest.embed import Embedder
from service.config import Settings
from service.engine import Engine
from service.http.app import create_app
from service.indexing import build as build_corpus
from tests.support.auth import ADMIN_KEY, AUTH
from tests.support.paths import CORPUS
from tests.support.server import LiveServer

FIELDS = {"text": "Notes on Rhubarb\n\nRhubarb stalks are pulled, never cut, from April to July.\n"}


@dataclass
class Admin:
    settings: Settings
    engine: Engine
    http: httpx.Client


def serve_admin(
    tmp_path: Path, settings: Settings, embedder: Embedder, **changes: object
) -> Iterator[Admin]:
    """A copy of the bundled corpus under `tmp_path`, built and served with the admin key (and
    any other settings `changes`); yields once, serving, for a fixture to `yield from`."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    scratch = replace(
        settings,
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        admin_key=ADMIN_KEY,
        **changes,
    )
    build_corpus(scratch, embedder)
    engine = Engine(scratch, embedder, load_index(scratch.index_dir))
    with (
        LiveServer(create_app(scratch, engine)) as server,
        httpx.Client(base_url=server.url, timeout=60) as http,
    ):
        yield Admin(scratch, engine, http)


def corpus_files(corpus: Path) -> dict[str, bytes]:
    """Every file under the corpus, hidden ones included, by relative path."""
    return {
        p.relative_to(corpus).as_posix(): p.read_bytes() for p in corpus.rglob("*") if p.is_file()
    }


def state(admin: Admin) -> tuple[str, dict[str, str], dict[str, bytes]]:
    """The version served, every served document's text, and the corpus on disk."""
    version = admin.http.get("/ready").json()["index_version"]
    texts = {
        d["doc_id"]: admin.http.get(f"/documents/{d['doc_id']}").json()["text"]
        for d in admin.http.get("/documents").json()
    }
    return version, texts, corpus_files(admin.settings.corpus_dir)


def put_text(admin: Admin, doc_id: str, body: dict = FIELDS, **headers: str) -> httpx.Response:
    """PUT a document as JSON fields (text, title, ...), with the admin key."""
    return admin.http.put(f"/admin/documents/{doc_id}", json=body, headers={**AUTH, **headers})


def put_file(admin: Admin, doc_id: str, name: str, data: bytes, **fields: str) -> httpx.Response:
    """PUT a document as a file upload named `name`, with the admin key."""
    return admin.http.put(
        f"/admin/documents/{doc_id}", files={"file": (name, data)}, data=fields, headers=AUTH
    )
