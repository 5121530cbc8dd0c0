"""The retrieval modes: one enum from which the API schema, the CLI help and BEIR's modes come."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """Which ranked lists are fused: dense only, BM25 only, or both plus best-sentence."""

    DENSE = "dense"
    BM25 = "bm25"
    HYBRID = "hybrid"

    @classmethod
    def from_str(cls, value: str) -> Mode:
        """The mode called `value`; the error names every valid mode."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown retrieval mode {value!r}; choose one of {', '.join(cls.names())}"
            ) from None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


DEFAULT_MODE = Mode.HYBRID
