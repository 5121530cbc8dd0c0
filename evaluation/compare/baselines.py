"""Simple baselines on the same questions, through the same Answerer seam as the service.

- dense top sentence: the sentence of the whole corpus closest to the question (cosine), with
  passages from plain dense retrieval;
- plain hybrid: reciprocal rank fusion of dense and BM25 passages (no best-sentence list), and
  the closest sentence of the first passage.
Each abstains below one cosine threshold, fitted on the fit suites like the service's model:

    python -m evaluation.compare.baselines --write    # evaluation/baselines.json
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from evaluation.fitting.calibrate import MAX_FALSE_ABSTENTION, choose_threshold, decision_figures
from evaluation.runs.engines import Engines, default_engines, fit_entries, labelled, relative
from service.answering.extractive import cite, supporting_first
from service.answering.protocol import Answer, abstention
from service.config import PROJECT_ROOT
from service.engine import Engine
from service.question.query import Query
from service.retrieval.modes import Mode
from service.retrieval.retrieve import FusionConfig, Hit
from service.serving import ServingIndex

BASELINES_FILE = PROJECT_ROOT / "evaluation" / "baselines.json"
NAMES = ("dense top sentence", "plain hybrid")


@dataclass(frozen=True)
class TopSentenceAnswerer:
    """Quotes one sentence: the closest in the corpus, or the closest in the first passage."""

    whole_corpus: bool
    threshold: float = 0.0
    candidate_passages: int = 1

    def answer(self, query: Query, hits: Sequence[Hit], index: ServingIndex) -> Answer:
        if self.whole_corpus:
            pool = np.arange(len(index.sentences))
        else:
            pool = np.array(index.chunk_sentences[hits[0].row] if hits else (), dtype=int)
        if not len(pool):
            return abstention(query, hits, 0.0, {"best_sentence": 0.0})
        similarity = index.sentence_vectors[pool] @ query.vector
        best = int(pool[int(np.argmax(similarity))])
        score = float(similarity.max())
        if score < self.threshold:
            return abstention(query, hits, score, {"best_sentence": round(score, 4)})
        citations = cite(index, [best])
        return Answer(
            question=query.raw,
            text=f"{citations[0].quote} [1]",
            abstained=False,
            confidence=round(max(min(score, 1.0), 0.0), 4),
            citations=citations,
            hits=supporting_first(index, hits, [best]),
            signals={"best_sentence": round(score, 4)},
        )


def baseline_engine(engine: Engine, name: str, thresholds: dict[str, float]) -> Engine:
    """The same index and model as `engine`, answered by baseline `name`."""
    dense = name == NAMES[0]
    settings = replace(engine.settings, retrieval_mode=Mode.DENSE if dense else Mode.HYBRID)
    return Engine(
        settings,
        engine.embedder,
        engine.index,
        answerer=TopSentenceAnswerer(whole_corpus=dense, threshold=thresholds.get(name, 0.0)),
        fusion=FusionConfig(sentence_weight=0.0),
        query_embedder=engine.query_embedder,
    )


def load_thresholds(path: Path = BASELINES_FILE) -> dict[str, float]:
    """The committed baseline thresholds (no file: baselines never abstain)."""
    if not path.is_file():
        return {}
    return {
        k: float(v) for k, v in json.loads(path.read_text(encoding="utf-8"))["thresholds"].items()
    }


def fit_thresholds(engines: Engines) -> dict:
    """Each baseline's cosine threshold with the best abstention F1 at most 5% false abstentions,
    on the fit suites."""
    suites = labelled(engines, fit_entries(["fit"]))
    report: dict = {"thresholds": {}, "fit_suites": [s.name for s in suites], "figures": {}}
    for name in NAMES:
        scores, labels = [], []
        for suite in suites:
            engine = baseline_engine(suite.engine, name, {})
            for case in suite.cases:
                if case.abstain_ok:
                    continue
                scores.append(engine.ask(case.question).answer.signals["best_sentence"])
                labels.append(1 if case.answerable else 0)
        s, y = np.array(scores), np.array(labels)
        threshold = choose_threshold(s, y, MAX_FALSE_ABSTENTION)
        report["thresholds"][name] = round(threshold, 4)
        report["figures"][name] = decision_figures(s, y, threshold)
    return report


def main() -> None:
    from argparse import ArgumentParser

    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {relative(BASELINES_FILE)}")
    args = parser.parse_args()
    report = fit_thresholds(default_engines())
    print(json.dumps(report, indent=2))
    if args.write:
        BASELINES_FILE.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {relative(BASELINES_FILE)}")


if __name__ == "__main__":
    main()
