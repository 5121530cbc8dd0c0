"""The wheel carries every data file the code reads, and an installed copy answers a question.

`pip wheel` runs on a copy of the sources (a build writes build/ and egg-info beside them). The
wheel goes into a fresh virtual environment that has no copy of this project: the heavy
dependencies come from this environment's site-packages through a directory of links that
leaves out the editable install of this project, so `import service` can only find the wheel.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import threading
import zipfile
from pathlib import Path

import pytest
import uvicorn
from uvicorn.config import STARTUP_FAILURE

from service.answering.ranker import FittedModelError
from service.config import PROJECT_ROOT
from service.http.runtime.server import uvicorn_config
from tests.support.net import free_port
from tests.support.paths import SPACE_QUESTION
from tests.support.rag import rag_env

PACKAGES = ("ingest", "index", "service", "evaluation")
# the README's pictures, not read by any code
NOT_SHIPPED = ("service/web/screenshots/", "evaluation/figures/")
OURS = ("grounded_qa", "__editable__", *PACKAGES)
PIP = (sys.executable, "-m", "pip")


def data_files_in_source() -> set[str]:
    """Every file in the packages that is not Python source, as a path inside the wheel."""
    found = set()
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*"):
            name = path.relative_to(PROJECT_ROOT).as_posix()
            source = path.suffix in {".py", ".pyc"} or "__pycache__" in name
            if path.is_file() and not source and not name.startswith(NOT_SHIPPED):
                found.add(name)
    return found


def run(command: list[str], cwd: Path, env: dict | None = None, timeout: float = 300):
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package,
            source / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT_ROOT / name, source / name)
    dist = work / "dist"
    built = run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(dist), str(source)],
        cwd=work,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = dist.glob("grounded_qa-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its bin/ directory."""
    work = tmp_path_factory.mktemp("venv")
    venv = work / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work)
    assert made.returncode == 0, made.stderr
    # The dependencies, without this project: one link per entry of our site-packages.
    ours = Path(sysconfig.get_paths()["purelib"])
    deps = work / "deps"
    deps.mkdir()
    for entry in ours.iterdir():
        if not entry.name.startswith(OURS) and entry.suffix != ".pth":
            (deps / entry.name).symlink_to(entry)
    python = venv / "bin" / "python"
    site = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work
    )
    (Path(site.stdout.strip()) / "dependencies.pth").write_text(f"{deps}\n", encoding="utf-8")
    install = run(
        [*PIP, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        cwd=work,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    return venv / "bin"


def clean_env(settings, **extra: str) -> dict[str, str]:
    """`rag`'s environment on the session's folders (RAG_CORPUS_DIR too: no corpus/ lies beside an
    installed package), without this checkout's virtualenv or PYTHONPATH."""
    env = rag_env(settings, **extra)
    return {k: v for k, v in env.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}


def test_the_wheel_carries_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = data_files_in_source()
    assert {
        "service/answering/fitted/abstention.json",
        "service/answering/fitted/sentence_ranker.json",
        "service/web/static/index.html",
        "evaluation/suites/articles.jsonl",
    } <= expected
    assert expected - names == set()
    assert not any(name.startswith(NOT_SHIPPED) or name.startswith("tests/") for name in names)


@pytest.mark.timeout(600)
@pytest.mark.usefixtures("engine")  # the session index exists, so `rag ask` only loads it
def test_the_installed_wheel_answers_a_question(installed, settings, tmp_path):
    where = run(
        [str(installed / "python"), "-c", "import service, fastapi; print(service.__file__)"],
        cwd=tmp_path,
        env=clean_env(settings),
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), where.stdout
    asked = run(
        [str(installed / "rag"), "ask", "--json", SPACE_QUESTION],
        cwd=tmp_path,
        env=clean_env(settings),
    )
    assert asked.returncode == 0, asked.stderr[-3000:]
    body = json.loads(asked.stdout)
    assert not body["abstained"] and "3 to 7 days" in body["answer"] and body["citations"]


def _fitted(installed: Path, name: str) -> Path:
    found = list(
        installed.parent.glob(f"lib/python*/site-packages/service/answering/fitted/{name}")
    )
    assert len(found) == 1, found
    return found[0]


@pytest.mark.timeout(600)
@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize(
    ("name", "damage", "words"),
    [
        ("abstention.json", Path.unlink, ("abstention.json", "missing")),
        (
            "sentence_ranker.json",
            lambda path: path.write_text("{ not json", encoding="utf-8"),
            ("sentence_ranker.json", "cannot be read"),
        ),
    ],
)
def test_a_missing_or_unreadable_fitted_model_stops_ask_and_serve(
    installed, settings, tmp_path, name, damage, words
):
    path = _fitted(installed, name)
    kept = path.read_bytes()
    damage(path)
    try:
        asked = run(
            [str(installed / "rag"), "ask", SPACE_QUESTION], cwd=tmp_path, env=clean_env(settings)
        )
        port = str(free_port())
        served = run(
            [str(installed / "rag"), "serve", "--port", port, "--workers", "2"],
            cwd=tmp_path,
            env=clean_env(settings),
            timeout=120,  # it must refuse at once, not serve until killed
        )
    finally:
        path.write_bytes(kept)
    for result in (asked, served):
        assert result.returncode == 2, result.stderr[-2000:]
        lines = result.stderr.strip().splitlines()
        assert lines[-1].startswith("error: ") and "Traceback" not in result.stderr, lines
        assert all(word in lines[-1] for word in words), lines[-1]
    assert asked.stdout == ""


def test_the_http_service_refuses_to_start_without_its_fitted_models(settings, monkeypatch):
    """The app on its own (not through `rag serve`'s check) fails its start-up too."""
    import service.engine
    from service.http.app import create_app

    def missing(*_settings: object) -> None:
        raise FittedModelError("the abstention model file abstention.json is missing")

    monkeypatch.setattr(service.engine, "default_answerer", missing)
    config = uvicorn_config(settings, create_app(settings), port=free_port(), log_level="critical")
    server = uvicorn.Server(config)
    exits: list[object] = []

    def run() -> None:  # its own thread and event loop: the test process may hold another loop
        try:
            server.run()
        except SystemExit as stopped:
            exits.append(stopped.code)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert exits == [STARTUP_FAILURE] and not server.started
