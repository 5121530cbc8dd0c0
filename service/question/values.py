"""The value a question asks for (a count of what, a duration, a percentage, a year, a name)
and whether a sentence states one, in the manner of classic QA answer-type checks.

"How many factory workers took part?" is answered by "1,200 factory workers", not by "two
groups of factory workers": a count must quantify the thing asked about. "What percentage"
needs a percentage, "how long" a duration, "what year" a year, "who" a person's name. The
rules are English grammar, not words of any corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.lexical import stem
from service.question.forms import COUNTED_NOUN, NOT_NOUNS, TIME_UNITS, VALUE_FORMS, ValueKind

__all__ = ["ValueKind", "ValueSpec", "holds_value", "value_spec"]


@dataclass(frozen=True)
class ValueSpec:
    """What a sentence must hold to answer: a kind of value, and for counts the counted noun."""

    kind: ValueKind
    units: tuple[str, ...] = ()  # words a count must quantify ("factory", "workers"; "mg")


_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "twenty thirty forty fifty sixty hundred hundreds thousand thousands million dozen dozens "
    "half quarter several few"
)
_NUMBER = re.compile(rf"(\d[\d,.]*|\b(?:{'|'.join(_NUMBER_WORDS.split())})\b)", re.IGNORECASE)
_DURATION = re.compile(rf"{_NUMBER.pattern}[\s-]*(to|-|–|or|and)?[\s\d-]*{TIME_UNITS}\b", re.I)
_PERCENT = re.compile(r"\d[\d,.]*\s*(%|percent\b|per cent\b)|\b(half|a third|a quarter)\b", re.I)
_FREQUENCY = re.compile(
    r"\b(once|twice|\d+ times|every|daily|weekly|monthly|nightly|per (day|week|month|night)|"
    r"a (day|week|month|night)|each (day|week|month|night))\b",
    re.IGNORECASE,
)
_TEMPERATURE = re.compile(r"\d[\d,.]*\s*(°|degrees?\b|º)", re.IGNORECASE)
_AGE = re.compile(
    rf"\b(ages?|aged|years? old|year-olds?|{_NUMBER.pattern}\s*(to|-)\s*\d+\s*(years|months))\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)s?\b")
_MEASURE = re.compile(
    rf"\d[\d,.]*\s*(:\s*\d+|x\s*\d+|(inch|inches|in\.|feet|foot|ft|cm|mm|m|meters?|metres?|km|"
    rf"miles?|gallons?|litres?|liters?|cubic|square|lbs?|pounds?|kg|grams?|g|oz|ounces?|mg|"
    rf"percent|%)\b)|{_NUMBER.pattern}\s+parts?\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<=[\w,;(] )(Dr\.? |Prof\.? )?[A-Z][a-zA-Z'&-]+(?: [A-Z][a-zA-Z'&-]+)*")
_STOP_SCAN = re.compile(r"^(of|in|at|on|for|from|with|per|and|or|but|to|by|that|who|which)$", re.I)
_WORD = re.compile(r"[A-Za-z%][A-Za-z%'-]*|\d[\d,.]*")


def value_spec(question: str) -> ValueSpec | None:
    """The value a question asks for, if it asks for one."""
    kind = next((k for k, pattern in VALUE_FORMS if pattern.search(question)), None)
    if kind is None:
        return None
    units: tuple[str, ...] = ()
    if kind is ValueKind.COUNT and (match := COUNTED_NOUN.search(question)):
        words = [w.lower() for w in match.groups() if w]
        if words[0] not in NOT_NOUNS:  # "how many of ..." names nothing to count
            units = tuple(w for w in words if w not in NOT_NOUNS)
    return ValueSpec(kind, units)


def _stem_of(word: str) -> str:
    return stem(word.strip(".,;:()"))


def _quantifies(sentence: str, units: tuple[str, ...]) -> bool:
    """Whether a number in the sentence counts one of `units` (within a few words, before any
    preposition: "two groups of factory workers" counts groups, not workers)."""
    words = _WORD.findall(sentence)
    targets = {_stem_of(unit) for unit in units}
    for i, word in enumerate(words):
        if not _NUMBER.fullmatch(word):
            continue
        for follower in words[i + 1 : i + 5]:
            if _STOP_SCAN.match(follower):
                break
            if _stem_of(follower) in targets:
                return True
    return False


def holds_value(spec: ValueSpec, sentence: str, question: str) -> bool:
    """Whether a sentence states the kind of value asked for (one the question did not give)."""
    asked = question.lower()

    def new(pattern: re.Pattern[str]) -> bool:
        return any(m.group().strip().lower() not in asked for m in pattern.finditer(sentence))

    if spec.kind is ValueKind.COUNT and spec.units:
        return new(_NUMBER) and _quantifies(sentence, spec.units)
    if spec.kind in (ValueKind.COUNT, ValueKind.AMOUNT):
        return new(_NUMBER)
    pattern = {
        ValueKind.DURATION: _DURATION,
        ValueKind.PERCENT: _PERCENT,
        ValueKind.FREQUENCY: _FREQUENCY,
        ValueKind.TEMPERATURE: _TEMPERATURE,
        ValueKind.AGE: _AGE,
        ValueKind.YEAR: _YEAR,
        ValueKind.MEASURE: _MEASURE,
        ValueKind.NAME: _NAME,
    }[spec.kind]
    return new(pattern)
