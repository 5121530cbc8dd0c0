"""Where ONNX exports are stored, what describes them, and how one is published exactly once.

An export is a build output keyed by the source model's fingerprint and the precision:
`<root>/<fingerprint>-<precision>/` holding model.onnx, tokenizer.json and export.json. It is
written in a temporary folder and renamed into place under a lock, so a reader sees a whole
export or none, and two processes that race make it once.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ingest.embed.protocol import Precision

FORMAT_VERSION = 1
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
METADATA_FILE = "export.json"
PARTIAL_SUFFIX = ".partial"


class OnnxExportError(OSError):
    """An ONNX export is missing, unreadable, or could not be made.

    An OSError (a build output that is not there or not usable), so command-line and HTTP edges
    that report file problems as one clear line report this one too.
    """


@dataclass(frozen=True)
class ExportMetadata:
    """How to feed the exported graph and read its output, as the source model does."""

    format_version: int
    source_fingerprint: str  # model_fingerprint() of the directory it was exported from
    precision: str
    dimension: int
    max_seq_length: int  # truncation length, special tokens included
    input_names: tuple[str, ...]  # graph inputs, in order (input_ids, attention_mask, ...)
    modules: tuple[str, ...]  # the sentence-transformers modules inside the graph
    pooling: str
    normalized: bool  # the graph ends in Normalize (vectors are normalised again regardless)
    pad_token_id: int
    pad_token_type_id: int
    padding_side: str
    truncation_side: str
    exporter: str
    verified_min_cosine: float  # against the torch model on probe texts, at export time

    @classmethod
    def read(cls, directory: Path) -> ExportMetadata:
        path = directory / METADATA_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw["input_names"] = tuple(raw["input_names"])
            raw["modules"] = tuple(raw["modules"])
            meta = cls(**{f.name: raw[f.name] for f in fields(cls)})
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as error:
            raise OnnxExportError(f"{path} is not a readable export ({error})") from error
        if meta.format_version != FORMAT_VERSION:
            raise OnnxExportError(
                f"{path} has export format {meta.format_version}, this version reads "
                f"{FORMAT_VERSION}; delete {directory} to have it exported again"
            )
        return meta

    def write(self, directory: Path) -> None:
        text = json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"
        (directory / METADATA_FILE).write_text(text, encoding="utf-8")


def export_dir(root: Path, fingerprint: str, precision: Precision) -> Path:
    """The folder an export of this model at this precision lives in."""
    return root / f"{fingerprint}-{precision.value}"


def is_complete(directory: Path) -> bool:
    """All three files are there (a published export is always whole; see `publish_once`)."""
    return all((directory / name).is_file() for name in (MODEL_FILE, TOKENIZER_FILE, METADATA_FILE))


def publish_once(target: Path, make: Callable[[Path], None]) -> Path:
    """Have `target` exist, calling `make(folder)` to fill a temporary folder only if it does not.

    The lock is an fcntl lock on a file beside the target: the OS releases it if the holder
    dies, and a process that waited finds the export the other one published.
    """
    if is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not is_complete(target):
                _make_and_rename(target, make)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def _make_and_rename(target: Path, make: Callable[[Path], None]) -> None:
    """Fill a fresh temporary folder beside `target`, then rename it into place (lock held)."""
    for stale in target.parent.glob(f".{target.name}.*{PARTIAL_SUFFIX}"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a killed exporter
    folder = tempfile.mkdtemp(prefix=f".{target.name}.", suffix=PARTIAL_SUFFIX, dir=target.parent)
    partial = Path(folder)
    partial.chmod(0o755)  # mkdtemp's 0700 would hide the export from other users
    try:
        make(partial)
        if target.exists():  # an incomplete folder someone left by hand
            shutil.rmtree(target)
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
