"""Turning what a user typed into what retrieval should see."""

from __future__ import annotations

import html
import re

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
