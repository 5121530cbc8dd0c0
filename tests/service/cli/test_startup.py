"""What `rag` loads before it runs a command: `--version`, and imports kept lazy."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from service.config import PROJECT_ROOT
from tests.support.paths import SPACE_QUESTION
from tests.support.rag import RAG, rag_env


def _loaded(statement: str, modules: tuple[str, ...]) -> dict[str, bool]:
    """Which of `modules` a fresh interpreter has imported after `statement`."""
    code = f"import sys; {statement}; print(' '.join(str(m in sys.modules) for m in {modules!r}))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True
    )
    return dict(zip(modules, (v == "True" for v in done.stdout.split()), strict=True))


def test_version_prints_the_installed_package_version() -> None:
    done = subprocess.run([str(RAG), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"rag {version('grounded-qa')}"


def test_help_is_plain_and_lists_every_command() -> None:
    done = subprocess.run([str(RAG), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for command in ("index", "ask", "search", "serve", "gc", "eval", "--version"):
        assert command in done.stdout
    assert "╭" not in done.stdout  # plain click help: rich costs 0.1 s of imports


def test_settings_and_chunking_load_no_model_numpy_or_langchain() -> None:
    heavy = ("numpy", "langchain_text_splitters", "onnxruntime", "torch", "wordfreq")
    assert not any(_loaded("import service.config, ingest.chunk", heavy).values())


def test_the_command_line_front_door_loads_no_engine() -> None:
    heavy = ("service.engine", "index.lexical", "onnxruntime", "torch", "faiss", "rich")
    assert not any(_loaded("import service.cli.app", heavy).values())


def test_a_domain_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(RAG), "ask", "why?", "--index-dir", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        check=False,
        env=rag_env(bare=True, RAG_AUTO_BUILD="0"),
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr


def test_ask_prints_everything_before_it_skips_teardown(engine, settings) -> None:
    """`rag ask` ends with os._exit after flushing: the whole JSON body still arrives."""
    env = rag_env(settings, bare=True)
    question = SPACE_QUESTION
    done = subprocess.run(
        [str(RAG), "ask", question, "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["question"] == question and body["citations"] and not body["abstained"]
    usage = subprocess.run([str(RAG), "ask", "why", "--top-k", "99"], capture_output=True, env=env)
    assert usage.returncode == 2  # a usage error keeps its exit status
