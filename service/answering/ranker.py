"""The answer-sentence ranker: a linear score over SentenceFeatures, learned from labelled
suites (`evaluation/fitting/train_ranker.py`) and committed in service/answering/fitted/."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from service.answering.features import FEATURES, SentenceFeatures

RANKER_FILE = Path(__file__).parent / "fitted" / "sentence_ranker.json"


class FittedModelError(ValueError):
    """A fitted model file is missing, unreadable or names what this code does not know."""


@dataclass(frozen=True)
class SentenceRanker:
    """A linear score over the features; higher answers better."""

    weights: dict[str, float]

    def score(self, features: SentenceFeatures) -> float:
        return sum(w * getattr(features, name) for name, w in self.weights.items())

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


# Hand-set before training: meaning first, helped by shared words and the passage's rank. Kept as
# the baseline the training script compares against; the service never falls back to it.
HAND_SET = SentenceRanker(weights={"similarity": 1.0, "overlap": 0.5, "passage_prior": 0.05})


def read_fitted(path: Path, what: str, names: Sequence[str], kind: str) -> dict:
    """A fitted model's JSON (one fitted-model loader for every model), or a FittedModelError
    naming the file and the problem: missing, unreadable, no weights, or weights for `kind`
    (features, signals) the code does not know."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FittedModelError(
            f"the {what} file {path.name} is missing (reinstall, or run `make train`)"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FittedModelError(f"the {what} file {path.name} cannot be read ({error})") from error
    if not isinstance(raw, dict) or not isinstance(raw.get("weights"), dict):
        raise FittedModelError(f"the {what} file {path.name} has no 'weights' object")
    unknown = set(raw["weights"]) - set(names)
    if unknown:
        raise FittedModelError(f"{path.name}: unknown {kind} {sorted(unknown)}")
    return raw


def numeric_weights(path: Path, raw: dict) -> dict[str, float]:
    """A fitted file's weights as numbers, or a FittedModelError naming the file."""
    try:
        return {k: float(v) for k, v in raw["weights"].items()}
    except (TypeError, ValueError) as error:
        raise FittedModelError(f"{path.name}: weights must be numbers ({error})") from error


def load_ranker(path: Path = RANKER_FILE) -> SentenceRanker:
    """The committed trained ranker; a missing or broken file is an error, never a fallback."""
    raw = read_fitted(path, "sentence ranker", FEATURES, "features")
    return SentenceRanker(weights=numeric_weights(path, raw))
