"""Pure answer metrics: required phrases, token F1, similarity, citations, groundedness.

The same conventions as evaluation/scoring/metrics.py: each returns a MetricResult whose per_case
holds the cases it applies to, keyed by the reference mapping; a case missing from the
system output is scored as if the system had produced nothing.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from evaluation.cases.locate import grounded
from evaluation.cases.suite import Span, normalize_text
from evaluation.scoring.metrics import MetricResult, result_of
from ingest.blocks.sentences import ends_sentence

_MARKERS = re.compile(r"(?:\s*\[\d+\])+")
_MARKER = re.compile(r"\[(\d+)\]")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def must_contain_coverage(
    answers: Mapping[str, str], phrases: Mapping[str, Sequence[str]]
) -> MetricResult:
    """Share of a case's required phrases present in its answer (quote/dash/space-insensitive)."""
    return result_of(
        {
            case: _coverage(answers.get(case, ""), wanted)
            for case, wanted in phrases.items()
            if wanted
        }
    )


def _coverage(answer: str, phrases: Sequence[str]) -> float:
    text = normalize_text(answer)
    return sum(normalize_text(phrase) in text for phrase in phrases) / len(phrases)


def squad_tokens(text: str) -> list[str]:
    """SQuAD answer normalisation: lowercase, drop punctuation and articles, split on spaces."""
    lowered = normalize_text(text)
    no_punct = "".join(
        "" if ch in string.punctuation or unicodedata.category(ch).startswith("P") else ch
        for ch in lowered
    )
    return _ARTICLES.sub(" ", no_punct).split()


def _f1(predicted: list[str], gold: list[str]) -> float:
    if not predicted or not gold:
        return float(predicted == gold)
    common = sum((Counter(predicted) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def token_f1(answers: Mapping[str, str], expected: Mapping[str, str]) -> MetricResult:
    """SQuAD-style token F1 between answer and expected answer: lexical answer correctness."""
    return result_of(
        {
            case: _f1(squad_tokens(answers.get(case, "")), squad_tokens(gold))
            for case, gold in expected.items()
            if gold.strip()
        }
    )


def embedding_similarity(
    answer_vectors: Mapping[str, Sequence[float]], expected_vectors: Mapping[str, Sequence[float]]
) -> MetricResult:
    """Cosine of answer and expected-answer embeddings (cases in both; a zero vector gives 0)."""
    per_case: dict[str, float] = {}
    for case, gold in expected_vectors.items():
        if case not in answer_vectors:
            continue
        a = np.asarray(answer_vectors[case], dtype=np.float64)
        b = np.asarray(gold, dtype=np.float64)
        if a.shape != b.shape or a.ndim != 1:
            raise ValueError(f"case {case!r}: vectors of shapes {a.shape} and {b.shape}")
        norms = float(np.linalg.norm(a) * np.linalg.norm(b))
        per_case[case] = float(np.dot(a, b) / norms) if norms > 0 else 0.0
    return result_of(per_case)


def _overlap_share(spans: Sequence[Span], targets: Sequence[Span]) -> float:
    return sum(any(span.overlaps(t) for t in targets) for span in spans) / len(spans)


def citation_precision(
    citations: Mapping[str, Sequence[Span]], evidence: Mapping[str, Sequence[Span]]
) -> MetricResult:
    """Share of a case's citations that overlap one of its evidence spans: are citations apt."""
    return result_of(
        {
            case: _overlap_share(cited, evidence.get(case, ()))
            for case, cited in citations.items()
            if cited
        }
    )


def citation_recall(
    citations: Mapping[str, Sequence[Span]], evidence: Mapping[str, Sequence[Span]]
) -> MetricResult:
    """Share of a case's evidence spans overlapped by some citation: is the evidence cited.

    Every evidence span counts, even when several spans are alternative statements of the same
    fact, so citing just one of two alternatives scores 0.5; this keeps the metric simple.
    """
    return result_of(
        {
            case: _overlap_share(spans, citations.get(case, ()))
            for case, spans in evidence.items()
            if spans
        }
    )


def split_cited_segments(
    answer: str, citations: Sequence[Mapping] | None = None
) -> list[tuple[str, tuple[int, ...]]]:
    """Split "Text. [1] More. [2][3]" into (segment, citation numbers); empty segments dropped.

    With the answer's `citations` known, a quote's own "[2]" or "systems[1]" (a reference in
    the document) is read as text: the answer is matched against its citations as shown, one
    after another, else their markers are looked for in order."""
    if citations:
        shown = [(str(c.get("display") or ""), int(c["n"])) for c in citations]
        if all(text for text, _ in shown) and answer == " ".join(f"{t} [{n}]" for t, n in shown):
            return [(text, (n,)) for text, n in shown]
        ordered = _in_order(answer, len(citations))
        if ordered is not None:
            return ordered
    segments: list[tuple[str, tuple[int, ...]]] = []
    position = 0
    for group in _MARKERS.finditer(answer):
        numbers = tuple(dict.fromkeys(int(n) for n in _MARKER.findall(group.group())))
        text = answer[position : group.start()].strip()
        if text:
            segments.append((text, numbers))
        position = group.end()
    tail = answer[position:].strip()
    if tail:
        segments.append((tail, ()))
    return segments


def _in_order(answer: str, count: int) -> list[tuple[str, tuple[int, ...]]] | None:
    segments: list[tuple[str, tuple[int, ...]]] = []
    cursor = 0
    for number in range(1, count + 1):
        marker = f"[{number}]"
        found = answer.find(marker, cursor)
        if found < 0:
            return None
        text = answer[cursor:found].strip()
        if text:
            segments.append((text, (number,)))
        elif segments:
            segments[-1] = (segments[-1][0], (*segments[-1][1], number))
        cursor = found + len(marker)
    tail = answer[cursor:].strip()
    if tail:
        segments.append((tail, ()))
    return segments


Cited = tuple[str, Sequence[tuple[int, int]]]  # a quote, and the markup spans within it


def groundedness(
    answers: Mapping[str, str],
    cited_text: Mapping[str, Mapping[int, Cited]],
    citations: Mapping[str, Sequence[Mapping]] | None = None,
) -> MetricResult:
    """Share of an answer's segments that say word for word what the source text of a
    citation they carry says (its wrapping and inline markup aside). `citations`, each case's
    citations as the service gave them, tell a quote's own bracketed numbers from markers."""
    per_case: dict[str, float] = {}
    for case, answer in answers.items():
        texts = cited_text.get(case, {})
        segments = split_cited_segments(answer, (citations or {}).get(case))
        if segments:
            grounded_count = sum(
                any(grounded(text, *texts[n]) for n in nums if n in texts)
                for text, nums in segments
            )
            per_case[case] = grounded_count / len(segments)
    return result_of(per_case)


_WHOLE_KINDS = frozenset({"list_item", "heading", "code", "table"})


def is_fragment(citation: Mapping, following: Mapping | None = None) -> bool:
    """A cited quote that stops mid-sentence: not ended as a sentence is, not a list item,
    heading, code block or table (which need no full stop), and not a lead-in that the
    answer's next quote, a code block or table, carries on ("... is set to" + the formula)."""
    if citation.get("kind") in _WHOLE_KINDS:
        return False
    shown = (citation.get("display") or citation.get("quote") or "").rstrip()
    carried = following is not None and following.get("kind") in {"code", "table"}
    return bool(shown) and not ends_sentence(shown) and not carried


def fragment_rate(citations: Mapping[str, Sequence[Mapping]]) -> MetricResult:
    """Share of a case's cited quotes that are fragments (see is_fragment)."""
    return result_of(
        {
            case: sum(
                is_fragment(c, cited[i + 1] if i + 1 < len(cited) else None)
                for i, c in enumerate(cited)
            )
            / len(cited)
            for case, cited in citations.items()
            if cited
        }
    )


def answer_length(
    answers: Mapping[str, str], citations: Mapping[str, Sequence[Mapping]] | None = None
) -> MetricResult:
    """Number of segments (cited or not) per non-empty answer: how long answers run
    (`citations`: each answer's citations, where known)."""
    citations = citations or {}
    return result_of(
        {
            case: float(len(segments))
            for case, answer in answers.items()
            if (segments := split_cited_segments(answer, citations.get(case)))
        }
    )


def answer_chars(answers: Mapping[str, str]) -> MetricResult:
    """Characters per non-empty answer (stripped, citation markers included)."""
    return result_of(
        {case: float(len(answer.strip())) for case, answer in answers.items() if answer.strip()}
    )
