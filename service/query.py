"""Turning what a user typed into what retrieval should see."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from bm25s.stopwords import STOPWORDS_EN_PLUS
from wordfreq import zipf_frequency

from ingest.sentences import split_sentences

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^>]{0,500}>")
_SPACE = re.compile(r"\s+")
# The embedding model reads 256 word pieces; a long question keeps its asking sentences.
FOCUS_CHARS = 600


def clean_question(question: str) -> str:
    """Markup removed and whitespace collapsed; the words themselves are left alone."""
    text = _SCRIPT.sub(" ", question)
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACE.sub(" ", text).strip()


def focus_question(text: str) -> str:
    """For a long, rambling question, the sentences that ask (or the tail, where asking sits)."""
    if len(text) <= FOCUS_CHARS:
        return text
    sentences = [s.text for s in split_sentences(text)]
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    focus = " ".join(asking[-2:]) if asking else ""
    if len(focus) < 40:
        focus = " ".join(sentences[-2:]) if sentences else text
    return focus[-FOCUS_CHARS:]


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


_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)
COMMON_ZIPF = 6.0  # "the" is about 7.7, "guy" 5.4, "freud" 3.5, "oxytocin" 2.8


def load_word_frequencies() -> None:
    """Load wordfreq's English list now (about 0.3 s) rather than on the first question."""
    zipf_frequency("question", "en")


def rare_unknown_word(question: str, known: Callable[[str], bool]) -> float:
    """How rare in everyday English the rarest question word is that the articles never use.

    A question about "oxytocin" or "Freud" names something the articles would have to mention
    to answer it; a question using "guy" or "clearly" does not. Words English does not know
    at all (another language, a garbled typo) tell nothing either way and count as 0.
    """
    rarest = 0.0
    for word in set(_WORD.findall(question.lower())) - _STOPWORDS:
        zipf = zipf_frequency(word, "en")
        rarity = max(COMMON_ZIPF - zipf, 0.0) / COMMON_ZIPF
        if zipf > 0 and rarity > rarest and not known(word):  # the corpus check costs most
            rarest = rarity
    return rarest
