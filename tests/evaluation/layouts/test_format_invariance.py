"""Three articles in every layout people's files have: the same questions get the same answer
sentences (whitespace aside) and citations to the same words, with the real model and index."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from evaluation.cases.suite import load_suite
from evaluation.layouts.campaign import answer_key, render_all
from evaluation.layouts.render import LAYOUTS, ORIGINAL
from evaluation.runs.runner import in_process
from ingest.blocks.plain import collapse
from service.config import PROJECT_ROOT
from service.engine import Engine
from service.indexing import ensure_index
from tests.support.paths import SLEEP

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist

ARTICLES = (
    "insomnia-faq-brookvale-sleep-centre.txt",  # one paragraph per line, FAQ headings
    "coffee-nightcaps-and-naps-explained.md",  # Markdown with a list
    "night-shift-sleep-research-report.txt",  # a report with a byline and quotations
)


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """The three articles and their questions from the sleep suite, written in every layout."""
    corpus = tmp_path_factory.mktemp("articles")
    for name in ARTICLES:
        (corpus / name).write_bytes((SLEEP / name).read_bytes())
    cases = [
        json.loads(line)
        for line in (PROJECT_ROOT / "evaluation/suites/sleep.jsonl").read_text().splitlines()
        if line
    ]
    stems = {Path(n).stem for n in ARTICLES}
    chosen = [c for c in cases if not c["source"] or _stems(c["source"]) <= stems]
    suite = corpus.parent / "suite.jsonl"
    suite.write_text("".join(json.dumps(c) + "\n" for c in chosen), encoding="utf-8")
    out = tmp_path_factory.mktemp("layouts")
    render_all(corpus, suite, out, LAYOUTS)
    return out, chosen


def _stems(source: str | list[str]) -> set[str]:
    return {Path(s).stem for s in ([source] if isinstance(source, str) else source)}


def _answers(out: Path, layout: str, settings, embedder) -> dict[str, tuple[str, list[str]]]:
    local = replace(settings, corpus_dir=out / layout, index_dir=out / "index" / layout)
    engine = Engine(local, embedder, ensure_index(local, embedder))
    assert len(engine.index.documents) == len(ARTICLES), f"{layout}: not every file was read"
    ask = in_process(engine)
    answers = {}
    for case in load_suite(out / f"{layout}.jsonl", out / layout):
        body = ask(case.question, 5)
        quotes = [collapse(c["display"]) for c in body["citations"]]
        answers[case.id] = (answer_key(body), quotes)
    return answers


def test_every_layout_answers_as_the_originals(layouts, settings, embedder) -> None:
    out, cases = layouts
    assert len(cases) >= 30  # a real sample: answerable and unanswerable, every style
    expected = _answers(out, ORIGINAL, settings, embedder)
    assert sum(key != "<abstained>" for key, _ in expected.values()) >= 15
    for layout in LAYOUTS[1:]:
        got = _answers(out, layout, settings, embedder)
        differing = {
            case: (expected[case], got[case]) for case in expected if got[case] != expected[case]
        }
        assert not differing, f"{layout} answers differently: {differing}"
