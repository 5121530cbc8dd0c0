"""Which backend the factory picks, for every case of RAG_EMBED_BACKEND (nothing is loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.embed import (
    Backend,
    EmbedderConfig,
    OnnxEmbedder,
    OnnxExportError,
    Precision,
    Purpose,
    TorchEmbedder,
    create_embedder,
    default_model_dir,
    model_fingerprint,
)
from ingest.embed.export_store import METADATA_FILE, MODEL_FILE, TOKENIZER_FILE


def config(root: Path, **changes: object) -> EmbedderConfig:
    return EmbedderConfig(
        model_dir=default_model_dir(), name="all-MiniLM-L6-v2", export_root=root, **changes
    )


def pretend_exported(root: Path, precision: str = "fp32") -> None:
    folder = root / f"{model_fingerprint(default_model_dir())}-{precision}"
    folder.mkdir(parents=True)
    for name in (MODEL_FILE, TOKENIZER_FILE, METADATA_FILE):
        (folder / name).write_text("")


class Lines(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


def pick(cfg: EmbedderConfig, *, torch: bool = True) -> tuple[object, Lines]:
    log = Lines()
    return create_embedder(cfg, log=log, torch_available=torch), log


def test_auto_uses_an_existing_export_without_torch(tmp_path: Path) -> None:
    pretend_exported(tmp_path)
    for purpose in Purpose:
        embedder, log = pick(config(tmp_path, purpose=purpose), torch=False)
        assert isinstance(embedder, OnnxEmbedder) and embedder._make_export is None
        assert log == []


def test_auto_build_makes_the_export_on_warm_up(tmp_path: Path) -> None:
    embedder, log = pick(config(tmp_path, purpose=Purpose.BUILD))
    assert isinstance(embedder, OnnxEmbedder) and embedder._make_export is not None
    assert log == [] and not embedder.exported  # construction exported nothing


def test_auto_query_falls_back_to_torch_with_one_line(tmp_path: Path) -> None:
    embedder, log = pick(config(tmp_path, purpose=Purpose.QUERY))
    assert isinstance(embedder, TorchEmbedder) and embedder._model is None
    assert len(log) == 1 and "no ONNX export" in log[0] and "torch" in log[0]


def test_onnx_exports_when_needed_or_says_why_not(tmp_path: Path) -> None:
    embedder, _ = pick(config(tmp_path, backend="onnx", purpose=Purpose.QUERY))
    assert isinstance(embedder, OnnxEmbedder) and embedder._make_export is not None
    with pytest.raises(OnnxExportError, match=r"no ONNX export .* torch, which is needed once"):
        pick(config(tmp_path, backend="onnx"), torch=False)
    with pytest.raises(OnnxExportError, match="not installed"):
        pick(config(tmp_path, purpose=Purpose.QUERY), torch=False)


def test_torch_is_torch_even_with_an_export(tmp_path: Path) -> None:
    pretend_exported(tmp_path)
    embedder, log = pick(config(tmp_path, backend=Backend.TORCH))
    assert isinstance(embedder, TorchEmbedder) and log == []


def test_int8_is_quantised_from_fp32_without_torch(tmp_path: Path) -> None:
    with pytest.raises(OnnxExportError):
        pick(config(tmp_path, precision="int8", purpose=Purpose.QUERY), torch=False)
    pretend_exported(tmp_path, "fp32")
    embedder, _ = pick(config(tmp_path, precision="int8", purpose=Purpose.QUERY), torch=False)
    assert isinstance(embedder, OnnxEmbedder) and embedder._make_export is not None
    assert embedder.fingerprint.endswith("-int8") and embedder.precision is Precision.INT8


def test_int8_on_torch_is_refused() -> None:
    with pytest.raises(ValueError, match="int8 needs the ONNX backend"):
        config(Path("/unused"), backend="torch", precision="int8")


def test_a_missing_export_without_a_maker_names_the_fix(tmp_path: Path) -> None:
    embedder = OnnxEmbedder(default_model_dir(), export_root=tmp_path, name="mini")
    with pytest.raises(OnnxExportError, match=r"no ONNX export of mini at .*`rag index`"):
        embedder.warm_up()
