"""The ONNX backend against torch on the real model: same tokens, same vectors, no torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ingest.embed import OnnxEmbedder, Precision, TorchEmbedder, model_fingerprint
from service.config import PROJECT_ROOT

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist

MIN_COSINE = 0.99999


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_fp32_vectors_equal_torchs(
    torch_embedder: TorchEmbedder, onnx_embedder: OnnxEmbedder, real_texts: list[str]
) -> None:
    expected = torch_embedder.embed(real_texts)
    bulk = onnx_embedder.embed(real_texts)
    queries = np.stack([onnx_embedder.embed_query(t) for t in real_texts])
    assert bulk.dtype == np.float32 and bulk.shape == (len(real_texts), 384)
    assert cosines(bulk, expected).min() >= MIN_COSINE
    assert cosines(queries, expected).min() >= MIN_COSINE
    assert np.allclose(np.linalg.norm(bulk, axis=1), 1.0, atol=1e-5)


def test_tokens_match_sentence_transformers(
    torch_embedder: TorchEmbedder, onnx_embedder: OnnxEmbedder, real_texts: list[str]
) -> None:
    model = torch_embedder.model
    reference = model.preprocess(real_texts)
    expected = [
        ids[mask.bool()].tolist()
        for ids, mask in zip(reference["input_ids"], reference["attention_mask"], strict=True)
    ]
    got = [e.ids for e in onnx_embedder.encoder.tokenizer.encode_batch(real_texts)]
    assert got == expected
    longest = max(len(ids) for ids in got)
    assert longest == model.max_seq_length == 256  # the long inputs really were truncated


def test_rows_keep_the_callers_order(onnx_embedder: OnnxEmbedder, real_texts: list[str]) -> None:
    forward = onnx_embedder.embed(real_texts)
    backward = onnx_embedder.embed(real_texts[::-1])[::-1]
    assert cosines(forward, backward).min() >= MIN_COSINE
    assert onnx_embedder.embed([]).shape == (0, 384)


def test_same_fingerprint_as_torch_and_the_manifest_record(
    torch_embedder: TorchEmbedder, onnx_embedder: OnnxEmbedder, model_dir: Path
) -> None:
    assert onnx_embedder.fingerprint == torch_embedder.fingerprint == model_fingerprint(model_dir)
    onnx, torch = onnx_embedder.info(), torch_embedder.info()
    assert (onnx.backend, onnx.precision) == ("onnx", "fp32")
    assert (torch.backend, torch.precision) == ("torch", "fp32")
    assert (onnx.dimension, onnx.max_seq_length) == (torch.dimension, torch.max_seq_length)


def test_int8_is_another_vector_space(
    model_dir: Path, export_root: Path, onnx_embedder: OnnxEmbedder, real_texts: list[str]
) -> None:
    from ingest.embed.onnx_export import ensure_export

    int8 = OnnxEmbedder(
        model_dir,
        export_root=export_root,
        precision=Precision.INT8,
        make_export=lambda: ensure_export(model_dir, export_root, Precision.INT8),
    )
    assert int8.fingerprint == f"{onnx_embedder.fingerprint}-int8"
    vectors = int8.embed(real_texts)
    assert int8.info().precision == "int8"
    similarity = cosines(vectors, onnx_embedder.embed(real_texts))
    assert 0.9 < similarity.min() < MIN_COSINE  # close, but not the same vectors


QUERY_ONLY = """
import json, sys
from pathlib import Path
from ingest.embed import OnnxEmbedder, default_model_dir
embedder = OnnxEmbedder(default_model_dir(), export_root=Path(sys.argv[1]))
vector = embedder.embed_query("How long should I give him space?")
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"torch", "transformers",
               "sentence_transformers"})
print(json.dumps({"heavy": heavy, "dimension": len(vector)}))
"""


def test_query_path_imports_no_torch(export_root: Path) -> None:
    """In a fresh process: import ingest.embed, embed a query on ONNX, look at sys.modules."""
    done = subprocess.run(
        [sys.executable, "-c", QUERY_ONLY, str(export_root)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == {"heavy": [], "dimension": 384}


def test_an_index_built_by_either_backend_is_served_by_the_other(
    tmp_path: Path,
    corpus: list,
    torch_embedder: TorchEmbedder,
    onnx_embedder: OnnxEmbedder,
    model_dir: Path,
    export_root: Path,
) -> None:
    from dataclasses import asdict

    from index.build import build_index
    from index.load import load_index
    from index.storage.manifest import incompatibilities
    from ingest.chunk import ChunkingConfig

    chunking = ChunkingConfig()
    int8 = OnnxEmbedder(model_dir, export_root=export_root, precision=Precision.INT8)
    for builder, server in ((torch_embedder, onnx_embedder), (onnx_embedder, torch_embedder)):
        root = tmp_path / builder.info().backend
        build_index(corpus, builder, chunking, root, with_sentences=False)
        manifest = load_index(root).manifest
        assert manifest.model["backend"] == builder.info().backend
        assert manifest.model["precision"] == "fp32"
        served = {"name": server.name, "fingerprint": server.fingerprint}
        assert incompatibilities(manifest, model=served, chunking=asdict(chunking)) == []
        other_space = {"name": int8.name, "fingerprint": int8.fingerprint}
        problems = incompatibilities(manifest, model=other_space, chunking=asdict(chunking))
        assert len(problems) == 1 and f"fingerprint {int8.fingerprint}" in problems[0]
