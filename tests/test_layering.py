"""Imports point one way through the pipeline (ingest <- index <- service <- evaluation), and
inside service/ and evaluation/ from room to room (cli -> http -> engine -> answering ->
retrieval -> question).

A module may import from its own stage or an earlier one, never a later one; the `rag` front
door (service/cli/app.py) reaches evaluation only through entry points, so it obeys the rule too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from service.config import PROJECT_ROOT

STAGES = ("ingest", "index", "service", "evaluation")


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every absolute module a file imports, with its line; `from pkg import name` also counts
    as `pkg.name` (it may be a module), and a relative import as `<relative ...>`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{a.name}", node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((f"<relative {'.' * node.level}{node.module or ''}>", node.lineno))
    return found


def _imported_stages(path: Path) -> set[tuple[str, int]]:
    return {(n.split(".")[0], line) for n, line in _imports(path) if n.split(".")[0] in STAGES}


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
    module.write_text("import os\nfrom evaluation.cli.app import register\n", encoding="utf-8")
    assert _imported_stages(module) == {("evaluation", 2)}


# Inside a stage, rooms call downwards too. A module at the top of a stage is its own room.
ROOM_ORDER = {
    "service": (
        "cli", "http", "web", "render", "engine", "answer_cache", "query_batching", "indexing",
        "changes", "config", "answering", "retrieval", "question", "serving", "examples",
    ),
    "evaluation": (
        "cli", "bench", "beir", "layouts", "compare", "fitting", "runs", "scoring", "cases",
    ),
}  # fmt: skip
MAX_MODULES = 10


def _room_imports(path: Path, stage: str) -> set[tuple[str, int]]:
    found = set()
    for name, line in _imports(path):
        parts = name.split(".")
        if len(parts) > 1 and parts[0] == stage:
            found.add((parts[1], line))
    return found


def _room(path: Path) -> str:
    return path.relative_to(PROJECT_ROOT).with_suffix("").parts[1]


@pytest.mark.parametrize("stage", sorted(ROOM_ORDER))
def test_rooms_call_only_downwards(stage: str):
    order = ROOM_ORDER[stage]
    upward = []
    for path in sorted((PROJECT_ROOT / stage).rglob("*.py")):
        if path.name == "__init__.py" and path.parent == PROJECT_ROOT / stage:
            continue
        room = _room(path)
        assert room in order, f"{path}: room {room!r} is not in ROOM_ORDER[{stage!r}]"
        for target, line in _room_imports(path, stage):
            if target in order and order.index(target) < order.index(room):
                upward.append(f"{path.relative_to(PROJECT_ROOT)}:{line} {room} -> {target}")
    assert not upward, "imports pointing up a stage's rooms:\n" + "\n".join(upward)


def test_the_room_checker_sees_an_upward_import(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("from service.http.app import create_app\nimport os\n", encoding="utf-8")
    assert _room_imports(module, "service") >= {("http", 1)}


@pytest.mark.parametrize("stage", STAGES)
def test_no_folder_holds_more_than_ten_modules(stage: str):
    crowded = {}
    for folder in [PROJECT_ROOT / stage, *(PROJECT_ROOT / stage).rglob("*/")]:
        modules = [p for p in folder.glob("*.py") if p.name not in {"__init__.py", "__main__.py"}]
        if len(modules) > MAX_MODULES:
            crowded[str(folder.relative_to(PROJECT_ROOT))] = len(modules)
    assert not crowded, f"folders with more than {MAX_MODULES} modules: {crowded}"


# Tests import shared helpers from tests.support only: never from another test module or a
# conftest (fixtures reach tests through pytest, not through imports).
TESTS = PROJECT_ROOT / "tests"


def _test_imports(path: Path) -> set[tuple[str, int]]:
    """Every `tests.<x>` module a file imports where x is not `support`, with its line."""
    imported = _imports(path)
    modules = set(imported)
    found = set()
    for name, line in imported:
        parent = name.rsplit(".", 1)[0]
        if parent != "tests" and (parent, line) in modules:
            continue  # `from tests.a.b import name`: the module is tests.a.b, already listed
        if name.startswith("<relative"):
            found.add((f"tests.{name}", line))
            continue
        parts = name.split(".")
        if parts[0] == "tests" and len(parts) > 1 and parts[1] != "support":
            found.add((name, line))
    return found


def test_tests_import_shared_helpers_only_from_tests_support():
    wrong = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for name, line in sorted(_test_imports(path))
    ]
    assert not wrong, "import helpers from tests.support instead:\n" + "\n".join(wrong)


def test_the_test_import_checker_sees_imports_of_other_test_modules(tmp_path: Path):
    module = tmp_path / "test_m.py"
    module.write_text(
        "import os\n"
        "from tests.support.net import free_port\n"
        "from tests.service.http.test_admin import bearer\n"
        "import tests.conftest\n"
        "from tests import conftest\n"
        "from .conftest import thing\n",
        encoding="utf-8",
    )
    assert _test_imports(module) == {
        ("tests.service.http.test_admin", 3),
        ("tests.conftest", 4),
        ("tests.conftest", 5),
        ("tests.<relative .conftest>", 6),
    }
