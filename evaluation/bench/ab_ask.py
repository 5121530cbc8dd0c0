"""Warm in-process `/ask` of two code trees, side by side, alternating in fresh processes.

    git worktree add /tmp/before <commit>
    python -m evaluation.bench.ab_ask /tmp/before [--rounds 3] [--repeats 3] [--backend torch]

Each round runs the other tree, then this one, each in a fresh process on its own scratch index
of the bundled corpus (its own embedding cache, so neither reuses the other's vectors): 20
unmeasured asks, then every question of the public suite `--repeats` times. It prints each
run's p50/p95 with each step's p50 (embed, retrieve, answer), the per-round ratio, and the
median ratio over rounds of the whole call and of each step, because this machine is shared and
only figures taken side by side compare. `--backend torch` (RAG_EMBED_BACKEND) holds the
embedder equal when the other tree predates the ONNX backend. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from evaluation.scoring.metrics import latency_percentiles
from service.config import PROJECT_ROOT

SUITE = PROJECT_ROOT / "evaluation" / "suites" / "articles.jsonl"
CHILD = """
import json, sys, time
from pathlib import Path
root, work, repeats = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, str(root))
from service.config import settings_from_env
from service.engine import Engine
settings = settings_from_env({
    **__import__("os").environ,
    "RAG_CORPUS_DIR": str(root / "corpus"),
    "RAG_INDEX_DIR": str(work / "index"),
    "RAG_CACHE_DIR": str(work / "cache"),
    "RAG_RELOAD_INTERVAL": "0",
    "RAG_ANSWER_CACHE": "0",  # the questions repeat: every ask is answered anew
})
engine = Engine.open(settings)
questions = json.loads(sys.argv[4])
for q in questions[:20]:
    engine.ask(q)
samples = []
for _ in range(repeats):
    for q in questions:
        mark = time.perf_counter()
        steps = engine.ask(q).timings_ms
        samples.append({**steps, "ask": (time.perf_counter() - mark) * 1000})
print(json.dumps(samples))
"""
STEPS = ("ask", "embed", "retrieve", "answer")  # the whole call, then the engine's own steps


def run_tree(
    root: Path, work: Path, repeats: int, questions: list[str], env: dict
) -> list[dict[str, float]]:
    """One fresh process on `root`'s code: per warm ask, the whole call and each step, in ms."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(work), str(repeats), json.dumps(questions)],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backend", default=None, help="RAG_EMBED_BACKEND for both trees")
    args = parser.parse_args(argv)
    questions = [
        json.loads(line)["question"]
        for line in SUITE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if args.backend:
        env["RAG_EMBED_BACKEND"] = args.backend
    trees = {"other": args.other.resolve(), "this": PROJECT_ROOT}
    ratios: dict[str, list[float]] = {step: [] for step in STEPS}
    with tempfile.TemporaryDirectory(prefix="rag-ab-") as scratch:
        for round_ in range(1, args.rounds + 1):
            p50: dict[str, dict[str, float]] = {}
            for name, root in trees.items():
                samples = run_tree(root, Path(scratch) / name, args.repeats, questions, env)
                p50[name] = {s: latency_percentiles([x[s] for x in samples])["p50"] for s in STEPS}
                stats = latency_percentiles([x["ask"] for x in samples])
                steps = "  ".join(f"{s} {p50[name][s]:.2f}" for s in STEPS[1:])
                whole = f"p50 {stats['p50']:.2f} ms  p95 {stats['p95']:.2f} ms"
                print(f"round {round_} {name:5} {whole}  ({steps})")
            for step in STEPS:
                ratios[step].append(p50["this"][step] / p50["other"][step])
            print(f"round {round_} this/other p50 {ratios['ask'][-1]:.3f}x")
    for step in STEPS:
        print(f"median over rounds, this/other p50 {step:8} {statistics.median(ratios[step]):.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
