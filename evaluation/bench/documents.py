"""How long a document change takes over HTTP: PUT and DELETE /admin/documents/{id}.

A `rag serve` on loopback serves a copy of the bundled corpus (in a temporary folder, with a
copy of the project's embedding cache and its ONNX export, so nothing of the project's own is
changed). Each round uploads a new document that no cache has seen (JSON text, then the same
as a Markdown file in a multipart form), then deletes it; the time is the whole request, from
sending it to the answer that says the new version is served. It prints figures and asserts
nothing about time.

    python -m evaluation.bench.documents [--rounds 9] [--workers 1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from pathlib import Path

import httpx

from evaluation.runs.docs_figures import DOCS, module_command, publish
from evaluation.runs.report import markdown_table
from evaluation.runs.server_process import free_port, spawned_server
from ingest.embed.cache import CACHE_FILE
from service.config import PROJECT_ROOT, settings_from_env

KEY = "documents-bench-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
CROPS = ("rhubarb", "parsnips", "leeks", "kale", "broad beans", "shallots", "celeriac", "chard")


def document(round_number: int) -> str:
    """A short article no earlier round (and no cache) has seen."""
    crop = CROPS[round_number % len(CROPS)]
    return (
        f"Growing {crop.title()}, Note {round_number}\n\n"
        f"Sow {crop} {round_number + 2} weeks before the last frost, in rows {20 + round_number} "
        f"centimetres apart. Water {crop} every {round_number % 5 + 2} days in dry weather, and "
        f"mulch them in autumn so that the soil keeps its warmth.\n\n"
        f"## Harvest\n\nLift the first {crop} after {round_number + 60} days.\n"
    )


def prepare(work: Path) -> dict[str, str]:
    """A corpus copy and a cache copy under `work`; the environment that serves them."""
    settings = settings_from_env()
    shutil.copytree(PROJECT_ROOT / "corpus", work / "corpus")
    cache = work / "cache"
    cache.mkdir()
    if (settings.cache_dir / "onnx").is_dir():
        (cache / "onnx").symlink_to(settings.cache_dir / "onnx")
    if (settings.cache_dir / CACHE_FILE).is_file():
        with (
            closing(sqlite3.connect(settings.cache_dir / CACHE_FILE)) as warm,
            closing(sqlite3.connect(cache / CACHE_FILE)) as copy,
        ):
            warm.backup(copy)
    return {
        "RAG_CORPUS_DIR": str(work / "corpus"),
        "RAG_INDEX_DIR": str(work / "index"),
        "RAG_CACHE_DIR": str(cache),
        "RAG_ADMIN_KEY": KEY,
    }


def timed_ms(http: httpx.Client, method: str, path: str, **request: object) -> float:
    started = time.perf_counter()
    response = http.request(method, path, headers=AUTH, **request)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
    return elapsed


def line(label: str, samples: list[float]) -> str:
    return (
        f"{label:<28} median {statistics.median(samples):7.1f} ms   "
        f"min {min(samples):7.1f}   max {max(samples):7.1f}   (n={len(samples)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-docs", action="store_true", help="leave docs/operations.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="documents-bench-") as folder:
        environment = prepare(Path(folder))
        os.environ.update(environment)  # read by the spawned `rag serve`
        figures: dict[str, list[float]] = {}
        with (
            spawned_server(free_port(), args.workers) as (url, _pid),
            httpx.Client(base_url=url, timeout=120) as http,
        ):
            for number in range(args.rounds + 1):  # round 0 warms up and is not counted
                text = document(number)
                runs = {
                    "PUT (JSON text)": (
                        "PUT",
                        f"/admin/documents/bench-{number}",
                        {"json": {"text": text}},
                    ),
                    "DELETE (that upload)": ("DELETE", f"/admin/documents/bench-{number}", {}),
                    "PUT (Markdown file)": (
                        "PUT",
                        f"/admin/documents/bench-md-{number}",
                        {"files": {"file": ("note.md", f"# {text}".encode())}},
                    ),
                    "DELETE (the Markdown one)": (
                        "DELETE",
                        f"/admin/documents/bench-md-{number}",
                        {},
                    ),
                }
                for label, (method, path, request) in runs.items():
                    elapsed = timed_ms(http, method, path, **request)
                    if number:
                        figures.setdefault(label, []).append(elapsed)
            documents = len(http.get("/documents").json())
    print(
        f"document changes over HTTP on loopback: bundled corpus ({documents} documents), "
        f"rag serve --workers {args.workers}, {args.rounds} rounds after one warm-up"
    )
    for label, samples in figures.items():
        print(line(label, samples))
    if not args.no_docs:
        publish(
            DOCS / "operations.md",
            "documents",
            module_command("evaluation.bench.documents"),
            figures_table(figures, documents, args.workers, args.rounds),
        )


def figures_table(
    figures: dict[str, list[float]], documents: int, workers: int, rounds: int
) -> str:
    """The docs' block: each request's median (min-max) in ms, under what was measured."""
    rows = [
        [label, f"{statistics.median(s):.0f} ms ({min(s):.0f}–{max(s):.0f})"]
        for label, s in figures.items()
    ]
    return (
        f"Bundled corpus ({documents} documents), `rag serve --workers {workers}` on loopback, "
        f"{rounds} rounds after one warm-up; {os.cpu_count()} cores, 1-minute load average "
        f"{os.getloadavg()[0]:.1f} at the end.\n\n"
        + markdown_table(["request", f"`--workers {workers}` median (min–max)"], rows)
    )


if __name__ == "__main__":
    main()
