"""A real `rag add`, `rag remove`, PUT and DELETE, each killed with SIGKILL at every step of its
change (ingest/folder/journal.py): a restart finds exactly the old corpus and index or exactly the
new ones, nothing left behind, and the same change then works.

The steps are counted, not guessed: the killed process runs with the journal's durable-write
function wrapped so that the Nth call (a staged file, the journal, each file put in place, the
journal's removal) is followed by SIGKILL, and just before the journal is removed (the index is
published then) counts too. N goes up from 1 until a run finishes without being killed.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from index.incremental import UnknownDocument
from index.storage.manifest import Manifest
from index.storage.store import current_version
from ingest.corpus import scan_corpus
from ingest.embed import Embedder
from ingest.folder.journal import JOURNAL_FILE, STAGING_DIR
from service.changes.add import add_paths
from service.changes.apply import Upload, put_upload, remove_by_id
from service.config import Settings
from service.engine import Engine
from service.http.app import create_app
from service.indexing import build, ensure_index
from tests.support.auth import ADMIN_KEY, AUTH
from tests.support.net import free_port, wait_ready
from tests.support.rag import rag_env
from tests.support.server import LiveServer

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist

CRASHING = """
import os, signal, sys
import ingest.folder.journal as journal
limit, seen = int(os.environ["RAG_TEST_KILL_AT"]), [0]
def step():
    seen[0] += 1
    if seen[0] == limit:
        os.kill(os.getpid(), signal.SIGKILL)
sync, remove = journal._sync_folder, journal._remove_journal
journal._sync_folder = lambda folder: (sync(folder), step())
journal._remove_journal = lambda corpus_dir: (step(), remove(corpus_dir))
from service.cli.app import main
sys.argv = ["rag", *sys.argv[1:]]
main()
"""
LEEKS = "Leeks\n\nLeeks are blanched by hilling soil around their stems in autumn.\n"
NOTES_TXT = "Notes\n\nThe first notes say that garlic is planted in October.\n"
NOTES_MD = "# Notes\n\nThe new notes say that garlic is planted in November, under straw.\n"


@dataclass(frozen=True)
class World:
    """A corpus and its index in one folder, copied for every run."""

    root: Path

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    def settings(self, base: Settings) -> Settings:
        return replace(
            base,
            corpus_dir=self.corpus,
            index_dir=self.root / "index",
            admin_key=ADMIN_KEY,
            reload_interval=0,
        )

    def copy(self, to: Path) -> World:
        shutil.copytree(self.root, to, symlinks=True)
        return World(to)


@dataclass(frozen=True)
class State:
    files: dict[str, bytes]  # every file of the corpus the service may write, hidden list included
    documents: frozenset[str]  # what the published index holds


def state_of(world: World) -> State:
    corpus = world.corpus
    assert not (corpus / JOURNAL_FILE).exists(), "a journal was left behind"
    staging = corpus / STAGING_DIR
    assert not staging.exists() or not any(staging.iterdir()), "staged files were left behind"
    files = {
        p.relative_to(corpus).as_posix(): p.read_bytes()
        for p in corpus.rglob("*")
        if p.is_file() and STAGING_DIR not in p.parts
    }
    assert not [f for f in files if f.endswith(".tmp")], "temporary files were left behind"
    manifest = Manifest.read(current_version(world.root / "index"))
    assert manifest.corpus_files == scan_corpus(corpus), "the index disagrees with the corpus"
    return State(files, frozenset(d.doc_id for d in manifest.documents))


def restart(world: World, base: Settings, embedder: Embedder) -> Engine:
    """What start-up does: recover, then bring the index up to date with the corpus."""
    settings = world.settings(base)
    return Engine(settings, embedder, ensure_index(settings, embedder))


def environment(world: World, base: Settings, kill_at: int) -> dict[str, str]:
    return rag_env(
        world.settings(base),
        RAG_ADMIN_KEY=ADMIN_KEY,
        RAG_WORKERS="1",
        RAG_RELOAD_INTERVAL="0",
        RAG_TEST_KILL_AT=str(kill_at),
    )


def run_command(world: World, base: Settings, kill_at: int, args: list[str]) -> bool:
    """Run `rag ARGS` with the kill armed; whether it was killed."""
    done = subprocess.run(
        [sys.executable, "-c", CRASHING, *args],
        env=environment(world, base, kill_at),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode in (0, -signal.SIGKILL), done.stderr.decode()
    return done.returncode == -signal.SIGKILL


def run_request(
    world: World, base: Settings, kill_at: int, request: Callable[[httpx.Client], httpx.Response]
) -> bool:
    """Serve the world with the kill armed, send the request; whether the server was killed."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", CRASHING, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment(world, base, kill_at),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            wait_ready(client, server)
            try:
                response = request(client)
            except httpx.TransportError:
                assert server.wait(timeout=30) == -signal.SIGKILL
                return True
            assert response.status_code in (200, 201), response.text
            return False
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


@dataclass(frozen=True)
class Scenario:
    name: str
    start: str  # "base" or "notes" (with an upload `notes` stored as notes.txt)
    killed: Callable[[World, Settings, int], bool]
    # the same change, once restarted; `done`: the restart found it made (a removal then
    # answers that the document is gone, an add that nothing changed)
    redo: Callable[[World, Settings, Embedder, bool], None]


def _put_notes_md(client: httpx.Client) -> httpx.Response:
    files = {"file": ("notes.md", NOTES_MD.encode(), "text/markdown")}
    return client.put("/admin/documents/notes", files=files, headers=AUTH)


def _put_onions(client: httpx.Client) -> httpx.Response:
    body = {"text": "Onions\n\nOnions want full sun and little water once the bulbs swell."}
    return client.put("/admin/documents/onions", json=body, headers=AUTH)


def _delete_notes(client: httpx.Client) -> httpx.Response:
    return client.delete("/admin/documents/notes", headers=AUTH)


def _redo_over_http(request: Callable[[httpx.Client], httpx.Response]) -> Callable:
    def redo(world: World, base: Settings, embedder: Embedder, done: bool) -> None:
        settings = world.settings(base)
        app = create_app(settings, restart(world, base, embedder))
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            response = request(client)
            gone = done and response.status_code == 404 and "no document" in response.text
            assert response.status_code in (200, 201) or gone, response.text

    return redo


def _remove(doc_id: str) -> Callable:
    def redo(world: World, base: Settings, embedder: Embedder, done: bool) -> None:
        try:
            remove_by_id(world.settings(base), embedder, [doc_id])
        except UnknownDocument:
            assert done

    return redo


SCENARIOS = [
    Scenario(
        "rag add",
        "base",
        lambda w, b, n: run_command(w, b, n, ["add", str(w.root / "leeks.txt")]),
        lambda w, b, e, _done: add_paths(w.settings(b), e, [w.root / "leeks.txt"]) and None,
    ),
    Scenario(
        "rag remove (an upload)",
        "notes",
        lambda w, b, n: run_command(w, b, n, ["remove", "notes"]),
        _remove("notes"),
    ),
    Scenario(
        "rag remove (the user's own file)",
        "base",
        lambda w, b, n: run_command(w, b, n, ["remove", "kale.md"]),
        _remove("kale.md"),
    ),
    Scenario(
        "PUT (a new document)",
        "base",
        lambda w, b, n: run_request(w, b, n, _put_onions),
        _redo_over_http(_put_onions),
    ),
    Scenario(
        "PUT (replacing a .txt upload with a .md file)",
        "notes",
        lambda w, b, n: run_request(w, b, n, _put_notes_md),
        _redo_over_http(_put_notes_md),
    ),
    Scenario(
        "DELETE",
        "notes",
        lambda w, b, n: run_request(w, b, n, _delete_notes),
        _redo_over_http(_delete_notes),
    ),
]


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder):
    """The starting worlds: two files of the user's own; the same plus an upload `notes`."""
    top = tmp_path_factory.mktemp("crash")
    base = World(top / "base")
    base.corpus.mkdir(parents=True)
    (base.root / "leeks.txt").write_text(LEEKS)  # beside the corpus: what `rag add` copies
    (base.corpus / "kale.md").write_text("# Kale\n\nKale tolerates light frost in cool weather.\n")
    (base.corpus / "beans.md").write_text("# Beans\n\nRunner beans climb poles in warm soil.\n")
    build(base.settings(settings), embedder)
    notes = base.copy(top / "notes")
    upload = Upload("notes", "notes.txt", NOTES_TXT.encode())
    put_upload(notes.settings(settings), embedder, upload)
    return {"base": base, "notes": notes}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_a_change_killed_at_any_step_leaves_the_old_or_the_new_state(
    scenario: Scenario, worlds: dict, settings: Settings, embedder: Embedder, tmp_path: Path
):
    start = worlds[scenario.start]
    old = state_of(start)
    clean = start.copy(tmp_path / "clean")
    scenario.redo(clean, settings, embedder, False)
    new = state_of(clean)
    assert new != old

    def killed_at(step: int) -> tuple[int, World, bool]:
        world = start.copy(tmp_path / f"kill-{step}")
        return step, world, scenario.killed(world, settings, step)

    outcomes: dict[int, str] = {}
    step, finished = 1, False
    with ThreadPoolExecutor(max_workers=2) as pool:
        while not finished:
            assert step < 40, "the change never finished"
            for n, world, was_killed in pool.map(killed_at, (step, step + 1)):
                if not was_killed:
                    finished = True
                    continue
                restart(world, settings, embedder)
                after = state_of(world)
                assert after in (old, new), f"killed at step {n}: neither the old nor the new state"
                outcomes[n] = "new" if after == new else "old"
                scenario.redo(world, settings, embedder, after == new)
                assert state_of(world) == new, f"killed at step {n}: the change then failed"
                shutil.rmtree(world.root)
            step += 2
    # every step was reached, the early kills undo the change and the last ones keep it
    assert len(outcomes) >= 4 and outcomes[1] == "old" and outcomes[max(outcomes)] == "new"
    print(f"{scenario.name}: {len(outcomes)} steps killed, state after restart {outcomes}")
