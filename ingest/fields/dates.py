"""The date forms articles print, as regular-expression pieces and as ISO dates.

"Mar 3, 2024", "March 3rd, 2024", "3 March 2024", "3rd of March 2024", "2024-03-03" and
"2024/03/03" are dates; "03/03/2024" is not, on purpose: its day and month cannot be told apart.
bylines.py builds its line patterns from these pieces, so every date it finds parses here.
"""

from __future__ import annotations

import re
from datetime import date

MONTH_NAMES = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_MONTH = (
    r"(?:january|february|march|april|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sept|sep|oct|nov|dec)\.?(?![a-z])"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DATE = (
    rf"(?:{_MONTH}\s+{_DAY},?\s+\d{{4}}|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}|"
    r"\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2})(?!\d)"
)
WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)"  # "Tuesday, "
TIME = (  # after a date: ", 10:30 am EST", " at 9.15", "T08:00:00Z"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[a-z]{2,4})?|"
    r"[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)"
)
KEYWORD = (  # what a date line says before its date: "Published", "Last reviewed", "Posted on"
    r"(?:(?:first|originally|last|medically|clinically)\s+)?"
    r"(?:published|posted|updated|reviewed|modified|revised|edited|created|written|dated?)"
    r"(?:\s+on)?"
)
_UPDATE_WORDS = re.compile(r"updat|review|modif|revis|edit", re.IGNORECASE)
_ISO_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}.*")
_WHOLE_DATE = re.compile(rf"{WEEKDAY}?(?P<date>{DATE})", re.IGNORECASE)
_ORDINAL_OR_OF = re.compile(r"(?<=\d)(st|nd|rd|th)\b|\bof\b", re.IGNORECASE)


def is_update_keyword(text: str | None) -> bool:
    """Whether a date's keyword or label says it was updated or reviewed, not first published."""
    return bool(text and _UPDATE_WORDS.search(text))


def iso_date(text: str) -> str | None:
    """`text` as an ISO date (2026-01-04) when it is one of the date forms articles use."""
    text = text.strip()
    stamp = _ISO_STAMP.fullmatch(text)  # "2024-03-01T10:00:00Z": the date part
    match = _WHOLE_DATE.fullmatch(stamp.group(1) if stamp else text)
    if match is None:
        return None
    raw = _ORDINAL_OR_OF.sub("", match.group("date"))
    parts = raw.replace(",", " ").replace(".", " ").replace("/", "-").split()
    try:
        if len(parts) == 1:
            return date.fromisoformat(parts[0]).isoformat()
        day, month, year = parts if parts[0].isdigit() else (parts[1], parts[0], parts[2])
        return date(int(year), MONTH_NAMES.index(month[:3].lower()) + 1, int(day)).isoformat()
    except ValueError:
        return None
