"""Fixtures for the evaluation front end: a subset of the public suite, written once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.suites import subset_lines


@pytest.fixture(scope="session")
def subset_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("suites") / "subset.jsonl"
    path.write_text("\n".join(subset_lines()) + "\n", encoding="utf-8")
    return path
