"""What a person's name, a site's name and a page's navigation look like, word by word.

Used by the byline recognisers (bylines.py) and the masthead reader (article_fields.py). The
word lists are about web pages in general (menus, credentials, job titles), never about a
corpus's topic.
"""

from __future__ import annotations

import re

from ingest.fields.dates import iso_date

MAX_NAME_WORDS = 4  # per person: "Ana de la Cruz" (particles do not count)
MAX_SITE_WORDS = 6
LINK = re.compile(r"\[(?P<text>[^\]]+)\]\([^)]*\)")  # a Markdown link around a name or menu item
_NAME_TITLES = frozenset(
    "dr dr. prof prof. mr mr. mrs mrs. ms ms. mx mx. sir dame rev rev.".split()
)
_NAME_PARTICLES = frozenset("de van von der den da di du le la del bin al".split())
_NAME_JOINERS = frozenset({"and", "&"})
_NOT_NAME_WORDS = frozenset(
    "a an the of in on at to for from with when why how what is are not or but vs".split()
)
_SITE_CONNECTORS = frozenset("of the and & for on in a an at de la y".split())
_NOT_SITES = re.compile(r"(?:the\s+)?authors?(?:\s*\(s\))?", re.IGNORECASE)  # "© 2016 The Authors"
# Words that make a byline's comma-separated tail a role or an affiliation, not a site.
_ROLE_WORDS = frozenset(
    "staff writer editor reporter correspondent contributor columnist specialist nurse doctor "
    "physician therapist psychologist psychiatrist dietitian nutritionist researcher scientist "
    "professor lecturer director founder author expert coach consultant intern fellow student "
    "manager officer analyst team desk educator practitioner counsellor counselor pharmacist "
    "surgeon dentist midwife paediatrician pediatrician trainer journalist blogger host "
    "producer university hospital institute school college".split()
)
_SUFFIXES = frozenset({"esq", "jr", "sr"})
_MAX_CREDENTIAL_CHARS = 6  # "RN", "PhD", "PharmD", "FNP-BC"
# A site's menu: a short line at the top followed by one of these is the site's name.
MENU = frozenset(
    (
        "home|menu|search|sign in|sign up|log in|login|register|subscribe|newsletter|archives|"
        "archive|about|about us|contact|contact us|blog|news|shop|donate|skip to content|"
        "skip to main content|categories|topics"
    ).split("|")
)
NAVIGATION = MENU | frozenset(
    (
        "share|save|print|email|tweet|comments|listen|follow|follow us|privacy|privacy policy|"
        "terms|terms of use|terms of service|terms and conditions|cookies|cookie policy|"
        "cookie settings|accessibility|sitemap|site map|careers|advertise|help|back to top|"
        "related articles|related posts|read more|next|previous|tags"
    ).split("|")
)
_CALL_TO_ACTION = re.compile(r"(sign ?up|subscribe|log ?in|sign in|newsletter|skip to)\b")
_DOMAIN = re.compile(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.IGNORECASE)
_MENU_BAR = re.compile(r"\s*[|·•]\s*")


def _name_word(word: str) -> bool:
    return word[0].isupper() and all(c.isalpha() or c in "'’.-" for c in word)


def looks_like_name(text: str, *, min_words: int = 2) -> bool:
    """Capitalised words, as in "Rob Stonefield", "Dr. Tomás Reyes" or "Ana de la Cruz and Li
    Wei": 1-4 per person (a Dr./Prof. title and particles not counted); no headings."""
    words = [w.rstrip(",") or w for w in text.split()]
    if not words or len(text) > 80:
        return False
    people, capitalised = [0], 0
    for position, word in enumerate(words):
        lower = word.lower()
        if lower in _NOT_NAME_WORDS:
            return False
        if lower in _NAME_JOINERS and 0 < position < len(words) - 1:
            people.append(0)
        elif lower in _NAME_TITLES and people[-1] == 0:
            continue
        elif _name_word(word):
            people[-1] += 1
            capitalised += 1
        elif lower not in _NAME_PARTICLES:
            return False
    return capitalised >= min_words and all(1 <= n <= MAX_NAME_WORDS for n in people)


def looks_like_site(text: str) -> bool:
    """A publication's name: "HealthHarbor", "The Night Owl Review", "example.com"."""
    words = text.split()
    if not 1 <= len(words) <= MAX_SITE_WORDS or len(text) > 60 or text[-1] in ".,;:!?|":
        return False
    if _NOT_SITES.fullmatch(text) or is_navigation(text) or iso_date(text):
        return False
    if _DOMAIN.fullmatch(text):
        return True
    if not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    return all(
        w[0].isupper() or w[0].isdigit() or w.lower() in _SITE_CONNECTORS or "." in w[1:-1]
        for w in words
    )


def is_role_or_credential(text: str) -> bool:
    """ "RN", "MD", "PhD", "Staff Writer", "Harvard University": what follows a byline's
    comma that is not the site the article appeared on."""
    tokens = text.replace("/", " ").split()
    credential = all(
        (len(t) <= _MAX_CREDENTIAL_CHARS and sum(c.isupper() for c in t) >= 2)
        or t.lower().rstrip(".") in _SUFFIXES
        for t in tokens
    )
    return credential or any(t.lower().rstrip("s.") in _ROLE_WORDS for t in tokens)


def is_navigation(line: str, *, menu_only: bool = False) -> bool:
    """A menu, share-bar or sign-up line of a page ("Home", "Sign In", "Home | About"); with
    `menu_only`, only the site's menu (not "Share" or "Print", which follow headlines)."""
    key = " ".join(LINK.sub(r"\g<text>", line).strip(" *_|").lower().split())
    terms = MENU if menu_only else NAVIGATION
    if key in terms or (_CALL_TO_ACTION.match(key) and len(key.split()) <= 6):
        return True
    items = [item.strip(" *_") for item in _MENU_BAR.split(key)]
    return len(items) > 1 and all(item in NAVIGATION for item in items if item)
