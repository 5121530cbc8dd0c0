"""Imports point one way through the pipeline: ingest <- index <- service <- evaluation.

A module may import from its own stage or an earlier one, never a later one; the `rag` front
door (service/cli.py) reaches evaluation only through entry points, so it obeys the rule too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from service.config import PROJECT_ROOT

STAGES = ("ingest", "index", "service", "evaluation")


def _imported_stages(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in STAGES:
                found.add((top, node.lineno))
    return found


def _modules() -> list[Path]:
    return sorted(p for stage in STAGES for p in (PROJECT_ROOT / stage).rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_no_import_points_up_the_stack(path: Path):
    stage = path.relative_to(PROJECT_ROOT).parts[0]
    allowed = set(STAGES[: STAGES.index(stage) + 1])
    upward = sorted((s, line) for s, line in _imported_stages(path) if s not in allowed)
    assert not upward, f"{path.name} imports a later stage: {upward}"


def test_the_checker_sees_upward_imports(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom evaluation.cli import register\n", encoding="utf-8")
    assert _imported_stages(module) == {("evaluation", 2)}
