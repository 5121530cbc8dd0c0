"""Opening an ONNX Runtime session on an export: its options, and the optimised graph it keeps.

Optimising the exported graph (fusing GELU and layer normalisation) and parsing 90 MB of
weights embedded in one protobuf are most of a session's start-up: 0.24 s of MiniLM's 0.3 s.
The optimised graph is the same every time, so the first session saves it beside the export,
in a folder named by onnxruntime's version (another version may fuse differently): the graph
in a small file and the weights as raw external data, which ORT reads without parsing. Every
later session loads that folder in about 0.09 s. It is saved at the EXTENDED level, since ALL
may add layout changes specific to the CPU it ran on, which a saved graph must not carry; it
is loaded at ALL, as the export always was, which finds nothing left to fuse, so the graph that
runs and its vectors are bit-for-bit what optimising the export at load gives
(tests/ingest/test_onnx_session.py). The folder is written in a temporary folder and renamed
into place under a lock, so racing workers make it once and no reader sees half of it; an
export folder that cannot be written (a read-only install) is optimised at every load.
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.embed.export_store import MODEL_FILE, PARTIAL_SUFFIX

if TYPE_CHECKING:
    import onnxruntime

OPTIMISED_PREFIX = "optimised-ort"
GRAPH_FILE = "model.onnx"
WEIGHTS_FILE = "weights.bin"  # the graph names it; ORT resolves it beside the graph
EXTERNAL_MIN_BYTES = "1024"  # initialisers from this size on go to the weights file


def optimised_dir(directory: Path, runtime_version: str) -> Path:
    """Where the optimised graph of an export is kept for one onnxruntime version."""
    return directory / f"{OPTIMISED_PREFIX}{runtime_version}"


def session_options(threads: int, level: Any) -> onnxruntime.SessionOptions:
    """One session's options: `threads` intra-op threads (0: one per core), no inter-op pool."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = level
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return options


def open_session(directory: Path, *, threads: int = 0) -> onnxruntime.InferenceSession:
    """A CPU session on the export in `directory`, from its saved optimised graph (saved now if
    it is not there yet), or on the export itself where the graph cannot be saved."""
    import onnxruntime as ort

    saved = optimised_dir(directory, ort.__version__) / GRAPH_FILE
    if not saved.is_file():
        _save_optimised(directory, saved.parent)
    model = saved if saved.is_file() else directory / MODEL_FILE
    return _session(model, session_options(threads, ort.GraphOptimizationLevel.ORT_ENABLE_ALL))


def _save_optimised(directory: Path, saved: Path) -> None:
    """Write the optimised graph into a temporary folder and rename it into place, under a lock
    (released by the OS if this process dies); an export folder that cannot be written is left
    as it is."""
    import onnxruntime as ort

    try:
        lock = (directory / f".{saved.name}.lock").open("w")
    except OSError:  # a read-only export
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (saved / GRAPH_FILE).is_file():  # another worker saved it while this one waited
            return
        for stale in directory.glob(f".{saved.name}.*{PARTIAL_SUFFIX}"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a process killed while saving
        try:
            partial = Path(
                tempfile.mkdtemp(prefix=f".{saved.name}.", suffix=PARTIAL_SUFFIX, dir=directory)
            )
            partial.chmod(0o755)  # mkdtemp's 0700 would hide it from other users
        except OSError:
            return
        options = session_options(1, ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
        options.optimized_model_filepath = str(partial / GRAPH_FILE)  # written as it loads
        options.add_session_config_entry(
            "session.optimized_model_external_initializers_file_name", WEIGHTS_FILE
        )
        options.add_session_config_entry(
            "session.optimized_model_external_initializers_min_size_in_bytes", EXTERNAL_MIN_BYTES
        )
        try:
            _session(directory / MODEL_FILE, options)
            partial.rename(saved)
        except OSError:  # the saved graph saves time; the export alone still serves
            shutil.rmtree(partial, ignore_errors=True)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise


def _session(model: Path, options: onnxruntime.SessionOptions) -> onnxruntime.InferenceSession:
    import onnxruntime as ort

    return ort.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )
