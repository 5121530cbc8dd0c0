"""Figures in the docs are rewritten between their markers by the commands that measure them,
and nothing else in the file moves."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluation.compare import campaign
from evaluation.runs import docs_figures
from evaluation.runs.docs_figures import header, module_command, write_figures

DOC = """# Performance

Prose before, which no command touches.

<!-- figures:latency -->
old figures
<!-- /figures:latency -->

Prose between.

<!-- figures:scale -->

| passages | p50 |
|---:|---:|
| 10 | 1.0 |

<!-- /figures:scale -->

Prose after.
"""
TABLE = "| measurement | p50 ms |\n|---|---:|\n| query embedding | 3.33 |"


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "performance.md"
    path.write_text(DOC, encoding="utf-8")
    return path


def _outside(text: str, name: str) -> tuple[str, str]:
    """The text before the block's opening marker and after its closing one."""
    before, rest = text.split(f"<!-- figures:{name} -->")
    return before, rest.split(f"<!-- /figures:{name} -->")[1]


def test_the_block_is_replaced_and_the_markers_and_the_rest_stay(doc: Path) -> None:
    assert write_figures(doc, "latency", TABLE) is True
    text = doc.read_text(encoding="utf-8")
    assert "old figures" not in text
    assert f"<!-- figures:latency -->\n\n{TABLE}\n\n<!-- /figures:latency -->" in text
    assert _outside(text, "latency") == _outside(DOC, "latency")
    assert [p.name for p in doc.parent.iterdir()] == [doc.name]  # no temporary file left over


@pytest.mark.parametrize(
    "text",
    [
        "# No markers at all\n",
        "<!-- figures:latency -->\nonly the opening marker\n",
        "only the closing marker\n<!-- /figures:latency -->\n",
        "<!-- /figures:latency -->\nclosing first\n<!-- figures:latency -->\n",
        "<!-- figures:latency -->\na\n<!-- /figures:latency -->\n"
        "<!-- figures:latency -->\nb\n<!-- /figures:latency -->\n",  # twice: which one?
        "<!-- figures:latency-old -->\nx\n<!-- /figures:latency-old -->\n",  # another name
    ],
)
def test_without_one_pair_of_markers_nothing_changes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    assert write_figures(path, "latency", TABLE) is False
    assert path.read_text(encoding="utf-8") == text


def test_a_missing_doc_is_not_created(tmp_path: Path) -> None:
    assert write_figures(tmp_path / "absent.md", "latency", TABLE) is False
    assert not (tmp_path / "absent.md").exists()


def test_two_blocks_in_one_file_are_written_one_at_a_time(doc: Path) -> None:
    assert write_figures(doc, "scale", "| passages | p50 |\n|---:|---:|\n| 1,000 | 2.5 |")
    text = doc.read_text(encoding="utf-8")
    assert "old figures" in text  # the other block is untouched
    assert "| 1,000 | 2.5 |" in text and "| 10 | 1.0 |" not in text
    assert write_figures(doc, "latency", TABLE)
    text = doc.read_text(encoding="utf-8")
    assert "| 1,000 | 2.5 |" in text and TABLE in text and "old figures" not in text
    assert text.startswith("# Performance\n\nProse before") and text.endswith("Prose after.\n")


def test_writing_the_same_figures_again_changes_nothing(doc: Path) -> None:
    assert write_figures(doc, "latency", TABLE)
    once = doc.read_bytes()
    inode = doc.stat().st_ino
    assert write_figures(doc, "latency", f"\n{TABLE}\n\n")  # surrounding blank lines ignored
    assert doc.read_bytes() == once
    assert doc.stat().st_ino == inode  # not even rewritten
    assert write_figures(doc, "latency", "other") and write_figures(doc, "latency", TABLE)
    assert doc.read_bytes() == once


def test_the_file_keeps_its_permissions(doc: Path) -> None:
    doc.chmod(0o640)
    assert write_figures(doc, "latency", TABLE)
    assert doc.stat().st_mode & 0o777 == 0o640


def test_the_header_names_the_command_the_day_and_the_commit() -> None:
    when = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
    commit = "dd88775" + "0" * 33
    assert header("make bench", when, commit) == (
        "Written by `make bench` on 2026-12-08 at commit `dd8877500000`."
    )
    assert header("make bench", when, f"{commit}-dirty").endswith(
        "at commit `dd8877500000` with uncommitted changes."
    )
    assert module_command("evaluation.bench.latency", ["--scifact", "a dir"]) == (
        "python -m evaluation.bench.latency --scifact 'a dir'"
    )


def _campaign_data() -> dict:
    figures = dict.fromkeys(campaign.COLUMNS, 0.5) | {"cases": 12}
    return {
        "rows": {"readers · service": dict.fromkeys(campaign.COLUMNS, 0.5)},
        "pooled": {"service": figures, "plain hybrid": figures | {"hit@1": 0.25}},
        "service_by_style": {"plain": figures},
        "gate": [{"metric": "hit@1", "passed": True}, {"metric": "mrr@10", "passed": False}],
    }


def test_a_held_out_run_writes_its_table_and_the_readme_headline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    docs, readme = tmp_path / "docs", tmp_path / "README.md"
    docs.mkdir()
    (docs / "evaluation.md").write_text(
        "<!-- figures:heldout -->\n<!-- /figures:heldout -->\n"
        "<!-- figures:fit -->\nfit figures\n<!-- /figures:fit -->\n",
        encoding="utf-8",
    )
    readme.write_text("# Front\n<!-- figures:headline -->\n<!-- /figures:headline -->\n")
    monkeypatch.setattr(docs_figures, "DOCS", docs)
    monkeypatch.setattr(docs_figures, "README", readme)
    campaign.write_docs(_campaign_data(), "heldout", "rag eval heldout --baselines")

    evaluation = (docs / "evaluation.md").read_text(encoding="utf-8")
    assert "Written by `rag eval heldout --baselines` on " in evaluation
    assert "| POOLED · plain hybrid | 0.250 |" in evaluation
    assert "Thresholds on the pooled service row: 1 passed, 1 failed." in evaluation
    assert "fit figures" in evaluation
    headline = readme.read_text(encoding="utf-8")
    assert headline.startswith("# Front\n<!-- figures:headline -->\n\nWritten by `rag eval")
    assert "| service | 12 | 0.500 |" in headline and "| plain hybrid | 12 | 0.250 |" in headline
    assert "POOLED" not in headline and "readers" not in headline  # pooled rows only
    assert "figures `headline` in" in capsys.readouterr().err


def test_a_fit_run_leaves_the_readme_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs, readme = tmp_path / "docs", tmp_path / "README.md"
    docs.mkdir()
    (docs / "evaluation.md").write_text("<!-- figures:fit -->\n<!-- /figures:fit -->\n")
    front = "<!-- figures:headline -->\nheadline\n<!-- /figures:headline -->\n"
    readme.write_text(front, encoding="utf-8")
    monkeypatch.setattr(docs_figures, "DOCS", docs)
    monkeypatch.setattr(docs_figures, "README", readme)
    campaign.write_docs(_campaign_data() | {"gate": []}, "fit", "rag eval fit")
    assert "| POOLED · service |" in (docs / "evaluation.md").read_text(encoding="utf-8")
    assert "Thresholds" not in (docs / "evaluation.md").read_text(encoding="utf-8")
    assert readme.read_text(encoding="utf-8") == front
