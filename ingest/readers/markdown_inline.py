"""Inline Markdown that is cited but not read: emphasis marks, code backticks, link brackets and
targets, escapes, inline HTML tags and comments.

Each is returned as a span of the file; ingest/blocks/plain.py drops those spans from what is
segmented, matched and shown, so `**Is it free?**` reads as the question "Is it free?" and
"[the guide](https://x.org/g)" as "the guide", while a citation still quotes the file exactly.
"""

from __future__ import annotations

import re

_CODE_RUN = re.compile(r"`+")
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?/?>")
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^<>\s]+>|<[^<>\s@]+@[^<>\s]+>")
# "](target)", "](target "title")", "][ref]" and "][]" close a link; "![" or "[" opens it.
_LINK_CLOSE = re.compile(
    r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\)|\]\[[^\]]*\]"
)
_EMPHASIS = re.compile(r"\*{1,3}|_{1,3}|~~")

Spans = list[tuple[int, int]]


def _code_spans(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(open start, content start, close end) of each code span: its backticks hide, its
    content is read as written."""
    found, position = [], start
    while True:
        opening = _CODE_RUN.search(text, position, end)
        if opening is None:
            return found
        run = opening.group()
        closing = re.compile(rf"(?<!`){run}(?!`)").search(text, opening.end(), end)
        if closing is None:
            position = opening.end()
            continue
        found.append((opening.start(), opening.end(), closing.end()))
        position = closing.end()


def _flanking(text: str, start: int, end: int, lo: int, hi: int) -> bool:
    """Whether a run of `*`/`_` at start:end opens or closes emphasis (CommonMark's rule,
    simplified): a word character on one side, no space on that side; `_` never inside a word."""
    before = text[start - 1] if start > lo else " "
    after = text[end] if end < hi else " "
    opens = not after.isspace() and (before.isspace() or not before.isalnum() or text[start] == "*")
    closes = not before.isspace() and (after.isspace() or not after.isalnum() or text[start] == "*")
    if text[start] == "_" and before.isalnum() and after.isalnum():
        return False  # snake_case
    return opens or closes


def inline_markup(text: str, start: int, end: int) -> Spans:
    """The markup spans inside `text[start:end]` (one block's inline content), sorted."""
    hidden: Spans = []
    code = _code_spans(text, start, end)
    literal = [(a, c) for a, _, c in code]
    for a, b, c in code:
        hidden.append((a, b))
        hidden.append((c - (b - a), c))

    escaped = {
        m.start() + 1
        for m in _ESCAPE.finditer(text, start, end)
        if not any(a <= m.start() < c for a, c in literal)
    }  # a character after a backslash is itself, never markup

    def free(position: int) -> bool:
        return position not in escaped and not any(a <= position < c for a, c in literal)

    for pattern in (_COMMENT, _AUTOLINK, _TAG):
        for match in pattern.finditer(text, start, end):
            if free(match.start()) and not _covered(hidden, match.start(), match.end()):
                if pattern is _AUTOLINK:
                    hidden += [(match.start(), match.start() + 1), (match.end() - 1, match.end())]
                else:
                    hidden.append((match.start(), match.end()))
    for position in sorted(escaped):
        if not _covered(hidden, position - 1, position):
            hidden.append((position - 1, position))
    for match in _LINK_CLOSE.finditer(text, start, end):
        if not free(match.start()) or _covered(hidden, match.start(), match.end()):
            continue
        opening = _opening_bracket(text, start, match.start())
        if opening is None or not free(opening):
            continue
        image = opening > start and text[opening - 1] == "!"
        hidden.append((opening - 1 if image else opening, opening + 1))
        hidden.append((match.start(), match.end()))
    for match in _EMPHASIS.finditer(text, start, end):
        a, b = match.span()
        literal_marks = any(p in escaped for p in range(a, b))
        if (
            free(a)
            and not literal_marks
            and not _covered(hidden, a, b)
            and _flanking(text, a, b, start, end)
        ):
            hidden.append((a, b))
    return merged(hidden)


def _opening_bracket(text: str, start: int, close: int) -> int | None:
    """The `[` that the `]` at `close` closes (brackets nest; an escaped one is text)."""
    depth = 0
    for position in range(close - 1, start - 1, -1):
        char = text[position]
        if position > start and text[position - 1] == "\\":
            continue
        if char == "]":
            depth += 1
        elif char == "[":
            if depth == 0:
                return position
            depth -= 1
    return None


def _covered(hidden: Spans, start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in hidden)


def merged(spans: Spans) -> Spans:
    """Sorted spans with overlapping or touching ones joined."""
    joined: Spans = []
    for a, b in sorted(spans):
        if joined and a <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], b))
        elif b > a:
            joined.append((a, b))
    return joined
