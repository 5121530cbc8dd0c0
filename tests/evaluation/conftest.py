"""Fixtures for the evaluation front end: suite subsets, a live server, the `rag` command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from service.api import create_app
from service.config import PROJECT_ROOT, Settings
from tests.service.conftest import LiveServer

SUITE = PROJECT_ROOT / "evaluation" / "suites" / "articles.jsonl"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SCIFACT = SHARED / "benchmarks" / "scifact"


def suite_lines(kinds: set[str] | None = None) -> list[str]:
    """Raw JSONL lines of the public suite: the first case of each kind (or of `kinds`)."""
    lines = [line for line in SUITE.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen, seen = [], set()
    for line in lines:
        kind = json.loads(line)["kind"]
        if (kinds is None or kind in kinds) and kind not in seen:
            seen.add(kind)
            chosen.append(line)
    return chosen


def subset_lines() -> list[str]:
    """About eight cases: one of each kind, plus two more unanswerable questions."""
    lines = suite_lines()
    extra = [
        line
        for line in SUITE.read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line)["kind"] == "unanswerable" and line not in lines
    ][:2]
    return lines + extra


@pytest.fixture(scope="session")
def subset_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("suites") / "subset.jsonl"
    path.write_text("\n".join(subset_lines()) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def eval_server(engine, settings) -> Iterator[LiveServer]:
    """A real uvicorn server on a loopback port, serving the session's engine."""
    with LiveServer(create_app(settings, engine)) as server:
        yield server


def rag_env(settings: Settings) -> dict[str, str]:
    """Environment that points `rag` at the session's index and embedding cache."""
    return {
        "RAG_INDEX_DIR": str(settings.index_dir),
        "RAG_CACHE_DIR": str(settings.cache_dir),
        "RAG_CORPUS_DIR": str(settings.corpus_dir),
    }


def invoke(settings: Settings, *args: str) -> Result:
    """`rag ARGS` through typer's runner (same process, so the model stays loaded)."""
    from service.cli import app

    return CliRunner().invoke(app, list(args), env=rag_env(settings), catch_exceptions=False)
