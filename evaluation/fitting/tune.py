"""Grid search over chunking, fusion and answer parameters on the fit suites.

    python -m evaluation.fitting.tune --set section_margin=0.1,0.2,0.3 [--suites fit] [--chunking
    800:160]

Prints one row per combination and suite (and the pooled row), so chosen values are recorded
with the figures that chose them. Held-out suites are refused: nothing is tuned on them.
Indexes for each chunking go under var/tune/ and reuse the embedding cache.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import fields, replace

from evaluation.runs.engines import Engines, fit_entries, labelled
from evaluation.runs.runner import corpus_of_index, in_process, run_cases, score
from evaluation.scoring.pooled import pooled
from ingest.chunk import ChunkingConfig
from service.answering.selection import AnswerConfig
from service.config import PROJECT_ROOT, settings_from_env
from service.engine import Engine
from service.retrieval.modes import Mode
from service.retrieval.retrieve import FusionConfig

COLUMNS = (
    "hit@1", "hit@5", "mrr@10", "must_contain", "citation_precision",
    "answer_sentences", "abstention_f1", "false_abstention_rate",
)  # fmt: skip


def _chunkings(spec: str) -> list[ChunkingConfig]:
    return [ChunkingConfig(*(int(x) for x in pair.split(":"))) for pair in spec.split(",")]


def _grid(assignments: list[str]) -> list[dict[str, object]]:
    """`name=v1,v2` pairs expanded into every combination, values typed like the defaults."""
    defaults = {f.name: f.default for cls in (AnswerConfig, FusionConfig) for f in fields(cls)}
    axes = []
    for assignment in assignments:
        name, values = assignment.split("=", 1)
        if name not in defaults and name != "mode":
            raise SystemExit(f"unknown parameter {name!r}; known: {', '.join(sorted(defaults))}")
        cast = Mode.from_str if name == "mode" else type(defaults[name])
        axes.append([(name, cast(v)) for v in values.split(",")])
    return [dict(combo) for combo in itertools.product(*axes)] or [{}]


def _variant(engine: Engine, params: dict[str, object]) -> Engine:
    answer = {k: v for k, v in params.items() if hasattr(AnswerConfig, k)}
    fusion = {k: v for k, v in params.items() if hasattr(FusionConfig, k)}
    settings = replace(
        engine.settings, retrieval_mode=params.get("mode", engine.settings.retrieval_mode)
    )
    answerer = replace(engine.answerer, config=replace(engine.answerer.config, **answer))
    return Engine(
        settings,
        engine.embedder,
        engine.index,
        answerer,
        replace(engine.fusion, **fusion),
        query_embedder=engine.query_embedder,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", nargs="+", default=["fit"], help="registry names or `fit`")
    parser.add_argument("--chunking", default="800:160", help="size:overlap,size:overlap")
    parser.add_argument("--set", action="append", default=[], help="param=v1,v2 (repeatable)")
    args = parser.parse_args()
    entries = fit_entries(args.suites)
    base = settings_from_env()
    print("chunking  params  suite  " + "  ".join(COLUMNS))
    for chunking in _chunkings(args.chunking):
        root = PROJECT_ROOT / "var" / "tune" / f"{chunking.chunk_size}-{chunking.chunk_overlap}"
        engines = Engines(replace(base, chunking=chunking, index_dir=root), indexes=root.parent)
        suites = labelled(engines, entries)
        for params in _grid(args.set):
            label = ",".join(f"{k}={v}" for k, v in params.items()) or "-"
            prefix = f"{chunking.chunk_size}:{chunking.chunk_overlap}  {label}"
            reports = []
            for suite in suites:
                engine = _variant(suite.engine, params)
                report = score(
                    run_cases(suite.cases, in_process(engine)), corpus_of_index(engine.index)
                )
                reports.append((suite.name, report))
                figures = "  ".join(f"{report['metrics'][c]:.3f}" for c in COLUMNS)
                print(f"{prefix}  {suite.name}  {figures}", flush=True)
            total = pooled(reports)
            figures = "  ".join(f"{(total.get(c) or 0):.3f}" for c in COLUMNS)
            print(f"{prefix}  POOLED  {figures}", flush=True)


if __name__ == "__main__":
    main()
