"""Follow-up questions in a chat: an elliptical or pronoun-led question ("and how long does it
keep?", "what about on Windows?") is read with the subject of the earlier turns before
retrieval; a self-contained question is left exactly as it is.

No language model is available, so the subject is carried over as words: the content words of
the previous turn (itself resolved first) are added to a follow-up that leans on them, and in a
"what about X?" follow-up X takes the place of the previous turn's word closest to it in
meaning (the embedding model decides), so "how many hours do adults need?" then "what about
teenagers?" reads as "how many hours do teenagers need?".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.lexical import is_stopword

# Earlier questions a request may send, and the length of each: a follow-up leans on the last
# turn or two, and the whole body stays within RAG_MAX_BODY_BYTES' default even with every
# character escaped in JSON (5 x 1,000 x 6 bytes, beside a 4,000-character question).
MAX_HISTORY = 5
MAX_HISTORY_CHARS = 1000
CARRIED_WORDS = 8  # at most this many words of subject are carried into a follow-up
OWN_WORDS = 3  # content words that name a subject: fewer lean on earlier turns (see below)
# Two words whose embeddings are at least this close name things of one kind (adults and
# teenagers, Linux and Windows); a fixed property of the model's space, not fitted on questions.
SAME_KIND_COSINE = 0.5

_WORD = re.compile(r"[^\W_][\w'’.-]*[^\W_]|[^\W_]", re.UNICODE)
# "what about X", "and for X", "how about X", "same for X", "is it the same for X", "what if X"
_SUBSTITUTION = re.compile(
    r"^\s*(?:and|but|ok(?:ay)?|so)?,?\s*(?:what about|how about|what of|and (?:for|with|in|on|"
    r"about|if)|(?:is it|is that|are they|would it be) (?:the )?same (?:for|with|in|on)|"
    r"same (?:for|with|in|on)|what if|and)\s+(?P<rest>.+?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# Words that point back at something said before
_ANAPHORA = frozenset(
    "it its it's itself they them their theirs those these this that he she him her his one "
    "ones there then such".split()
)
# A follow-up opener: a question that starts like this leans on the turn before
_OPENER = re.compile(
    r"^\s*(?:and|but|also|so|then|ok(?:ay)?|what about|how about|what else|anything else|"
    r"why( not)?\b|how come|and why|is that|was that|does that|do they|does it|did it|can it|"
    r"will it|would it|should it|is it|are they|are those|is this|what does that|more on)\b",
    re.IGNORECASE,
)


# A clause that asks something itself ("and how long does it keep?") is not a "what about X"
_ASKS = re.compile(
    r"(how|what|why|when|where|who|which|is|are|was|were|do|does|did|can|could|should|will|"
    r"would|has|have)\b",
    re.IGNORECASE,
)
_LEADING_PREPOSITION = re.compile(r"^(?:on|in|for|with|at|about|to|of|the|a|an)\s+", re.I)


@dataclass(frozen=True)
class Resolved:
    """The question as retrieval and answering read it, and whether earlier turns shaped it."""

    text: str
    followed_up: bool


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _stem_of(word: str) -> str:
    """A word without its clitic ("what's" -> "what", "doesn't" -> "doesn")."""
    return word.lower().replace("’", "'").split("'")[0]


def content_words(text: str) -> list[str]:
    """The words of `text` that carry its subject: not stopwords, not question words."""
    return [w for w in words(text) if not is_stopword(_stem_of(w)) and not w.isdigit()]


def leans_on_earlier(question: str) -> bool:
    """Whether a question cannot stand alone: it opens like a follow-up ("and ...", "what
    about ..."), or points back ("it", "those", "that one") without naming much of its own, or
    names almost nothing at all ("whats the usual dose")."""
    own = len(content_words(question))
    if own <= OWN_WORDS - 1:
        return True
    if (_SUBSTITUTION.match(question) or _OPENER.match(question)) and own <= 3 * OWN_WORDS:
        return True
    pointing = {_stem_of(w) for w in words(question)} & _ANAPHORA
    return bool(pointing) and own <= OWN_WORDS + 2


def _closest(target: str, candidates: Sequence[str], embed: Callable[[Sequence[str]], np.ndarray]):
    """The candidate word closest in meaning to `target`, with its cosine."""
    vectors = embed([target, *candidates])
    cosines = vectors[1:] @ vectors[0]
    best = int(np.argmax(cosines))
    return candidates[best], float(cosines[best])


def _substitute(
    previous: str, replacement: str, embed: Callable[[Sequence[str]], np.ndarray]
) -> str | None:
    """The previous question with its word closest to `replacement` replaced by it, when they
    name things of one kind; else None."""
    candidates = [w for w in content_words(previous) if w.lower() not in replacement.lower()]
    if not candidates or not content_words(replacement):
        return None
    word, cosine = _closest(" ".join(content_words(replacement)), candidates, embed)
    if cosine < SAME_KIND_COSINE:
        return None
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, previous, count=1)


def _carried(previous: str, question: str) -> str:
    """The previous turn's subject words that the question does not already have."""
    have = {w.lower() for w in words(question)}
    carried: list[str] = []
    for word in content_words(previous):
        if word.lower() not in have and word.lower() not in {c.lower() for c in carried}:
            carried.append(word)
    return " ".join(carried[:CARRIED_WORDS])


def resolve_one(
    question: str, previous: str, embed: Callable[[Sequence[str]], np.ndarray]
) -> Resolved:
    """`question` read after `previous` (an already resolved earlier question)."""
    if not previous.strip() or not leans_on_earlier(question):
        return Resolved(question, False)
    substitution = _SUBSTITUTION.match(question)
    if substitution and not _ASKS.match(substitution.group("rest")):  # "and why is it?" asks
        rest = _LEADING_PREPOSITION.sub("", substitution.group("rest"))
        replaced = _substitute(previous, rest, embed) if content_words(rest) else None
        if replaced is not None:
            return Resolved(replaced, True)
    carried = _carried(previous, question)
    return Resolved(f"{question} {carried}".strip(), bool(carried))


def resolve(
    question: str, history: Sequence[str], embed: Callable[[Sequence[str]], np.ndarray]
) -> Resolved:
    """The question with the subject of the earlier turns (oldest first) where it leans on them.
    Each earlier turn is resolved against the one before it, so a subject carries through a
    chain of follow-ups."""
    previous = ""
    for earlier in history[-MAX_HISTORY:]:
        previous = resolve_one(earlier, previous, embed).text if previous else earlier
    return resolve_one(question, previous, embed)
