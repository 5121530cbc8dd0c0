"""`rag eval` refuses unusable input with `error: ...` and exit 2, before loading any model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.config import PROJECT_ROOT
from tests.support.net import free_port
from tests.support.rag import invoke, run_rag
from tests.support.suites import suite_lines


def write_suite(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_wrong_evidence_string_is_rejected_naming_the_line(tmp_path: Path, settings) -> None:
    good, other = suite_lines({"fact", "why"})
    case = json.loads(other)
    case["evidence"] = [case["evidence"][0] + " (a sentence the article never says)"]
    suite = write_suite(tmp_path / "wrong.jsonl", [good, "", json.dumps(case)])
    result = run_rag(settings, "eval", str(suite), "--out", str(tmp_path / "out"), timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: wrong.jsonl line 3: evidence ")
    assert "does not occur in" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_must_contain_missing_from_sources_is_rejected(tmp_path: Path, settings) -> None:
    [line] = suite_lines({"fact"})
    case = json.loads(line)
    case["must_contain"] = ["a phrase found nowhere"]
    suite = write_suite(tmp_path / "phrase.jsonl", [json.dumps(case)])
    result = invoke(settings, "eval", str(suite))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: phrase.jsonl line 1: must_contain phrase ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "no-such-suite.jsonl"], "error: no-such-suite.jsonl: cannot read suite"),
        (["eval", "beir"], "error: `rag eval beir` needs the dataset folder"),
        (["eval", "beir", "nowhere", "--url", "http://127.0.0.1:9"], "--url cannot be used"),
        (["eval", "a.jsonl", "b.jsonl"], "error: unexpected argument 'b.jsonl'"),
        (["eval", "beir", "no-such-dir"], "error: BEIR dataset folder no-such-dir does not exist"),
        (["eval", "beir", ".", "--modes", "dense,sparse"], "error: --modes must be"),
        (["eval", "beir", ".", "--chunk-size", "100", "--chunk-overlap", "100"],
         "error: --chunk-size / --chunk-overlap: chunk_overlap (100) must be smaller"),
    ],
)  # fmt: skip
def test_unusable_arguments_exit_2(args: list[str], message: str, settings) -> None:
    result = invoke(settings, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_bad_thresholds_or_baseline_exit_2(tmp_path: Path, settings) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hit@1": 0.9}', encoding="utf-8")
    result = invoke(settings, "eval", "whatever.jsonl", "--thresholds", str(bad))
    assert result.exit_code == 2
    assert "error: " in result.stderr and "threshold for 'hit@1'" in result.stderr
    result = invoke(settings, "eval", "whatever.jsonl", "--baseline", str(bad))
    assert result.exit_code == 2
    assert "is not a report written by `rag eval`" in result.stderr


def test_unreachable_service_exits_2(tmp_path: Path, settings) -> None:
    suite = write_suite(tmp_path / "one.jsonl", suite_lines({"fact"}))
    url = f"http://127.0.0.1:{free_port()}"
    result = invoke(settings, "eval", str(suite), "--url", url)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot use the service at {url}")


def test_committed_thresholds_are_valid_and_never_stricter_than_the_targets() -> None:
    from evaluation.scoring.gate import load_thresholds

    limits = load_thresholds(PROJECT_ROOT / "evaluation" / "thresholds.json")
    targets = {
        "hit@1": 0.85, "hit@5": 0.97, "mrr@10": 0.90, "must_contain": 0.85,
        "citation_precision": 0.90, "abstention_f1": 0.90,
    }  # fmt: skip
    for name, target in targets.items():
        assert 0 < limits[name]["min"] <= target, name
    assert limits["groundedness"] == {"min": 1.0}
    assert limits["errors"] == {"max": 0.0}
    assert limits["false_abstention_rate"]["max"] >= 0.05


def test_help_and_cheap_import(settings) -> None:
    result = run_rag(settings, "eval", "--help", timeout=120)
    assert result.returncode == 0
    for option in ("--url", "--baseline", "--thresholds", "--top-k", "--modes", "--split",
                   "--limit-queries", "--chunk-size"):  # fmt: skip
        assert option in result.stdout
    probe = (
        "import sys, service.cli.app; "
        "print(sorted(m for m in ('torch', 'faiss', 'sentence_transformers', 'matplotlib') "
        "if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    assert loaded.stdout.strip() == "[]"
