"""Cases of the public suite (evaluation/suites/articles.jsonl), picked for short runs."""

from __future__ import annotations

import json

from tests.support.paths import SUITE


def _lines() -> list[str]:
    return [line for line in SUITE.read_text(encoding="utf-8").splitlines() if line.strip()]


def suite_lines(kinds: set[str] | None = None) -> list[str]:
    """Raw JSONL lines of the public suite: the first case of each kind (or of `kinds`)."""
    chosen, seen = [], set()
    for line in _lines():
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
        for line in _lines()
        if json.loads(line)["kind"] == "unanswerable" and line not in lines
    ][:2]
    return lines + extra
