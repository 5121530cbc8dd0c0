"""Whether a question is written in another language than the (English) documents.

No language model: the question's own words (those the documents do not contain, so names,
numbers and identifiers from the documents are left out) are looked up in wordfreq's word
lists (everyday words of seven languages, a build output of service/question/word_rarity.py).
A question is read as written in another language when at least half of those words are
common words of that language (Zipf frequency 3 or more, about once per million words)
and more of them are common there than in English. A typo'd English question ("hw lng shud i
giv him spce") is common in no language, so it is never taken for a foreign one. Only asked
once an answer has abstained, to say why.
"""

from __future__ import annotations

import re

from service.question.word_rarity import COMMON_LANGUAGES, common_words
from service.serving import ServingIndex

MIN_WORDS = 3  # fewer own words than this say too little to judge
NAMES = {"es": "Spanish", "de": "German", "fr": "French", "pt": "Portuguese", "it": "Italian",
         "nl": "Dutch"}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def english_only(language: str) -> str:
    return (
        f"The documents are in English, and this question seems to be in {language}; they do "
        "not answer it as asked. Asking in English, with the names or terms the documents use, "
        "may find an answer."
    )


def question_language(question: str, index: ServingIndex) -> str | None:
    """The name of the other language the question is written in, or None (English, or too
    little to tell)."""
    own = [w.lower() for w in _WORD.findall(question) if not index.lexical.tokens(w)]
    if len(own) < MIN_WORDS:
        return None

    def common_in(language: str) -> float:
        words = common_words(language)
        return sum(w in words for w in own) / len(own)

    english = common_in("en")
    share, code = max((common_in(code), code) for code in COMMON_LANGUAGES if code != "en")
    return NAMES[code] if share >= 0.5 and share > english else None
