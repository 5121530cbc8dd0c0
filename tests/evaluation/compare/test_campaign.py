"""The registry of suites, the baselines and a held-out campaign pooled across suites."""

from __future__ import annotations

import pytest

from evaluation.cases.registry import Role, SuiteEntry, load_registry, resolve
from evaluation.cases.suite import load_suite
from evaluation.compare.baselines import NAMES, TopSentenceAnswerer, baseline_engine
from evaluation.compare.campaign import SERVICE, pooled, run_campaign, summary
from evaluation.runs.engines import Engines, fit_entries
from service.config import PROJECT_ROOT
from tests.support.paths import SUITES

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist


def test_every_registered_suite_and_corpus_exists_and_heldout_is_blind():
    registry = load_registry()
    heldout = [
        "readers", "advice", "requests-docs", "xorg-pdfs", "xorg-text", "science", "household",
    ]  # fmt: skip
    assert {e.name for e in registry.values() if e.role is Role.HELDOUT} == set(heldout)
    assert all(e.path.is_file() and e.corpus.is_dir() for e in registry.values())
    assert [e.name for e in resolve(["heldout"])] == heldout
    assert {e.name for e in resolve(["tune"])} == {
        "debian-specs", "mkdocs-docs", "pdf-specs", "composting", "policy",
    }  # fmt: skip
    with pytest.raises(SystemExit, match="refusing to fit on held-out suites: readers"):
        fit_entries(["articles", "readers"])


def _case(cid, answerable, abstained, **scores):
    return {"id": cid, "answerable": answerable, "abstained": abstained, "scores": scores}


def test_pooling_counts_every_case_of_every_suite_once():
    a = {"cases": [_case("1", True, False, **{"hit@1": 1.0, "abstention_correct": 1.0}),
                   _case("2", False, True, abstention_correct=1.0)]}  # fmt: skip
    b = {
        "cases": [
            _case("1", True, True, **{"hit@1": 0.0, "abstention_correct": 0.0}),
            _case("3", False, False, abstention_correct=0.0),
            _case("4", False, True),
        ]
    }  # fmt: skip  (abstain_ok: no decision counted)
    figures = pooled([("a", a), ("b", b)])
    assert figures["hit@1"] == 0.5
    assert figures["cases"] == 5
    # decisions: a/2 abstained right, b/1 abstained wrongly, b/3 answered wrongly
    assert figures["abstention_precision"] == 0.5
    assert figures["abstention_recall"] == 0.5
    assert figures["false_abstention_rate"] == 0.5


@pytest.fixture(scope="module")
def engines(settings) -> Engines:
    return Engines(settings)


def test_baselines_quote_one_sentence_and_abstain_below_their_threshold(engine):
    dense = baseline_engine(engine, NAMES[0], {})
    answer = dense.ask("How long should I give him space when he pulls away?").answer
    # plain means plain: the closest sentence is the FAQ's own question, quoted back
    assert [c.quote for c in answer.citations] == [
        "How long should I give him space when he pulls away?"
    ]
    assert "3 to 7 days" in engine.ask("How long should I give him space?").answer.text
    strict = baseline_engine(engine, NAMES[1], {NAMES[1]: 0.99})
    assert strict.ask("How long should I give him space?").answer.abstained
    assert isinstance(strict.answerer, TopSentenceAnswerer)
    assert strict.fusion.sentence_weight == 0.0  # plain hybrid: RRF of dense and BM25 only


def test_a_small_campaign_runs_each_suite_on_its_own_corpus(engines, tmp_path):
    entries = []
    for name, corpus in (
        ("readers", PROJECT_ROOT / "corpus"),
        ("sleep", PROJECT_ROOT / "evaluation/corpora/sleep"),
    ):
        lines = (SUITES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()[:4]
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        entries.append(SuiteEntry(name, path, corpus, Role.HELDOUT))
    runs = run_campaign(engines, entries, baselines=True)
    assert {(r.suite, r.system) for r in runs} == {
        (s, system) for s in ("readers", "sleep") for system in (SERVICE, *NAMES)
    }
    data = summary(runs)
    assert set(data["pooled"]) == {SERVICE, *NAMES}
    assert data["pooled"][SERVICE]["cases"] == 8
    assert data["pooled"][SERVICE]["groundedness"] == 1.0


@pytest.mark.parametrize("entry", list(load_registry().values()), ids=lambda e: e.name)
def test_every_registered_suite_finds_its_evidence_in_the_documents_as_read(entry):
    """The readers must keep every labelled sentence whole and findable: a suite whose
    evidence a reader change lost fails to load here, not halfway through `make eval`."""
    cases = load_suite(entry.path, entry.corpus)
    answerable = [c for c in cases if c.answerable]
    assert answerable and all(c.evidence_spans for c in answerable)
