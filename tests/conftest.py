"""Shared fixtures: the real model and a real index of the bundled corpus, built once."""

from __future__ import annotations

import multiprocessing.forkserver
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.load import IndexData
from ingest.corpus import load_corpus
from ingest.documents import Document
from ingest.embed import Embedder
from service.config import PROJECT_ROOT, Settings
from service.engine import Engine
from service.indexing import make_embedder

CORPUS = PROJECT_ROOT / "corpus"
STONEFIELD = "002_3bb7be61ddf7c7d6.txt"
DISTANCING = "000_cc2df97eb338bddd.txt"


def reading_workers_alive() -> list[int]:
    """The file-reading workers (ingest/budget.py) still running: the children of this
    process's multiprocessing fork server."""
    server = multiprocessing.forkserver._forkserver._forkserver_pid
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if server is not None and int(fields[1]) == server and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def corpus() -> list[Document]:
    return load_corpus(CORPUS)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    work = tmp_path_factory.mktemp("rag")
    # reload_interval=0: tests that publish versions reload explicitly; a watcher would race them
    return Settings(
        corpus_dir=CORPUS, index_dir=work / "index", cache_dir=work / "cache", reload_interval=0
    )


@pytest.fixture(scope="session")
def embedder(settings: Settings) -> Embedder:
    embedder = make_embedder(settings)
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def engine(settings: Settings, embedder: Embedder) -> Engine:
    from service.indexing import ensure_index

    return Engine(settings, embedder, ensure_index(settings, embedder))


@pytest.fixture(scope="session")
def index_data(engine: Engine) -> IndexData:
    return engine.index


@pytest.fixture()
def scratch_settings(tmp_path: Path, settings: Settings) -> Iterator[Settings]:
    """Settings with a private index root but the session's warm embedding cache."""
    yield Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index", cache_dir=settings.cache_dir)
