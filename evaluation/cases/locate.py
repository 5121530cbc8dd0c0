"""Finding a suite's evidence in a document's citable text, whatever its layout.

Suites quote sentences as a reader reads them: wrapped lines joined, inline markup left out,
a word hyphenated at a line end made whole. The citable text may be a hard-wrapped file with
its markup, or a text composed from HTML or PDF. So a snippet is found exactly when it can be,
else by its letters and digits alone (case, spacing, punctuation and markup aside), and mapped
back to its exact span.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence

Spans = Sequence[tuple[int, int]]


def squash(text: str, markup: Spans = ()) -> tuple[str, list[int]]:
    """The letters and digits of `text` outside `markup`, lower-cased, each with its offset."""
    starts = [a for a, _ in markup]
    keys: list[str] = []
    origin: list[int] = []
    for position, char in enumerate(text):
        if not char.isalnum():
            continue
        if markup:
            i = bisect.bisect_right(starts, position) - 1
            if i >= 0 and markup[i][0] <= position < markup[i][1]:
                continue
        for folded in unicodedata.normalize("NFKC", char).lower():
            if folded.isalnum():
                keys.append(folded)
                origin.append(position)
    return "".join(keys), origin


def squashed(text: str) -> str:
    return squash(text)[0]


def locate(snippet: str, text: str, markup: Spans = ()) -> tuple[int, int] | None:
    """Where `snippet` is written in `text`: exactly, else by its letters and digits."""
    found = text.find(snippet)
    if found >= 0:
        return found, found + len(snippet)
    key = squashed(snippet)
    if not key:
        return None
    haystack, origin = squash(text, markup)
    found = haystack.find(key)
    if found < 0 and markup:
        haystack, origin = squash(text)
        found = haystack.find(key)
    if found < 0:
        return None
    start, end = origin[found], origin[found + len(key) - 1] + 1
    head = snippet[: len(snippet) - len(snippet.lstrip("\"“‘'([*_`"))]
    tail = snippet[len(snippet.rstrip(".!?:;,\"”’')]*_`")) :]
    if head and text[start - len(head) : start] == head:
        start -= len(head)  # the opening quote or bracket the snippet starts with
    if tail and text[end : end + len(tail)] == tail:
        end += len(tail)  # and its closing punctuation
    return start, end


def grounded(segment: str, quote: str, markup: Spans = ()) -> bool:
    """Whether an answer segment says only what its quote says, word for word and in order
    (the quote's wrapping and markup aside; `markup` is relative to the quote)."""
    return segment in quote or squashed(segment) in squash(quote, markup)[0]
