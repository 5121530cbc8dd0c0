"""Exporting a local sentence-transformers model to ONNX, once, from its own weights.

The whole SentenceTransformer forward (transformer, pooling, any Dense, Normalize) becomes one
graph through a small wrapper module, so any local model directory works without knowing its
architecture. The exporter is torch.onnx's TorchScript path (`dynamo=False`): it ships with
torch and needs no onnxscript, took 2.3 s against 7.1 s for the dynamo exporter on the bundled
MiniLM, and both gave vectors equal to torch's. Tracing bakes in Python branches, so every
export is checked against the torch model on probe texts (batched with padding, and one at a
time) and refused unless the cosines reach MIN_COSINE. int8 is quantised from the fp32 export
with onnxruntime's dynamic quantisation and needs no torch.
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.embed.export_store import (
    FORMAT_VERSION,
    MODEL_FILE,
    TOKENIZER_FILE,
    ExportMetadata,
    OnnxExportError,
    export_dir,
    publish_once,
)
from ingest.embed.model_dir import check_model_dir, model_fingerprint
from ingest.embed.onnx_backend import OUTPUT_NAME, OnnxSentenceEncoder
from ingest.embed.protocol import Precision
from ingest.log import Log

if TYPE_CHECKING:  # numpy loads with the first embedding, not with `rag --help`
    import numpy as np

OPSET = 17
MIN_COSINE = 0.99999  # fp32 export against torch, per probe text
MIN_INT8_COSINE = 0.95  # sanity floor only: int8 is judged by retrieval figures, not here
# Unlike each other on purpose: short and long, punctuation, digits, accents, CJK, an empty
# string, and one far past any max_seq_length so that truncation is exercised.
PROBE_TEXTS = (
    "What is the boiling point of water at sea level?",
    "A",
    "",
    "The committee postponed its decision until the survey results, due in March 2027, arrive.",
    "Café, naïve, façade, Øresund and Straße are spelled with their accents.",
    "東京は日本の首都です。",
    "Short question?",
    " ".join(["Long inputs are truncated to the model's maximum sequence length."] * 60),
)


KNOWN_INPUTS = ("input_ids", "attention_mask", "token_type_ids")  # what OnnxSentenceEncoder feeds


def _wrapper(model: Any, input_names: tuple[str, ...]) -> Any:
    """The full SentenceTransformer forward as a module with positional tensor inputs."""
    import torch

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            features = dict(zip(input_names, tensors, strict=True))
            return self.model(features)["sentence_embedding"]

    return SentenceEmbedding().eval()


def _features(model: Any, texts: list[str]) -> dict[str, Any]:
    preprocess = getattr(model, "preprocess", None) or model.tokenize  # ST >= 6 / older
    return preprocess(texts)


def _pooling(model: Any) -> str:
    for module in model:
        if type(module).__name__ == "Pooling":
            mode = getattr(module, "pooling_mode", None)
            if mode is None and hasattr(module, "get_pooling_mode_str"):
                mode = module.get_pooling_mode_str()
            return str(mode)
    return "none"


def _save_tokenizer(tokenizer: Any, path: Path) -> None:
    """The model's own fast tokenizer, with no truncation or padding left set on it."""
    from tokenizers import Tokenizer

    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise OnnxExportError(
            "the model has no fast tokenizer (tokenizer.json) to export; "
            "use RAG_EMBED_BACKEND=torch"
        )
    copy = Tokenizer.from_str(backend.to_str())
    copy.no_truncation()
    copy.no_padding()
    copy.save(str(path))


def min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Smallest row-wise cosine of two sets of unit vectors."""
    import numpy as np

    return float(np.min(np.sum(a * b, axis=1)))


def _probe_cosine(encoder: OnnxSentenceEncoder, reference: np.ndarray) -> float:
    import numpy as np

    texts = list(PROBE_TEXTS)
    batched = encoder.encode(texts, batch_size=len(texts))
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    return min(min_cosine(batched, reference), min_cosine(alone, reference))


def _export_fp32(model_dir: Path, fingerprint: str, out: Path) -> None:
    import numpy as np
    import torch

    from ingest.embed.torch_backend import load_sentence_transformer, sentence_dimension

    model = load_sentence_transformer(model_dir, "cpu")  # the weights are the same on any device
    tokenizer = getattr(model, "tokenizer", None)
    _save_tokenizer(tokenizer, out / TOKENIZER_FILE)  # first: a model without one fails fast
    # Two texts of different lengths, so the traced graph keeps its padding-mask path.
    features = _features(model, ["a sample sentence to trace", "a longer sample sentence, to pad"])
    names = tuple(k for k, v in features.items() if isinstance(v, torch.Tensor))
    if "input_ids" not in names or not set(names) <= set(KNOWN_INPUTS):
        raise OnnxExportError(f"cannot export a model whose inputs are {names}; use torch")
    axes = {n: {0: "batch", 1: "sequence"} for n in names} | {OUTPUT_NAME: {0: "batch"}}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer and deprecation notices; the probe check decides
        torch.onnx.export(
            _wrapper(model, names),
            tuple(features[n] for n in names),
            str(out / MODEL_FILE),
            input_names=list(names),
            output_names=[OUTPUT_NAME],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
    meta = ExportMetadata(
        format_version=FORMAT_VERSION,
        source_fingerprint=fingerprint,
        precision=Precision.FP32.value,
        dimension=sentence_dimension(model),
        max_seq_length=int(model.max_seq_length),
        input_names=names,
        modules=tuple(type(m).__name__ for m in model),
        pooling=_pooling(model),
        normalized=any(type(m).__name__ == "Normalize" for m in model),
        pad_token_id=int(tokenizer.pad_token_id or 0),
        pad_token_type_id=int(getattr(tokenizer, "pad_token_type_id", 0) or 0),
        padding_side=str(tokenizer.padding_side),
        truncation_side=str(getattr(tokenizer, "truncation_side", "right")),
        exporter=f"torch.onnx.export (TorchScript, opset {OPSET}), torch {torch.__version__}",
        verified_min_cosine=float("nan"),
    )
    meta.write(out)
    reference = model.encode(list(PROBE_TEXTS), normalize_embeddings=True, convert_to_numpy=True)
    cosine = _probe_cosine(OnnxSentenceEncoder(out), np.asarray(reference, dtype=np.float32))
    if not cosine >= MIN_COSINE:
        raise OnnxExportError(
            f"the ONNX export of {model_dir} differs from torch (minimum cosine {cosine:.6f} "
            f"< {MIN_COSINE}); use RAG_EMBED_BACKEND=torch for this model"
        )
    replace(meta, verified_min_cosine=round(cosine, 7)).write(out)


def _quantise_int8(fp32_dir: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel weight scales: per-tensor ones gave a minimum cosine of 0.90 to fp32 on the
    # probe texts and 0.92 on the public suite's questions; per-channel 0.97 and 0.99.
    quantize_dynamic(
        fp32_dir / MODEL_FILE, out / MODEL_FILE, weight_type=QuantType.QInt8, per_channel=True
    )
    shutil.copyfile(fp32_dir / TOKENIZER_FILE, out / TOKENIZER_FILE)
    meta = ExportMetadata.read(fp32_dir)
    int8 = replace(
        meta,
        precision=Precision.INT8.value,
        exporter=f"{meta.exporter}; onnxruntime quantize_dynamic (QInt8, per channel)",
    )
    int8.write(out)
    reference = OnnxSentenceEncoder(fp32_dir).encode(list(PROBE_TEXTS))
    cosine = _probe_cosine(OnnxSentenceEncoder(out), reference)
    if not cosine >= MIN_INT8_COSINE:
        raise OnnxExportError(f"int8 quantisation broke the model (minimum cosine {cosine:.4f})")
    replace(int8, verified_min_cosine=round(cosine, 7)).write(out)


def ensure_export(
    model_dir: Path,
    root: Path,
    precision: Precision = Precision.FP32,
    *,
    name: str | None = None,
    log: Log = lambda _message: None,
) -> Path:
    """The export's folder under `root`, made first if missing (fp32 needs torch, once)."""
    check_model_dir(model_dir)
    name = name or model_dir.name
    fingerprint = model_fingerprint(model_dir)
    fp32 = export_dir(root, fingerprint, Precision.FP32)

    def export(out: Path) -> None:
        log(f"exporting {name} to ONNX from its local weights (once) into {fp32}")
        _export_fp32(model_dir, fingerprint, out)

    publish_once(fp32, export)
    if precision is Precision.FP32:
        return fp32

    def quantise(out: Path) -> None:
        log(f"quantising the ONNX export of {name} to {precision.value} (once)")
        _quantise_int8(fp32, out)

    return publish_once(export_dir(root, fingerprint, precision), quantise)
