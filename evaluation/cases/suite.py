"""Loading and validating an evaluation suite: JSONL cases checked against the corpus files."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from evaluation.cases.locate import locate, squash, squashed
from ingest.corpus import is_corpus_path
from ingest.corpus import read_source as read_corpus_source
from ingest.documents import CorpusError, Document

KINDS = frozenset(
    {"fact", "number", "list", "why", "how", "code", "meta", "multi", "unanswerable", "adversarial"}
)
STYLES = frozenset(
    {"plain", "chatty", "typo", "rambling", "keyword", "formal", "foreign", "injection"}
)

_QUOTES = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark / apostrophe
        "\u201a": "'",  # single low-9 quotation mark
        "\u201b": "'",  # single high-reversed-9 quotation mark
        "\u2032": "'",  # prime
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9 quotation mark
        "\u201f": '"',  # double high-reversed-9 quotation mark
        "\u2033": '"',  # double prime
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
    }
)


class SuiteError(ValueError):
    """A suite file cannot be used; the message names the file and the 1-based line."""


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) into the original text of one corpus file."""

    source: str
    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        """Whether both spans are in the same file and share at least one character."""
        return self.source == other.source and max(self.start, other.start) < min(
            self.end, other.end
        )


@dataclass(frozen=True)
class Case:
    """One validated question of a suite, with its evidence located in the corpus."""

    id: str
    question: str
    answerable: bool
    expected_answer: str
    must_contain: tuple[str, ...]
    sources: tuple[str, ...]
    evidence: tuple[str, ...]
    kind: str
    abstain_ok: bool
    line: int
    evidence_spans: tuple[Span, ...]
    style: str = "plain"  # how the question is phrased: plain, chatty, typo, rambling ...
    history: tuple[str, ...] = ()  # a chat's earlier questions, oldest first (follow-up suites)
    full_question: str = ""  # a follow-up written out in full, understandable alone


def normalize_text(text: str) -> str:
    """Lowercase, straighten curly quotes, map dashes to '-', collapse whitespace: match form."""
    return " ".join(text.translate(_QUOTES).lower().split())


def read_source(corpus_dir: Path, name: str) -> Document:
    """A corpus file as its reader makes it (the file itself for .txt and .md, the composed
    text for HTML, PDF and Word), so evidence offsets are the index's offsets."""
    return read_corpus_source(corpus_dir, name)


def load_suite(path: Path, corpus_dir: Path) -> list[Case]:
    """Load a JSONL suite and check every case against the corpus; reject it on any error."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SuiteError(f"{path.name}: cannot read suite ({error})") from error
    texts: dict[str, Document] = {}
    seen: dict[str, int] = {}
    cases: list[Case] = []
    for number, raw_line in enumerate(raw.split(b"\n"), start=1):
        fail = _failer(path.name, number)
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise fail(f"not valid UTF-8 ({error.reason})") from error
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        case = _parse_case(line, number, fail, partial(_cached, texts, corpus_dir, fail=fail))
        if case.id in seen:
            raise fail(f"duplicate id {case.id!r} (first used on line {seen[case.id]})")
        seen[case.id] = number
        cases.append(case)
    return cases


def _failer(file_name: str, number: int) -> Callable[[str], SuiteError]:
    return lambda message: SuiteError(f"{file_name} line {number}: {message}")


def _cached(
    texts: dict[str, Document], corpus_dir: Path, name: str, fail: Callable[[str], SuiteError]
) -> Document:
    if name not in texts:
        if not is_corpus_path(name):
            raise fail(f"source {name!r} is not a relative path inside the corpus")
        if not (corpus_dir / name).is_file():
            raise fail(f"source {name!r} does not exist in {corpus_dir}")
        try:
            texts[name] = read_source(corpus_dir, name)
        except (OSError, CorpusError) as error:
            raise fail(f"source {name!r} cannot be read ({error})") from error
    return texts[name]


def _parse_case(
    line: str, number: int, fail: Callable[[str], SuiteError], text_of: Callable[[str], Document]
) -> Case:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise fail(f"invalid JSON ({error.msg} at column {error.colno})") from error
    if not isinstance(record, dict):
        raise fail(f"expected a JSON object, got {type(record).__name__}")
    case_id = _required_text(record, "id", fail)
    question = _required_text(record, "question", fail)
    answerable = _field(record, "answerable", bool, None, fail)
    kind = _required_text(record, "kind", fail)
    if kind not in KINDS:
        raise fail(f"unknown kind {kind!r} (expected one of {', '.join(sorted(KINDS))})")
    style = _field(record, "style", str, "plain", fail)
    if style not in STYLES:
        raise fail(f"unknown style {style!r} (expected one of {', '.join(sorted(STYLES))})")
    expected_answer = _field(record, "expected_answer", str, "", fail)
    abstain_ok = _field(record, "abstain_ok", bool, False, fail)
    must_contain = _text_list(record, "must_contain", fail)
    evidence = _text_list(record, "evidence", fail)
    sources = _sources(record.get("source"), fail)
    if answerable and not sources:
        raise fail(f"answerable case {case_id!r} has no source")
    if answerable and not evidence:
        raise fail(f"answerable case {case_id!r} has no evidence")
    if not answerable and (sources or evidence or must_contain):
        raise fail(f"unanswerable case {case_id!r} must have no source, evidence or must_contain")
    texts = {name: text_of(name) for name in sources}
    _check_must_contain(must_contain, texts, fail)
    return Case(
        id=case_id,
        question=question,
        answerable=answerable,
        expected_answer=expected_answer,
        must_contain=must_contain,
        sources=sources,
        evidence=evidence,
        kind=kind,
        abstain_ok=abstain_ok,
        line=number,
        evidence_spans=_locate(evidence, texts, fail),
        style=style,
        history=_text_list(record, "history", fail),
        full_question=_field(record, "full_question", str, "", fail),
    )


def _field(
    record: Mapping[str, Any],
    key: str,
    kind: type,
    default: Any,
    fail: Callable[[str], SuiteError],
) -> Any:
    if key not in record:
        if default is None:
            raise fail(f"missing required field {key!r}")
        return default
    value = record[key]
    if not isinstance(value, kind):
        raise fail(f"field {key!r} must be {kind.__name__}, got {value!r}")
    return value


def _required_text(record: Mapping[str, Any], key: str, fail: Callable[[str], SuiteError]) -> str:
    value: str = _field(record, key, str, None, fail)
    if not value.strip():
        raise fail(f"field {key!r} must not be empty")
    return value


def _text_list(
    record: Mapping[str, Any], key: str, fail: Callable[[str], SuiteError]
) -> tuple[str, ...]:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise fail(f"field {key!r} must be a list of strings, got {value!r}")
    if any(not item for item in value):
        raise fail(f"field {key!r} must not contain empty strings")
    return tuple(value)


def _sources(value: Any, fail: Callable[[str], SuiteError]) -> tuple[str, ...]:
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise fail(f"field 'source' must be a file name, a list of file names or null: {value!r}")
    for name in names:
        if not is_corpus_path(name):
            raise fail(f"source {name!r} is not a relative path inside the corpus")
    return tuple(dict.fromkeys(names))


def _check_must_contain(
    phrases: tuple[str, ...], texts: Mapping[str, Document], fail: Callable[[str], SuiteError]
) -> None:
    """Each phrase must be in a source as read (wrapping, markup and punctuation aside)."""
    read = [squash(doc.text, doc.markup)[0] for doc in texts.values()]
    for phrase in phrases:
        if phrase != phrase.lower():
            raise fail(f"must_contain phrase {phrase!r} is not lowercase")
        if not any(squashed(phrase) in text for text in read):
            raise fail(f"must_contain phrase {phrase!r} does not occur in {', '.join(texts)}")


def _locate(
    evidence: tuple[str, ...], texts: Mapping[str, Document], fail: Callable[[str], SuiteError]
) -> tuple[Span, ...]:
    spans: list[Span] = []
    for snippet in evidence:
        found = [
            Span(name, *where)
            for name, doc in texts.items()
            if (where := locate(snippet, doc.text, doc.markup)) is not None
        ]
        if not found:
            raise fail(f"evidence {snippet!r} does not occur in {', '.join(texts)}")
        spans.extend(found)
    return tuple(spans)
