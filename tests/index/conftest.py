"""Index-test fixtures: an embedder that counts what it is asked to embed, and corpus folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.embed import Embedder
from tests.support.embedders import CountingEmbedder
from tests.support.paths import CORPUS


@pytest.fixture()
def counting(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    """A private copy of the bundled corpus, to edit."""
    target = tmp_path / "articles"
    shutil.copytree(CORPUS, target)
    return target
