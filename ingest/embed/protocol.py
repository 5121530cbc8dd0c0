"""What every embedding backend offers, and the identity of the model it embeds with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # numpy loads with the first embedding, not with `rag --help`
    import numpy as np


class Backend(StrEnum):
    """How vectors are computed; AUTO picks ONNX Runtime when an export exists (factory.py)."""

    AUTO = "auto"
    ONNX = "onnx"
    TORCH = "torch"


class Precision(StrEnum):
    """Weights as exported (FP32, the same vectors as torch) or dynamically quantised (INT8)."""

    FP32 = "fp32"
    INT8 = "int8"


BACKENDS = tuple(b.value for b in Backend)
PRECISIONS = tuple(p.value for p in Precision)


def precision_fingerprint(fingerprint: str, precision: Precision) -> str:
    """fp32 vectors equal torch's, so they share its fingerprint; int8 ones are another space."""
    return fingerprint if precision is Precision.FP32 else f"{fingerprint}-{precision.value}"


def embedding_input(title: str, section: str, text: str) -> str:
    """What gets embedded for a passage: its title and section give the text its topic."""
    return f"{title}. {section}. {text}" if section != title else f"{title}. {text}"


@dataclass(frozen=True)
class ModelInfo:
    """Identity of an embedding model, recorded in the index manifest."""

    name: str
    path: str
    fingerprint: str
    dimension: int
    max_seq_length: int
    backend: str
    precision: str


class Embedder(Protocol):
    """Normalised float32 vectors for texts. Constructing one is cheap; `warm_up` loads.

    Not runtime-checkable on purpose: isinstance() would read `dimension`, which loads a model.
    """

    name: str
    fingerprint: str  # which vector space: indexes and cache rows are keyed by it

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        ...

    def info(self) -> ModelInfo:
        """The model's identity for the manifest."""
        ...

    def warm_up(self) -> None:
        """Load the model now (start-up) rather than on the first request."""
        ...

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """One row per text, in order; the embedding cache supplies what it already holds."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector (not cached: queries rarely repeat exactly)."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Several query vectors in one model call, one row per text (not cached)."""
        ...
