"""A span of citable text as a reader reads it, with the way back to the exact characters.

Files keep their line breaks and their inline markup (Markdown's `**`, backticks and link
targets), and a citation quotes the file exactly. Matching, embedding and segmenting read the
span with markup dropped and every run of whitespace, line breaks included, as one space: a line
that only wraps is no boundary. `PlainView` holds that reading and maps each of its characters
back to the file, so a sentence found in the reading is cited by its exact span in the file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

_WORD = re.compile(r"\S+")
_UNTIDY = re.compile(r"\s\s|[^\S ]")  # two whitespace characters, or one that is not a space

Spans = Sequence[tuple[int, int]]


@dataclass(frozen=True)
class PlainView:
    """`plain` is `text[start:end]` as read; character `p` of it comes from `raw(p)`.

    The mapping is kept as runs: from `run_plain[i]` on, plain characters follow the text
    from `run_raw[i]` one for one, until the next run starts.
    """

    plain: str
    run_plain: tuple[int, ...]
    run_raw: tuple[int, ...]

    def raw(self, position: int) -> int:
        """Where plain character `position` stands in the text."""
        run = bisect.bisect_right(self.run_plain, position) - 1
        return self.run_raw[run] + position - self.run_plain[run]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The exact text span of plain characters `start:end` (end > start)."""
        return self.raw(start), self.raw(end - 1) + 1


def _visible(start: int, end: int, markup: Spans) -> list[tuple[int, int]]:
    """The parts of `start:end` outside the markup spans (sorted, non-overlapping)."""
    parts, cursor = [], start
    first = max(bisect.bisect_left(markup, (start,)) - 1, 0)
    for hidden_start, hidden_end in markup[first:]:
        if hidden_start >= end:
            break
        if hidden_end <= cursor:
            continue
        if hidden_start > cursor:
            parts.append((cursor, hidden_start))
        cursor = max(cursor, hidden_end)
    if cursor < end:
        parts.append((cursor, end))
    return parts


def _tidy(text: str, start: int, end: int, markup: Spans) -> bool:
    """Whether `text[start:end]` reads as it stands: no markup, no run or kind of whitespace
    but single spaces, nothing to trim."""
    if start >= end or text[start].isspace() or text[end - 1].isspace():
        return False
    if markup and _visible(start, end, markup) != [(start, end)]:
        return False
    return _UNTIDY.search(text, start, end) is None


def plain_view(text: str, start: int, end: int, markup: Spans = ()) -> PlainView:
    """`text[start:end]` with markup dropped and whitespace collapsed, mapped back to `text`."""
    if _tidy(text, start, end, markup):
        return PlainView(text[start:end], (0,), (start,))
    parts: list[str] = []
    run_plain: list[int] = []
    run_raw: list[int] = []
    length = 0
    previous: tuple[int, int] | None = None  # (end of the last word, its visible part)
    segments = _visible(start, end, markup)
    for number, (seg_start, seg_end) in enumerate(segments):
        for word in _WORD.finditer(text, seg_start, seg_end):
            if previous is not None:
                spaced = _space_between(previous, (word.start(), number), segments)
                if spaced and word.start() == previous[0] + 1 and run_plain:
                    parts.append(" ")  # one space in the text: the run goes on
                    length += 1
                else:
                    if spaced:
                        run_plain.append(length)
                        run_raw.append(previous[0])
                        parts.append(" ")
                        length += 1
                    run_plain.append(length)
                    run_raw.append(word.start())
            else:
                run_plain.append(length)
                run_raw.append(word.start())
            parts.append(word.group())
            length += word.end() - word.start()
            previous = (word.end(), number)
    if not run_plain:
        return PlainView("", (0,), (start,))
    return PlainView("".join(parts), tuple(run_plain), tuple(run_raw))


def _space_between(
    before: tuple[int, int], after: tuple[int, int], segments: list[tuple[int, int]]
) -> bool:
    """Whether visible whitespace separates two words (markup alone joins them: "`a`s")."""
    (end, first), (start, last) = before, after
    if first == last:
        return True  # inside one visible part, only whitespace lies between words
    visible = segments[first][1] - end + start - segments[last][0]
    visible += sum(b - a for a, b in segments[first + 1 : last])
    return visible > 0


def plain_text(text: str, start: int, end: int, markup: Spans = ()) -> str:
    """`text[start:end]` as read: markup dropped, whitespace collapsed."""
    if _tidy(text, start, end, markup):
        return text[start:end]
    return plain_view(text, start, end, markup).plain


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces (what a quote looks like once its wrapping goes)."""
    return " ".join(text.split())


def joined_view(text: str, spans: Sequence[tuple[int, int]], markup: Spans = ()) -> PlainView:
    """Several spans read one after another, a line break between two (mapped to the end of
    the span before it): what a splitter sees depends on the blocks alone, never on how a
    file spaced them, so every layout of a document is cut alike."""
    parts: list[str] = []
    run_plain: list[int] = []
    run_raw: list[int] = []
    length = 0
    for start, end in spans:
        view = plain_view(text, start, end, markup)
        if not view.plain:
            continue
        if parts:
            separator = "\n"
            run_plain.append(length)
            run_raw.append(max(run_raw[-1], start - 1))
            parts.append(separator)
            length += len(separator)
        run_plain.extend(length + p for p in view.run_plain)
        run_raw.extend(view.run_raw)
        parts.append(view.plain)
        length += len(view.plain)
    if not parts:
        return PlainView("", (0,), (spans[0][0] if spans else 0,))
    return PlainView("".join(parts), tuple(run_plain), tuple(run_raw))
