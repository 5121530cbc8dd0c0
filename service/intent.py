"""What kind of answer a question asks for, read from its wording alone (no corpus involved)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_QUESTION = re.compile(
    r"\b(how (many|much|long|old|soon)|percent(age)?|proportion|(what|which|at what) age|"
    r"(what|which) year|how often)\b",
    re.IGNORECASE,
)
_NAME_QUESTION = re.compile(
    r"(^|[^\w])(who|whom|whose)\b|\bwhich (university|author|person)\b", re.IGNORECASE
)
_NUMBER = re.compile(
    r"\d+%?|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|dozens?|hundreds?|"
    r"few|several|half|most|many)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-zA-Z.&-]+")


@dataclass(frozen=True)
class Intent:
    """The answer a question asks for: "number" or "name" (how many, who ...), else None."""

    answer_type: str | None = None


def read_intent(question: str) -> Intent:
    """The question's intent, from its wording."""
    return Intent(answer_type=expected_answer_type(question))


def expected_answer_type(question: str) -> str | None:
    """ "number" or "name" when the question asks for one (how many, who ...), else None."""
    if _NUMBER_QUESTION.search(question):
        return "number"
    if _NAME_QUESTION.search(question):
        return "name"
    return None


def provides_answer_type(kind: str | None, sentence: str, question: str) -> bool:
    """Whether a sentence holds a number or a name that the question did not already give."""
    if kind is None:
        return True
    asked = question.lower()
    pattern = _NUMBER if kind == "number" else _NAME
    return any(m.group().lower() not in asked for m in pattern.finditer(sentence))
