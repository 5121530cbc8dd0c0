"""The export of the real model: its files, its description, and a check that refuses bad ones."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ingest.embed import OnnxExportError, Precision, model_fingerprint
from ingest.embed.export_store import FORMAT_VERSION, ExportMetadata, export_dir
from ingest.embed.onnx_export import MIN_COSINE, ensure_export
from ingest.embed.onnx_session import OPTIMISED_PREFIX


def test_the_export_is_keyed_by_fingerprint_and_described(model_dir: Path, export_root: Path):
    fingerprint = model_fingerprint(model_dir)
    folder = ensure_export(model_dir, export_root)
    assert folder == export_dir(export_root, fingerprint, Precision.FP32)
    assert folder.name == f"{fingerprint}-fp32"
    # The verifying session keeps its optimised graph in a folder beside these, per runtime.
    exported = {p.name for p in folder.iterdir() if OPTIMISED_PREFIX not in p.name}  # + its lock
    assert exported == {"model.onnx", "tokenizer.json", "export.json"}
    meta = ExportMetadata.read(folder)
    assert meta.source_fingerprint == fingerprint and meta.format_version == FORMAT_VERSION
    assert (meta.dimension, meta.max_seq_length, meta.pooling) == (384, 256, "mean")
    assert meta.modules == ("Transformer", "Pooling", "Normalize") and meta.normalized
    assert set(meta.input_names) == {"input_ids", "attention_mask", "token_type_ids"}
    assert meta.verified_min_cosine >= MIN_COSINE
    assert not [p for p in export_root.iterdir() if p.name.endswith(".partial")]


def test_an_existing_export_is_not_redone(model_dir: Path, export_root: Path) -> None:
    folder = ensure_export(model_dir, export_root)
    stamp = (folder / "model.onnx").stat().st_mtime_ns
    said: list[str] = []
    assert ensure_export(model_dir, export_root, log=said.append) == folder
    assert said == [] and (folder / "model.onnx").stat().st_mtime_ns == stamp


def test_int8_is_quantised_beside_fp32(model_dir: Path, export_root: Path) -> None:
    folder = ensure_export(model_dir, export_root, Precision.INT8)
    meta = ExportMetadata.read(folder)
    assert folder.name.endswith("-int8") and meta.precision == "int8"
    assert "quantize_dynamic" in meta.exporter and 0.95 <= meta.verified_min_cosine < 1.0
    fp32 = export_dir(export_root, meta.source_fingerprint, Precision.FP32)
    assert (folder / "model.onnx").stat().st_size < (fp32 / "model.onnx").stat().st_size / 2


def test_an_export_of_another_format_is_refused(
    tmp_path: Path, model_dir: Path, export_root: Path
) -> None:
    meta = ExportMetadata.read(ensure_export(model_dir, export_root))
    dataclasses.replace(meta, format_version=FORMAT_VERSION + 1).write(tmp_path)
    with pytest.raises(OnnxExportError, match=f"export format {FORMAT_VERSION + 1}.*delete"):
        ExportMetadata.read(tmp_path)


def test_an_export_that_differs_from_torch_is_not_published(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ingest.embed.onnx_export.MIN_COSINE", 1.01)  # no export can pass
    refused = r"differs from torch \(minimum cosine [01]\.\d+ < 1\.01\)"
    with pytest.raises(OnnxExportError, match=refused):
        ensure_export(model_dir, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [f".{model_fingerprint(model_dir)}-fp32.lock"]


@pytest.fixture(scope="module")
def other_model(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Path:
    """Another local sentence-transformers directory: a small random BERT with CLS pooling, a
    Dense layer with tanh and a 40-token limit, so nothing about MiniLM is assumed."""
    import shutil

    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules
    from transformers import BertConfig, BertModel

    base = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(0)
    config = BertConfig(
        hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    BertModel(config).save_pretrained(base)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy(model_dir / name, base / name)
    model = SentenceTransformer(
        modules=[
            modules.Transformer(str(base), max_seq_length=40),
            modules.Pooling(32, pooling_mode="cls"),
            modules.Dense(32, 16, activation_function=torch.nn.Tanh()),
            modules.Normalize(),
        ],
        device="cpu",
    )
    out = tmp_path_factory.mktemp("tiny-st")
    model.save(str(out))
    return out


def test_any_local_model_directory_exports(
    other_model: Path, tmp_path: Path, real_texts: list[str]
) -> None:
    from ingest.embed import OnnxEmbedder, TorchEmbedder

    folder = ensure_export(other_model, tmp_path)
    meta = ExportMetadata.read(folder)
    assert (meta.dimension, meta.max_seq_length, meta.pooling) == (16, 40, "cls")
    assert meta.modules == ("Transformer", "Pooling", "Dense", "Normalize")
    torch_side = TorchEmbedder(other_model)
    onnx_side = OnnxEmbedder(other_model, export_root=tmp_path)
    expected, got = torch_side.embed(real_texts), onnx_side.embed(real_texts)
    assert got.shape == (len(real_texts), 16)
    assert (expected * got).sum(axis=1).min() >= MIN_COSINE
    lengths = {len(e.ids) for e in onnx_side.encoder.tokenizer.encode_batch(real_texts)}
    assert max(lengths) == 40  # its own limit, not MiniLM's 256
