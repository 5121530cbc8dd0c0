"""The checks every front end applies to user text before it reaches the engine.

Kept free of pydantic and FastAPI so the command line can use it without importing the HTTP edge.
"""

from __future__ import annotations

import unicodedata

MAX_QUESTION_CHARS = 4000
MAX_TOKEN_CHARS = 200


def check_question(value: str, name: str = "question") -> str:
    """The validation both /ask and /search apply to user text; returns the stripped text."""
    text = value.strip()
    if not text:
        raise ValueError(f"{name} must not be empty or only whitespace")
    if len(text) > MAX_QUESTION_CHARS:
        raise ValueError(f"{name} is {len(text)} characters; the limit is {MAX_QUESTION_CHARS}")
    controls = sorted(
        {f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r"}
    )
    if controls:
        raise ValueError(f"{name} contains control characters ({', '.join(controls[:5])})")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):  # from a lone \ud800 JSON escape
        raise ValueError(f"{name} contains unpaired surrogate code points (invalid Unicode)")
    longest = max((len(token) for token in text.split()), default=0)
    if longest > MAX_TOKEN_CHARS:
        raise ValueError(
            f"{name} contains a {longest}-character word; words are limited to "
            f"{MAX_TOKEN_CHARS} characters"
        )
    return text
