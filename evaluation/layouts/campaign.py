"""The same articles and questions in every layout: does the service answer them alike?

`python -m evaluation.layouts CORPUS SUITE` reads each article of CORPUS, writes it in every
layout (evaluation/layouts/render.py), indexes each layout on its own and asks the suite's
questions. Per layout it reports how many documents were read, hit@1, must_contain, citation
precision, and the share of questions answered exactly as on the originals (the same answer
sentences, whitespace aside; or an abstention on both). `--render DIR` only writes the layouts
and a suite per layout, so any running service can be scored on them over HTTP
(`rag eval DIR/pdf.jsonl --corpus DIR/pdf --url ...`), and `--compare DIR` puts the reports of
such runs side by side.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from evaluation.cases.suite import Case, load_suite
from evaluation.layouts.render import LAYOUTS, ORIGINAL, Article, article, render
from evaluation.runs.report import markdown_table
from evaluation.runs.runner import corpus_of_index, in_process, run_cases, score
from ingest.corpus import read_corpus
from ingest.folder.metadata import METADATA_FILES

COLUMNS = ("documents read", "hit@1", "must_contain", "citation precision", "as on originals")


def originals(corpus: Path, folder: Path) -> tuple[list[Article], dict[str, str]]:
    """The articles as read from a copy of the corpus without metadata.json (every layout
    must state its own title), and each file's name by stem."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for path in sorted(corpus.iterdir()):
        if path.is_file() and path.name not in METADATA_FILES and not path.name.startswith("."):
            shutil.copyfile(path, folder / path.name)
            names[path.stem] = path.name
    return [article(doc) for doc in read_corpus(folder).documents], names


def render_all(corpus: Path, suite: Path, out: Path, layouts: tuple[str, ...]) -> dict[str, dict]:
    """Every layout's folder and suite file under `out`; {layout: {stem: file name}}."""
    articles, names = originals(corpus, out / ORIGINAL)
    cases = [json.loads(line) for line in suite.read_text(encoding="utf-8").splitlines() if line]
    written = {ORIGINAL: names}
    for layout in layouts:
        if layout != ORIGINAL:
            written[layout] = render(articles, layout, out / layout)
        (out / f"{layout}.jsonl").write_text(
            "".join(
                json.dumps(_renamed(c, written[layout]), ensure_ascii=False) + "\n" for c in cases
            ),
            encoding="utf-8",
        )
    return written


def _renamed(case: dict, names: Mapping[str, str]) -> dict:
    source = case.get("source")
    if source is None:
        return case

    def rename(name: str) -> str:
        return names.get(Path(name).stem, name)

    renamed = rename(source) if isinstance(source, str) else [rename(s) for s in source]
    return {**case, "source": renamed}


def answer_key(body: Mapping | None) -> str:
    """What two answers must share to count as the same: the answer sentences, whitespace
    aside, or the abstention."""
    if body is None:
        return "<error>"
    if body.get("abstained"):
        return "<abstained>"
    return " ".join(str(body.get("answer", "")).split())


def agreement(keys: Mapping[str, Mapping[str, str]], layout: str) -> float:
    """Share of questions a layout answers exactly as the originals are answered."""
    base = keys[ORIGINAL]
    same = sum(keys[layout].get(case) == key for case, key in base.items())
    return same / len(base) if base else float("nan")


def row(report: Mapping, documents: int, total: int, same: float) -> dict:
    figures = report["metrics"]
    return {
        "documents read": f"{documents} of {total}",
        "hit@1": figures.get("hit@1"),
        "must_contain": figures.get("must_contain"),
        "citation precision": figures.get("citation_precision"),
        "as on originals": same,
    }


def run(corpus: Path, suite: Path, out: Path, layouts: tuple[str, ...]) -> dict[str, dict]:
    """Every layout indexed and asked in process; the table rows by layout."""
    from service.config import settings_from_env
    from service.engine import Engine
    from service.indexing import ensure_index, make_embedder

    written = render_all(corpus, suite, out, layouts)
    settings = settings_from_env()
    embedder = make_embedder(settings)
    embedder.warm_up()
    cases = load_suite(out / f"{ORIGINAL}.jsonl", out / ORIGINAL)
    keys: dict[str, dict[str, str]] = {}
    reports = {}
    for layout in layouts:
        names = written[layout]
        local = replace(settings, corpus_dir=out / layout, index_dir=out / "index" / layout)
        engine = Engine(local, embedder, ensure_index(local, embedder))
        moved = [_moved(case, names) for case in cases]
        results = run_cases(moved, in_process(engine))
        report = score(results, corpus_of_index(engine.index))
        reports[layout] = (report, len(engine.index.documents))
        _save(out / f"report-{layout}", report, sorted(engine.index.documents))
        keys[layout] = {r.case.id: answer_key(r.body) for r in results}
    total = len(written[ORIGINAL])
    return {
        layout: row(report, documents, total, agreement(keys, layout))
        for layout, (report, documents) in reports.items()
    }


def _save(folder: Path, report: dict, documents: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (folder / "documents.json").write_text(json.dumps(documents), encoding="utf-8")


def _moved(case: Case, names: Mapping[str, str]) -> Case:
    return replace(case, sources=tuple(names.get(Path(s).stem, s) for s in case.sources))


def compare(folder: Path, layouts: tuple[str, ...]) -> dict[str, dict]:
    """The rows for reports written by `rag eval DIR/<layout>.jsonl --out DIR/report-<layout>`."""
    keys, reports = {}, {}
    for layout in layouts:
        path = folder / f"report-{layout}" / "report.json"
        if not path.is_file():
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        reports[layout] = report
        keys[layout] = {
            c["id"]: answer_key(c if c.get("answer") is not None else None) for c in report["cases"]
        }
    documents = {layout: _documents_read(folder, layout) for layout in reports}
    total = documents.get(ORIGINAL, 0)
    return {
        layout: row(report, documents[layout], total, agreement(keys, layout))
        for layout, report in reports.items()
    }


def _documents_read(folder: Path, layout: str) -> int:
    path = folder / f"report-{layout}" / "documents.json"
    return len(json.loads(path.read_text())) if path.is_file() else 0


def table(rows: Mapping[str, Mapping]) -> str:
    def fmt(value: object) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    return markdown_table(
        ["layout", *COLUMNS], [[name, *(fmt(r[c]) for c in COLUMNS)] for name, r in rows.items()]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, nargs="?")
    parser.add_argument("suite", type=Path, nargs="?")
    parser.add_argument("--out", type=Path, default=Path("reports/layouts"))
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--render", action="store_true", help="only write layouts and suites")
    parser.add_argument("--compare", action="store_true", help="tabulate reports under --out")
    args = parser.parse_args(argv)
    layouts = tuple(dict.fromkeys([ORIGINAL, *args.layouts.split(",")]))
    if args.compare:
        print(table(compare(args.out, layouts)))
        return
    if args.corpus is None or args.suite is None:
        parser.error("CORPUS and SUITE are required (or --compare)")
    if args.render:
        render_all(args.corpus, args.suite, args.out, layouts)
        print(f"layouts written under {args.out}")
        return
    rows = run(args.corpus, args.suite, args.out, layouts)
    text = table(rows)
    (args.out / "summary.md").write_text(text + "\n", encoding="utf-8")
    (args.out / "summary.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(text)
