"""The `rag` command as tests run it: as a user does (a separate process), or in process
through typer's runner; either way pointed at one index, embedding cache and corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner, Result

from service.config import Settings

# The console script installed beside this interpreter.
RAG = shutil.which("rag", path=str(Path(sys.executable).parent)) or "rag"
# What a bare environment keeps: no virtualenv, no PYTHONPATH, no model downloads.
BARE = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}


def rag_env(
    settings: Settings | None = None, *, bare: bool = False, **extra: str
) -> dict[str, str]:
    """The environment `rag` runs in: this process's own (or only BARE's variables), pointed
    at the settings' index root, embedding cache and corpus, plus `extra` RAG_* variables."""
    env = dict(BARE) if bare else dict(os.environ)
    if settings is not None:
        env |= {
            "RAG_INDEX_DIR": str(settings.index_dir),
            "RAG_CACHE_DIR": str(settings.cache_dir),
            "RAG_CORPUS_DIR": str(settings.corpus_dir),
        }
    return env | extra


def run_rag(
    settings: Settings | None,
    *args: str,
    timeout: float = 180,
    cwd: Path | None = None,
    **extra: str,
) -> subprocess.CompletedProcess[str]:
    """`rag ARGS` in its own process, as a user runs it; output captured as text."""
    return subprocess.run(
        [RAG, *args],
        capture_output=True,
        text=True,
        env=rag_env(settings, **extra),
        timeout=timeout,
        cwd=cwd,
        check=False,
    )


def invoke(settings: Settings, *args: str) -> Result:
    """`rag ARGS` through typer's runner (same process, so the model stays loaded)."""
    from service.cli.app import app

    env = {k: v for k, v in rag_env(settings).items() if k.startswith("RAG_")}
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
