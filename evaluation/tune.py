"""Grid search over chunking, fusion and answer parameters on evaluation suites.

    python -m evaluation.tune --chunking 600:120,800:160 --set follow_margin=0.1,0.2

Prints one row per combination and suite, so chosen values are recorded with the figures
that chose them. Indexes for each chunking go under var/tune/ and reuse the embedding cache.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import fields, replace
from pathlib import Path

from evaluation.runner import corpus_of_index, in_process, run_cases, score
from evaluation.suite import load_suite
from ingest.chunk import ChunkingConfig
from service.answering.selection import AnswerConfig
from service.config import PROJECT_ROOT, settings_from_env
from service.engine import Engine, default_answerer, ensure_index, make_embedder
from service.retrieval.retrieve import FusionConfig

COLUMNS = (
    "hit@1", "hit@5", "mrr@10", "ndcg@10", "must_contain", "citation_precision",
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
        cast = str if name == "mode" else type(defaults[name])
        axes.append([(name, cast(v)) for v in values.split(",")])
    return [dict(combo) for combo in itertools.product(*axes)] or [{}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", type=Path, help="suite file (repeatable)")
    parser.add_argument("--chunking", default="800:160", help="size:overlap,size:overlap")
    parser.add_argument("--set", action="append", default=[], help="param=v1,v2 (repeatable)")
    args = parser.parse_args()
    suites = args.suite or [
        PROJECT_ROOT / "evaluation/suites/articles.jsonl",
        PROJECT_ROOT / "evaluation/suites/holdout.jsonl",
    ]
    base = settings_from_env()
    embedder = make_embedder(base)
    answerer = default_answerer()
    loaded = {path: load_suite(path, base.corpus_dir) for path in suites}
    print("chunking  params  suite  " + "  ".join(COLUMNS))
    for chunking in _chunkings(args.chunking):
        root = PROJECT_ROOT / "var" / "tune" / f"{chunking.chunk_size}-{chunking.chunk_overlap}"
        settings = replace(base, chunking=chunking, index_dir=root)
        index = ensure_index(settings, embedder)
        for params in _grid(args.set):
            answer_params = {k: v for k, v in params.items() if hasattr(AnswerConfig, k)}
            fusion_params = {k: v for k, v in params.items() if hasattr(FusionConfig, k)}
            mode = str(params.get("mode", settings.retrieval_mode))
            engine = Engine(
                replace(settings, retrieval_mode=mode),
                embedder,
                index,
                answerer=replace(answerer, config=replace(AnswerConfig(), **answer_params)),
                fusion=replace(FusionConfig(), **fusion_params),
            )
            for path, cases in loaded.items():
                report = score(run_cases(cases, in_process(engine)), corpus_of_index(index))
                figures = "  ".join(f"{report['metrics'][c]:.3f}" for c in COLUMNS)
                label = ",".join(f"{k}={v}" for k, v in params.items()) or "-"
                print(
                    f"{chunking.chunk_size}:{chunking.chunk_overlap}  {label}  {path.stem}  "
                    f"{figures}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
