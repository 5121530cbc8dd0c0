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
from enum import StrEnum


class ValueKind(StrEnum):
    COUNT = "count"  # how many <things>
    AMOUNT = "amount"  # how much <stuff> / how many mg ...
    DURATION = "duration"  # how long, how many days
    PERCENT = "percent"  # what percentage / proportion / share
    FREQUENCY = "frequency"  # how often
    TEMPERATURE = "temperature"
    AGE = "age"  # how old, at what age
    YEAR = "year"  # what year, when was
    MEASURE = "measure"  # how big / far / deep / tall / ratio
    NAME = "name"  # who, which person / university / journal


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
_TIME_UNITS = r"(seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?|decades?)"
_DURATION = re.compile(rf"{_NUMBER.pattern}[\s-]*(to|-|–|or|and)?[\s\d-]*{_TIME_UNITS}\b", re.I)
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

_NAME_NOUNS = (
    "university|person|researcher|scientist|expert|doctor|journal|institute|institution|"
    "organi[sz]ation|company|team|species|author"
)
_KIND_OF_QUESTION = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (ValueKind.PERCENT, r"\bpercent(age)?\b|\b(what|which) (proportion|share|fraction)\b"),
        (ValueKind.FREQUENCY, r"\bhow (often|frequently)\b|\bhow many times\b"),
        (ValueKind.DURATION, rf"\bhow long\b|\bhow many {_TIME_UNITS}\b|\bhow soon\b"),
        (ValueKind.AGE, r"\bhow old\b|\b(what|which|at what) age\b"),
        (ValueKind.TEMPERATURE, r"\b(what|which) temperature\b|\bhow (hot|cold|warm)\b"),
        (ValueKind.YEAR, r"\b(what|which) year\b|\bwhen (did|was|were)\b"),
        (ValueKind.MEASURE, r"\bhow (big|large|far|deep|tall|wide|thick|heavy|high)\b|\bratio\b"),
        (ValueKind.COUNT, r"\bhow many\b|\b(what|which) (number|amount|dose|dosage)\b"),
        (ValueKind.AMOUNT, r"\bhow much\b"),
        (ValueKind.NAME, rf"(^|[^\w])(who|whom|whose)\b|\b(which|what) ({_NAME_NOUNS})\b"),
    )
)
_UNIT_AFTER = re.compile(r"\bhow many\s+([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?", re.I)
_NOT_NOUNS = frozenset(
    "do does did is are was were should can could would will have has had of the a an in on "
    "for to i you we they he she it my your his her their our people".split()
)


def value_spec(question: str) -> ValueSpec | None:
    """The value a question asks for, if it asks for one."""
    kind = next((k for k, pattern in _KIND_OF_QUESTION if pattern.search(question)), None)
    if kind is None:
        return None
    units: tuple[str, ...] = ()
    if kind is ValueKind.COUNT and (match := _UNIT_AFTER.search(question)):
        words = [w.lower() for w in match.groups() if w]
        if words[0] not in _NOT_NOUNS:  # "how many of ..." names nothing to count
            units = tuple(w for w in words if w not in _NOT_NOUNS)
    return ValueSpec(kind, units)


def _stem(word: str) -> str:
    word = word.lower().strip(".,;:()")
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _quantifies(sentence: str, units: tuple[str, ...]) -> bool:
    """Whether a number in the sentence counts one of `units` (within a few words, before any
    preposition: "two groups of factory workers" counts groups, not workers)."""
    words = _WORD.findall(sentence)
    targets = {_stem(unit) for unit in units}
    for i, word in enumerate(words):
        if not _NUMBER.fullmatch(word):
            continue
        for follower in words[i + 1 : i + 5]:
            if _STOP_SCAN.match(follower):
                break
            if _stem(follower) in targets:
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
