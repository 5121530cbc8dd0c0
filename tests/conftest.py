"""Shared fixtures: the real model, a real index of the bundled corpus and one live server on it,
each built once per session (once per worker process under xdist); and the hooks that let two
xdist workers share the machine (tests/support/workers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.load import IndexData
from ingest.corpus import load_corpus
from ingest.documents import Document
from ingest.embed import Embedder
from service.config import Settings
from service.engine import Engine
from service.http.app import create_app
from service.indexing import ensure_index, make_embedder, make_query_embedder
from service.serving import ServingIndex
from tests.support.embedders import HashEmbedder
from tests.support.files import write_mixed_folder
from tests.support.paths import CORPUS
from tests.support.server import LiveServer
from tests.support.small_index import build_small_index
from tests.support.workers import (
    Turns,
    embed_threads,
    needs_of,
    run_folder,
    share_the_cores,
    under_xdist,
)

TURNS = pytest.StashKey[Turns]()


def pytest_configure() -> None:
    share_the_cores()  # under xdist: one thread per pool in each worker


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist, modules marked `slow` first (otherwise in order): a worker takes one module
    at a time from the front of the queue, so the long ones start early and short ones fill
    the end, instead of one long module running alone at the end."""
    if under_xdist():
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    """Under xdist, a test takes its turn (tests/support/workers.py) for setup, call and
    teardown: `alone` tests run while no other test does, `serial(name)` ones one at a time."""
    if not under_xdist():
        return (yield)
    turns = item.config.stash.get(TURNS, None)
    if turns is None:  # one folder for the whole run: every worker's basetemp is inside it
        turns = item.config.stash[TURNS] = Turns(Path(item.config.option.basetemp).parent / "turns")
    with turns.turn(needs_of(item), needs_of(nextitem) if nextitem else None):
        return (yield)


@pytest.fixture(scope="session")
def corpus() -> list[Document]:
    return load_corpus(CORPUS)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    work = tmp_path_factory.mktemp("rag")
    # reload_interval=0: tests that publish versions reload explicitly; a watcher would race them
    return Settings(
        corpus_dir=CORPUS,
        index_dir=work / "index",
        cache_dir=run_folder(tmp_path_factory) / "cache",  # shared by the xdist workers
        reload_interval=0,
        embed_threads=embed_threads(),
    )


@pytest.fixture(scope="session")
def embedder(settings: Settings) -> Embedder:
    embedder = make_embedder(settings)
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def engine(settings: Settings, embedder: Embedder) -> Engine:
    """The engine as `rag serve` and `rag ask` open it: questions embedded as they embed them."""
    queries = make_query_embedder(settings, embedder)
    return Engine(settings, embedder, ensure_index(settings, embedder), query_embedder=queries)


@pytest.fixture(scope="session")
def index_data(engine: Engine) -> IndexData:
    return engine.index


@pytest.fixture(scope="session")
def live_server(engine: Engine, settings: Settings) -> Iterator[LiveServer]:
    """A real uvicorn server on a loopback port, serving the session's engine."""
    with LiveServer(create_app(settings, engine)) as server:
        yield server


@pytest.fixture()
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        yield http


@pytest.fixture()
def scratch_settings(tmp_path: Path, settings: Settings) -> Iterator[Settings]:
    """Settings with a private index root but the session's warm embedding cache."""
    yield Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index", cache_dir=settings.cache_dir)


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    """The mixed folder (every format, a subfolder, files that are skipped), to read or edit."""
    return write_mixed_folder(tmp_path / "corpus")


@pytest.fixture(scope="session")
def hash_embedder() -> HashEmbedder:
    """The deterministic fake embedder (no model), without a cache."""
    return HashEmbedder()


@pytest.fixture(scope="session")
def small_index(
    tmp_path_factory: pytest.TempPathFactory, hash_embedder: HashEmbedder
) -> ServingIndex:
    """Three hand-written articles built with the fake embedder (tests/support/small_index.py)."""
    return build_small_index(tmp_path_factory.mktemp("small"), hash_embedder)
