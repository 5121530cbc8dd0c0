"""Publishing an export: whole or not at all, made once even when processes race."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.embed.export_store import (
    METADATA_FILE,
    MODEL_FILE,
    TOKENIZER_FILE,
    ExportMetadata,
    OnnxExportError,
    is_complete,
    publish_once,
)
from service.config import PROJECT_ROOT


def fake_export(folder: Path) -> None:
    for name in (MODEL_FILE, TOKENIZER_FILE, METADATA_FILE):
        (folder / name).write_text(name)


def test_made_once_then_reused(tmp_path: Path) -> None:
    target = tmp_path / "onnx" / "abc-fp32"
    made: list[Path] = []

    def make(folder: Path) -> None:
        made.append(folder)
        fake_export(folder)

    assert publish_once(target, make) == target and is_complete(target)
    publish_once(target, make)
    assert len(made) == 1 and made[0] != target  # filled elsewhere, then renamed into place
    assert sorted(p.name for p in target.parent.iterdir()) == [".abc-fp32.lock", "abc-fp32"]


def test_a_failed_export_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "abc-fp32"

    def broken(folder: Path) -> None:
        (folder / MODEL_FILE).write_text("half")
        raise OnnxExportError("the exporter gave up")

    with pytest.raises(OnnxExportError, match="gave up"):
        publish_once(target, broken)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == [".abc-fp32.lock"]


def test_an_incomplete_folder_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "abc-fp32"
    target.mkdir()
    (target / MODEL_FILE).write_text("left by hand")
    publish_once(target, fake_export)
    assert (target / MODEL_FILE).read_text() == MODEL_FILE and is_complete(target)


RACER = """
import sys, time
from pathlib import Path
from ingest.embed.export_store import publish_once

def make(folder):
    with open(sys.argv[2], "a") as log:
        log.write("made\\n")
    time.sleep(1.0)  # long enough for the other process to arrive and wait on the lock
    for name in ("model.onnx", "tokenizer.json", "export.json"):
        (folder / name).write_text(name)

publish_once(Path(sys.argv[1]), make)
print((Path(sys.argv[1]) / "model.onnx").read_text())
"""


def test_two_racing_processes_export_once(tmp_path: Path) -> None:
    target, log = tmp_path / "abc-fp32", tmp_path / "made.log"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(target), str(log)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=60)[0].strip() for r in racers]
    assert [r.returncode for r in racers] == [0, 0]
    assert outputs == ["model.onnx", "model.onnx"]
    assert log.read_text() == "made\n"


def test_unreadable_or_old_metadata_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / METADATA_FILE).write_text("{not json")
    with pytest.raises(OnnxExportError, match=r"export\.json is not a readable export"):
        ExportMetadata.read(tmp_path)
    (tmp_path / METADATA_FILE).write_text(json.dumps({"format_version": 0}))
    with pytest.raises(OnnxExportError, match="not a readable export"):
        ExportMetadata.read(tmp_path)
