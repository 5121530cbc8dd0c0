"""The saved optimised graph: written once beside the export, and bit-for-bit the same vectors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from ingest.embed import OnnxEmbedder
from ingest.embed.export_store import MODEL_FILE
from ingest.embed.onnx_backend import OUTPUT_NAME
from ingest.embed.onnx_session import (
    GRAPH_FILE,
    WEIGHTS_FILE,
    open_session,
    optimised_dir,
    session_options,
)
from service.config import PROJECT_ROOT


def _outputs(session: ort.InferenceSession, embedder: OnnxEmbedder, texts: list[str]) -> list:
    encoder = embedder.encoder
    encodings = encoder.tokenizer.encode_batch(texts)
    batched = session.run([OUTPUT_NAME], encoder._feed(encodings))[0]
    alone = [session.run([OUTPUT_NAME], encoder._feed([e]))[0] for e in encodings]
    return [batched, *alone]


def test_the_first_session_saves_the_graph_and_later_ones_load_it(
    onnx_embedder: OnnxEmbedder,
) -> None:
    saved = optimised_dir(onnx_embedder.directory, ort.__version__)
    assert (saved / GRAPH_FILE).is_file()  # the fixture's warm-up wrote it
    weights = saved / WEIGHTS_FILE
    assert weights.stat().st_size > (saved / GRAPH_FILE).stat().st_size * 100  # raw weights
    assert not list(onnx_embedder.directory.glob(".*.partial"))
    before = weights.stat().st_mtime_ns
    open_session(onnx_embedder.directory)
    assert weights.stat().st_mtime_ns == before  # loaded, not written again


def test_racing_processes_save_it_once(onnx_embedder: OnnxEmbedder, tmp_path: Path) -> None:
    copy = tmp_path / "export"
    shutil.copytree(
        onnx_embedder.directory, copy, ignore=shutil.ignore_patterns("optimised-*", ".*")
    )
    code = (
        "import sys; from pathlib import Path; from ingest.embed.onnx_session import "
        "open_session; open_session(Path(sys.argv[1]))"
    )
    racers = [
        subprocess.Popen([sys.executable, "-c", code, str(copy)], cwd=PROJECT_ROOT)
        for _ in range(3)
    ]
    assert [r.wait(timeout=120) for r in racers] == [0, 0, 0]
    assert [p.name for p in copy.iterdir() if p.name.startswith("optimised-")] == [
        optimised_dir(copy, ort.__version__).name
    ]
    assert not list(copy.glob(".*.partial"))


def test_vectors_from_the_saved_graph_equal_optimising_at_load(
    onnx_embedder: OnnxEmbedder, real_texts: list[str]
) -> None:
    directory = onnx_embedder.directory
    levels = ort.GraphOptimizationLevel
    at_load = ort.InferenceSession(
        str(directory / MODEL_FILE),
        sess_options=session_options(0, levels.ORT_ENABLE_ALL),  # what every load used to do
        providers=["CPUExecutionProvider"],
    )
    saved = open_session(directory)
    texts = real_texts[:24]
    for got, want in zip(
        _outputs(saved, onnx_embedder, texts), _outputs(at_load, onnx_embedder, texts), strict=True
    ):
        assert np.array_equal(got, want)


def test_a_folder_that_cannot_be_written_still_loads(
    onnx_embedder: OnnxEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "export"
    shutil.copytree(
        onnx_embedder.directory, copy, ignore=shutil.ignore_patterns("optimised-*", ".*")
    )
    copy.chmod(0o555)
    try:
        monkeypatch.setattr(Path, "open", _refuse_writes(Path.open))  # root ignores chmod
        session = open_session(copy)
    finally:
        copy.chmod(0o755)
    assert session.get_outputs()[0].name == OUTPUT_NAME
    assert not list(copy.glob("optimised-*")) and not list(copy.glob(".*"))


def _refuse_writes(real_open):
    def refusing(path: Path, mode: str = "r", *args, **kwargs):
        if "w" in mode:
            raise PermissionError(f"read-only: {path}")
        return real_open(path, mode, *args, **kwargs)

    return refusing
