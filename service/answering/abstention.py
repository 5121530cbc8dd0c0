"""Deciding whether the retrieved evidence answers the question at all.

Several signals, combined by a logistic model whose weights are calibrated on labelled
answerable/unanswerable questions (`rag calibrate`, evaluation/fitting/calibrate.py) and committed
in service/answering/fitted/ (or written beside a user's own index by `rag calibrate`).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from service.answering.ranker import FittedModelError, numeric_weights, read_fitted

CALIBRATION_FILE = Path(__file__).parent / "fitted" / "abstention.json"


@dataclass(frozen=True)
class EvidenceSignals:
    """What the evidence looks like, each in [0, 1] or a cosine."""

    best_sentence: float  # cosine of the best candidate sentence to the question
    best_passage: float  # cosine of the best passage to the question
    term_coverage: float  # share of the question's terms found in the top passages
    weighted_coverage: float  # the same, each term weighted by its rarity (IDF) in the corpus
    sentence_coverage: float  # best IDF-weighted coverage of the question by one sentence
    unknown_terms: float  # share of the question's terms the corpus never uses
    type_match: float  # 0 when the question asks for a number or name the evidence lacks
    agreement: float  # 1 when dense and BM25 agree on a top-3 passage
    margin: float  # best sentence cosine minus the runner-up's
    rare_unknown: float  # everyday-English rarity of the rarest question word the corpus lacks
    heading_similarity: float  # cosine of the best sentence's section heading to the question
    answer_coverage: float  # IDF-weighted coverage by the answer, its sections and titles
    quote_coverage: float  # the same by the quoted sentences, their FAQ question and heading
    missing_known: float  # IDF-weighted share of terms the corpus uses but the quotes lack
    asking_coverage: float  # coverage of the asking sentence(s) of a multi-sentence question
    orphan_lead_in: float  # 1 when a list is asked for and the article only names it

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


SIGNALS = tuple(f.name for f in fields(EvidenceSignals))


@dataclass(frozen=True)
class AbstentionModel:
    """Logistic model over the signals; abstain when P(answerable) < threshold."""

    weights: dict[str, float]
    bias: float
    threshold: float = 0.5

    def probability(self, signals: EvidenceSignals) -> float:
        values = asdict(signals)
        z = self.bias + sum(w * values[name] for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


def load_model(path: Path = CALIBRATION_FILE) -> AbstentionModel:
    """A calibrated model; a missing or broken file is an error, never a silent fallback."""
    raw = read_fitted(path, "abstention model", SIGNALS, "signals")
    weights = numeric_weights(path, raw)
    try:
        return AbstentionModel(
            weights=weights,
            bias=float(raw["bias"]),
            threshold=float(raw.get("threshold", 0.5)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise FittedModelError(
            f"{path.name}: needs numeric 'bias' and weights ({error})"
        ) from error
