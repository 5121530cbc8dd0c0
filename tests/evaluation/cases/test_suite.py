"""Tests for loading and validating evaluation suites against a tiny corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.cases import suite as suite_module
from evaluation.cases.suite import Case, Span, SuiteError, load_suite, normalize_text, read_source

PREFIX_A = "Title A\r\n\r\n"
SENTENCE_A = "Men pull away when they feel overwhelmed."
TEXT_A = PREFIX_A + SENTENCE_A + "\r\nThey don\u2019t always say why. " + SENTENCE_A
TEXT_B = "Title B\n\nSome men need space. Trust takes time \u2014 and patience.\n"
SHARED = "Trust takes time"
TEXT_C = "Title C\nIn short: Trust takes time, and more.\n"


_DROP = object()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "corpus"
    directory.mkdir()
    for name, text in (("a.txt", TEXT_A), ("b.txt", TEXT_B), ("c.txt", TEXT_C)):
        # write bytes so that "\r\n" survives exactly as written
        (directory / name).write_bytes(text.encode("utf-8"))
    # files reachable only through names the loader must refuse
    (directory / "sub").mkdir()
    (directory / "sub" / "a.txt").write_bytes(TEXT_A.encode("utf-8"))
    (directory / "sub\\a.txt").write_bytes(TEXT_A.encode("utf-8"))
    (directory / "..a.txt").write_bytes(TEXT_A.encode("utf-8"))
    return directory


def good(**overrides: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": "q1",
        "question": "Why do men pull away?",
        "answerable": True,
        "expected_answer": "They feel overwhelmed.",
        "must_contain": ["overwhelmed"],
        "source": "a.txt",
        "evidence": [SENTENCE_A],
        "kind": "why",
    }
    case.update(overrides)
    return {key: value for key, value in case.items() if value is not _DROP}


def write_suite(tmp_path: Path, *lines: dict[str, Any] | str) -> Path:
    path = tmp_path / "suite.jsonl"
    rows = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_valid_suite_loads_with_exact_spans(tmp_path: Path, corpus: Path) -> None:
    unanswerable = {
        "id": "u1",
        "question": "What is his star sign?",
        "answerable": False,
        "source": None,
        "kind": "unanswerable",
        "abstain_ok": False,
    }
    multi = good(
        id="m1",
        kind="multi",
        source=["b.txt", "c.txt"],
        evidence=[SHARED],
        must_contain=["trust takes time"],
        expected_answer=_DROP,
    )
    path = write_suite(tmp_path, good(), unanswerable, multi)

    cases = load_suite(path, corpus)

    assert [case.id for case in cases] == ["q1", "u1", "m1"]
    first = cases[0]
    assert isinstance(first, Case)
    assert first.sources == ("a.txt",)
    assert first.must_contain == ("overwhelmed",)
    assert first.line == 1
    # the sentence occurs twice; the span is the first occurrence, after the CRLF title
    assert first.evidence_spans == (Span("a.txt", len(PREFIX_A), len(PREFIX_A) + len(SENTENCE_A)),)
    assert cases[1].sources == () and cases[1].evidence == () and cases[1].evidence_spans == ()
    assert cases[1].answerable is False and cases[1].expected_answer == ""
    third = cases[2]
    assert third.sources == ("b.txt", "c.txt")
    assert [span.source for span in third.evidence_spans] == ["b.txt", "c.txt"]
    for case in cases:
        for span in case.evidence_spans:
            text = read_source(corpus, span.source).text
            assert text[span.start : span.end] in case.evidence


def test_defaults_unknown_keys_and_blank_lines(tmp_path: Path, corpus: Path) -> None:
    minimal = good(expected_answer=_DROP, must_contain=_DROP, extra_field={"x": 1}, notes="n")
    path = write_suite(tmp_path, "", "   ", minimal, "\t")
    (case,) = load_suite(path, corpus)
    assert case.line == 3
    assert case.expected_answer == ""
    assert case.must_contain == ()
    assert case.abstain_ok is False


def test_abstain_ok_and_case_insensitive_must_contain(tmp_path: Path, corpus: Path) -> None:
    # "men pull away" is capitalised in the source; "don't" is written with a curly apostrophe
    # phrases are matched in the same normalised form as the must_contain metric uses
    phrases = ["men pull away", "don't always say why", "they don\u2019t  always"]
    row = good(must_contain=phrases, abstain_ok=True)
    (case,) = load_suite(write_suite(tmp_path, row), corpus)
    assert case.abstain_ok is True


def test_a_source_may_be_a_relative_path_into_a_subfolder(tmp_path: Path, corpus: Path) -> None:
    [case] = load_suite(write_suite(tmp_path, good(source="sub/a.txt")), corpus)
    assert case.evidence_spans == (
        Span("sub/a.txt", len(PREFIX_A), len(PREFIX_A) + len(SENTENCE_A)),
    )


def test_read_source_keeps_crlf(corpus: Path) -> None:
    assert read_source(corpus, "a.txt").text == TEXT_A
    with pytest.raises(ValueError):
        read_source(corpus, "../a.txt")


def test_each_source_read_once_per_load(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counting(corpus_dir: Path, name: str) -> str:
        calls.append(name)
        return read_source(corpus_dir, name)

    monkeypatch.setattr(suite_module, "read_source", counting)
    path = write_suite(tmp_path, good(), good(id="q2"), good(id="q3", source=["a.txt", "b.txt"]))
    load_suite(path, corpus)
    assert sorted(calls) == ["a.txt", "b.txt"]
    load_suite(path, corpus)  # no cache survives the call
    assert sorted(calls) == ["a.txt", "a.txt", "b.txt", "b.txt"]


REJECTIONS: list[tuple[str, dict[str, Any] | str, list[str]]] = [
    ("invalid json", '{"id": "x", ', ["invalid JSON"]),
    ("not an object", "[1, 2]", ["JSON object"]),
    ("missing id", good(id=_DROP), ["'id'"]),
    ("missing question", good(question=_DROP), ["'question'"]),
    ("missing answerable", good(answerable=_DROP), ["'answerable'"]),
    ("missing kind", good(kind=_DROP), ["'kind'"]),
    ("id not str", good(id=7), ["'id'", "7"]),
    ("answerable not bool", good(answerable="yes"), ["'answerable'", "'yes'"]),
    ("answerable int", good(answerable=1), ["'answerable'"]),
    ("abstain_ok not bool", good(abstain_ok="no"), ["'abstain_ok'", "'no'"]),
    ("must_contain not list", good(must_contain="overwhelmed"), ["'must_contain'"]),
    ("evidence not list of str", good(evidence=[3]), ["'evidence'"]),
    ("source wrong type", good(source=5), ["'source'", "5"]),
    ("duplicate id", good(id="q0"), ["duplicate id", "'q0'", "line 1"]),
    ("unknown kind", good(kind="trivia"), ["unknown kind", "'trivia'"]),
    ("missing source file", good(source="nope.txt"), ["'nope.txt'", "does not exist"]),
    ("missing file in list", good(source=["a.txt", "gone.txt"]), ["'gone.txt'"]),
    ("parent in source", good(source="../a.txt"), ["'../a.txt'", "relative path inside"]),
    ("backslash in source", good(source="sub\\a.txt"), ["sub\\\\a.txt", "relative path inside"]),
    ("dotdot in source", good(source="..a.txt"), ["'..a.txt'", "relative path inside"]),
    ("answerable no source", good(source=None), ["no source"]),
    ("answerable empty source", good(source=[]), ["no source"]),
    ("answerable no evidence", good(evidence=[]), ["no evidence"]),
    ("evidence absent", good(evidence=["Foo bar"]), ["evidence 'Foo bar'", "a.txt"]),
    (
        "evidence in wrong file",
        good(source="b.txt", evidence=[SENTENCE_A], must_contain=[]),
        ["b.txt"],
    ),
    ("must_contain not lowercase", good(must_contain=["Overwhelmed"]), ["'Overwhelmed'"]),
    ("must_contain absent", good(must_contain=["zebra"]), ["'zebra'", "a.txt"]),
    (
        "unanswerable with source",
        good(answerable=False, kind="unanswerable", evidence=[], must_contain=[]),
        ["unanswerable"],
    ),
    (
        "unanswerable with evidence",
        good(answerable=False, kind="unanswerable", source=None, must_contain=[]),
        ["unanswerable"],
    ),
    (
        "unanswerable with must_contain",
        good(answerable=False, kind="unanswerable", source=None, evidence=[]),
        ["unanswerable"],
    ),
]


@pytest.mark.parametrize(
    ("bad", "fragments"),
    [(bad, fragments) for _, bad, fragments in REJECTIONS],
    ids=[name for name, _, _ in REJECTIONS],
)
def test_rejections_name_line_and_value(
    tmp_path: Path, corpus: Path, bad: dict[str, Any] | str, fragments: list[str]
) -> None:
    # line 1 valid, line 2 blank, line 3 the offending case, line 4 valid again
    path = write_suite(tmp_path, good(id="q0"), "", bad, good(id="q9"))
    with pytest.raises(SuiteError) as raised:
        load_suite(path, corpus)
    message = str(raised.value)
    assert message.startswith("suite.jsonl line 3: ")
    for fragment in fragments:
        assert fragment in message


def test_error_on_later_line_rejects_whole_suite(tmp_path: Path, corpus: Path) -> None:
    path = write_suite(tmp_path, good(), good(id="q2"), "", "", good(id="q3", kind="poem"))
    with pytest.raises(SuiteError, match=r"^suite\.jsonl line 5: .*'poem'"):
        load_suite(path, corpus)


def test_invalid_utf8_line(tmp_path: Path, corpus: Path) -> None:
    path = tmp_path / "suite.jsonl"
    path.write_bytes(json.dumps(good()).encode() + b"\n\xff\xfe\n")
    with pytest.raises(SuiteError, match="line 2"):
        load_suite(path, corpus)


def test_normalize_text() -> None:
    assert (
        normalize_text("  Don\u2019t  \u201cStop\u201d\n\u2013 now \u2014ok ")
        == 'don\'t "stop" - now -ok'
    )


@given(
    st.integers(0, 30), st.integers(0, 10), st.integers(0, 30), st.integers(0, 10), st.booleans()
)
def test_span_overlap_matches_character_sets(
    a_start: int, a_len: int, b_start: int, b_len: int, same_source: bool
) -> None:
    a = Span("x.txt", a_start, a_start + a_len)
    b = Span("x.txt" if same_source else "y.txt", b_start, b_start + b_len)
    shared = set(range(a.start, a.end)) & set(range(b.start, b.end))
    assert a.overlaps(b) == b.overlaps(a) == (same_source and bool(shared))
