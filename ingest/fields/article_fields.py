"""Where an article states its own title, author, date and site, read from the order of its lines.

Saved web pages put these in a few predictable places: a masthead at the top (the site's name,
its menu, then the headline, the byline and date, maybe a share bar) and a signature or
copyright line at the bottom. bylines.py recognises single lines; this module reads them in
order: which line is the headline, which short lines are navigation, which date is the one to
cite. Nothing here is specific to a corpus: users bring folders on any topic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ingest.blocks.block import HEADING, PARAGRAPH, Block
from ingest.documents import FieldSpan
from ingest.fields.bylines import MAX_LINE_WORDS, Found, LineFields, line_fields
from ingest.fields.dates import iso_date
from ingest.fields.names import is_navigation, looks_like_name, looks_like_site

MAX_NAV_WORDS = 4  # "Health A-Z", "Patient Information", "Sign In": menu items are short
MAX_MASTHEAD_WORDS = 5  # the site's name at the very top: "Brookvale Sleep Centre"
MAX_KICKER_WORDS = 3  # one short line alone above a headline: "Sleep", "Patient Guides"
MAX_HEADLINE_WORDS = 20
_SENTENCE_PUNCTUATION = ".,;:|"


@dataclass(frozen=True)
class KnownNames:
    """What metadata.json says: a line that is exactly the author or site is a byline or site
    line, and the title heads any text before the first heading."""

    title: str | None = None
    author: str | None = None
    site: str | None = None


@dataclass(frozen=True)
class Bylines:
    """The title, byline, date and site lines found, as field spans, and the lines they take."""

    spans: tuple[FieldSpan, ...] = ()
    author: str | None = None
    published: str | None = None  # ISO date when the text's date parses
    site: str | None = None
    title: str | None = None  # the headline below a masthead; None when the first line is it
    headline: int | None = None  # the line of that headline
    lines: frozenset[int] = frozenset()  # every byline, date and site line: never body
    navigation: frozenset[int] = frozenset()  # masthead menus and share bars: boilerplate

    @property
    def furniture(self) -> frozenset[int]:
        """Every line that is the page's furniture rather than its text: fields and menus."""
        return self.lines | self.navigation


@dataclass(frozen=True)
class _Masthead:
    title: int | None = None
    site: int | None = None
    navigation: frozenset[int] = frozenset()


def find_bylines(
    text: str, lines: Sequence[tuple[int, int]], candidates: Sequence[int], known: KnownNames
) -> Bylines:
    """Title, byline, date and site lines among `candidates` (line indexes, in order).

    The header is every candidate before the first line of prose. A bare name counts as a
    byline only next to a date line in the header, the way scraped articles print "Jane Doe"
    above "Jan 4, 2026". The first author and site stated win; the date is the first
    publication date, or else the first "Updated"/"Last reviewed" date, which is what a reader
    asking "when was it published" can be shown.
    """
    texts = {i: text[lines[i][0] : lines[i][1]] for i in candidates}
    prose = next((i for i in candidates if len(texts[i].split()) > MAX_LINE_WORDS), len(lines))
    header = [i for i in candidates if i < prose]
    fields = {i: f for i in candidates if (f := line_fields(texts[i], known.author)) is not None}
    fields |= _name_beside_date(header, texts, fields)
    masthead = _masthead(header, texts, fields)
    found: dict[str, tuple[int, Found]] = {}
    dates: list[tuple[int, Found, bool]] = []
    for index in candidates:
        line = fields.get(index)
        if index == masthead.site:
            found.setdefault("site", (index, _whole_line(texts[index])))
        if line is None:
            if known.site and _same_words(texts[index], known.site):
                found.setdefault("site", (index, _whole_line(texts[index])))
            continue
        for name, value in (("author", line.author), ("site", line.site)):
            if value is not None:
                found.setdefault(name, (index, value))
        if line.published is not None:
            dates.append((index, line.published, line.updated))
    if dates:
        index, date, _ = next((d for d in dates if not d[2]), dates[0])
        found["published"] = (index, date)
    if masthead.title is not None:
        found["title"] = (masthead.title, _whole_line(texts[masthead.title]))
    spans = {
        name: FieldSpan(name, lines[index][0] + f.start, lines[index][0] + f.end)
        for name, (index, f) in found.items()
    }
    values = {name: f.value for name, (_, f) in found.items()}
    published = values.get("published")
    taken = set(fields) | {i for i, _ in found.values()}
    return Bylines(
        spans=tuple(sorted(spans.values(), key=lambda s: s.start)),
        author=values.get("author"),
        published=(iso_date(published) or published) if published else None,
        site=values.get("site"),
        title=values.get("title"),
        headline=masthead.title,
        lines=frozenset(taken - {masthead.title}),
        navigation=masthead.navigation - taken,
    )


def _whole_line(line: str) -> Found:
    stripped = line.strip()
    start = line.index(stripped)
    return Found(start, start + len(stripped), stripped)


def _same_words(line: str, name: str) -> bool:
    return " ".join(line.split()).casefold() == " ".join(name.split()).casefold()


def _words(line: str) -> int:
    return len(line.split())


def _name_beside_date(
    header: Sequence[int], texts: Mapping[int, str], fields: Mapping[int, LineFields]
) -> dict[int, LineFields]:
    """The bare name just before (or else just after) the header's first date line, when no
    line names an author; never the first line, which is the headline far more often."""
    if any(f.author for f in fields.values()):
        return {}
    position = next((p for p, i in enumerate(header) if i in fields and fields[i].published), None)
    if position is None:
        return {}
    bars = {i for i in header if is_navigation(texts[i])}  # "Jane Doe / Follow / Mar 3, 2024"
    before = [i for i in header[1:position] if i not in bars][-1:]
    after = [i for i in header[position + 1 :] if i not in bars][:1]
    for neighbour in before + after:
        line = texts[neighbour]
        if neighbour not in fields and looks_like_name(line.strip()):
            return {neighbour: LineFields(author=_whole_line(line))}
    return {}


def _is_headline(line: str) -> bool:
    """A line a headline could be: short, capitalised, not ending like a sentence or a "|"."""
    stripped = line.strip()
    return (
        bool(stripped)
        and _words(stripped) <= MAX_HEADLINE_WORDS
        and (stripped[0].isupper() or stripped[0].isdigit() or stripped[0] in "\"“‘'")
        and stripped[-1] not in _SENTENCE_PUNCTUATION
        and not is_navigation(stripped)
    )


def _is_short(line: str, limit: int) -> bool:
    stripped = line.strip()
    return _words(stripped) <= limit and stripped[-1] not in ".!?:;,"


def _masthead(
    header: Sequence[int], texts: Mapping[int, str], fields: Mapping[int, LineFields]
) -> _Masthead:
    """The headline under a masthead of short lines, the site's name atop it, and the lines
    that are navigation (menus above the headline, a share bar below it)."""
    navigation = {i for i in header if i not in fields and is_navigation(texts[i])}
    plain = [i for i in header if i not in fields and i not in navigation]
    anchor = _first(header, lambda i: i in fields and fields[i].author is not None)
    if anchor is None:
        anchor = _first(header, lambda i: i in fields and fields[i].published is not None)
    title = None
    if anchor is not None:  # the line just before the byline (or date), skipping bars
        title = _headline_before(anchor, header, plain, texts)
        if title is None and header[0] in fields:  # the page opens with its byline or date
            title = _first(plain, lambda i: _is_headline(texts[i]))
    elif len(header) > 2 and is_navigation(texts[header[1]], menu_only=True):
        title = _first(plain, lambda i: i > header[1] and _words(texts[i]) > MAX_NAV_WORDS)
        title = title if title is not None and _is_headline(texts[title]) else None
    atop_menu = _site_atop_menu(header, texts, fields)
    above = [i for i in plain if title is not None and i < title]
    if title is None or title == header[0] or not _is_masthead([texts[i] for i in above]):
        return _Masthead(site=atop_menu, navigation=frozenset(navigation))
    top = above[0] if above else None
    named = len(above) > 1 and looks_like_site(texts[above[0]].strip())
    return _Masthead(title, top if named else atop_menu, frozenset(navigation | set(above[1:])))


def _first(indexes: Iterable[int], test: Callable[[int], bool]) -> int | None:
    return next((i for i in indexes if test(i)), None)


def _headline_before(
    anchor: int, header: Sequence[int], plain: Sequence[int], texts: Mapping[int, str]
) -> int | None:
    """The nearest headline above `anchor`; above a standfirst ("A short answer to a long
    question") the line right before it, when that line is a headline itself."""
    title = _first(reversed([i for i in plain if i < anchor]), lambda i: _is_headline(texts[i]))
    if title is None or not _is_standfirst(texts[title]):
        return title
    position = header.index(title)
    previous = header[position - 1] if position > 0 else None
    if previous in plain and _is_headline(texts[previous]) and not _is_standfirst(texts[previous]):
        return previous
    return title


def _is_standfirst(line: str) -> bool:
    """Sentence-case words, five or more: a subtitle under the headline more often than not."""
    words = line.split()
    lower = sum(1 for w in words[1:] if w[0].islower())
    return len(words) >= 5 and lower * 2 >= len(words) - 1


def _is_masthead(above: Sequence[str]) -> bool:
    """Whether the plain lines above a headline are a site's name and menu, or a short kicker
    ("Nutrition"), rather than an earlier title."""
    if len(above) <= 1:
        return not above or _is_short(above[0], MAX_KICKER_WORDS)
    return _is_short(above[0], MAX_MASTHEAD_WORDS) and all(
        _is_short(line, MAX_NAV_WORDS) for line in above[1:]
    )


def _site_atop_menu(
    header: Sequence[int], texts: Mapping[int, str], fields: Mapping[int, LineFields]
) -> int | None:
    """A site's name in the first or second line, right above a menu line ("Home", "Archives")."""
    for position in (0, 1):
        if position + 1 >= len(header) or header[position] in fields:
            continue
        line = texts[header[position]].strip()
        if (
            _words(line) <= MAX_MASTHEAD_WORDS
            and looks_like_site(line)
            and is_navigation(texts[header[position + 1]], menu_only=True)
        ):
            return header[position]
    return None


def fields_of_lines(lines: Sequence[str], known: KnownNames | None = None) -> Bylines:
    """find_bylines over separate one-line strings (an HTML page's paragraphs), read in order as
    if they were the lines of a text; the spans index "\\n".join(lines)."""
    spans, start = [], 0
    for line in lines:
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return find_bylines("\n".join(lines), spans, range(len(lines)), known or KnownNames())


def settle_bylines(
    text: str,
    blocks: Sequence[Block],
    known: KnownNames,
    *,
    masthead: bool = False,
) -> tuple[tuple[Block, ...], Bylines]:
    """The blocks without the byline, date and site blocks, and the fields those state.

    Each block is read as one line (a wrapped paragraph is the long line it reads as, so no
    line of it passes for a byline or a headline). The words stay in the text, citable as the
    author or the date, but are never quoted as an answer. With `masthead` (texts that may be
    saved web pages: Markdown, plain text), a masthead's menu blocks are dropped too, and the
    headline under it becomes a heading."""
    ordered = sorted(blocks, key=lambda b: b.start)
    spans = [(b.start, b.end) for b in ordered]
    bylines = find_bylines(text, spans, range(len(spans)), known)
    navigation = set(bylines.navigation) if masthead else set()
    kept = []
    for index, item in enumerate(ordered):
        # a byline set apart like a heading is still a byline; a menu never takes a heading
        if index in bylines.lines or (index in navigation and item.kind != HEADING):
            continue
        if masthead and index == bylines.headline and item.kind == PARAGRAPH:
            item = Block(HEADING, item.start, item.end, 1)
        kept.append(item)
    return tuple(kept), bylines
