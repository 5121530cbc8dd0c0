"""The one table of English question forms: which wording asks for which kind of answer.

Intent (service/question/intent.py) reads a question's answer type, the article fields and the
value it asks for from these forms; the answerer's selection reads LIST_CUE and the answers
about an article read ARTICLE_ASKING_WORDS. They are ordinary English question forms, not
words of any one corpus.
"""

from __future__ import annotations

import re
from enum import StrEnum


class AnswerType(StrEnum):
    REASON = "reason"  # why ..., what causes ...
    STEPS = "steps"  # how do I ..., what should I do ...
    LIST = "list"  # what are the signs / types / examples ...
    NUMBER = "number"  # how many / much / long / often, what percentage
    DATE = "date"  # when did / what year
    NAME = "name"  # who / which person, university, author
    FACT = "fact"  # anything else


class ArticleField(StrEnum):
    """A question about the article itself rather than its subject."""

    AUTHOR = "author"
    PUBLISHED = "published"
    SITE = "site"
    TITLE = "title"


class ValueKind(StrEnum):
    COUNT = "count"  # how many <things>
    AMOUNT = "amount"  # how much <stuff> / how many mg ...
    DURATION = "duration"  # how long, how many days
    PERCENT = "percent"  # what percentage / proportion / share
    FREQUENCY = "frequency"  # how often
    TEMPERATURE = "temperature"
    AGE = "age"  # how old, at what age
    YEAR = "year"  # what year, when was
    MEASURE = "measure"  # how big / far / deep / tall / ratio
    NAME = "name"  # who, which person / university / journal


_ARTICLE = r"(article|post|guide|piece|page|blog|story|essay|report|faq|write-?up|text)"
ARTICLE_FIELD_FORMS = (
    (
        ArticleField.AUTHOR,
        re.compile(
            rf"\b(who (wrote|writes|authored|penned|is behind|created)|author|byline|"
            rf"written by|writer of|{_ARTICLE}'?s? writer)\b",
            re.IGNORECASE,
        ),
    ),
    (
        ArticleField.PUBLISHED,
        re.compile(
            rf"\b(when (was|were|is|did) (it|this|that|the|they|these|those)\b.{{0,80}}?"
            rf"\b(published|written|posted|released|updated|come out|put out)|"
            rf"(publication|publish(ed)?|post(ed)?|release|update[d]?) date|date of (publication|"
            rf"the {_ARTICLE})|(published|posted|written|updated) (on )?(what|which) (date|day)|"
            rf"{_ARTICLE}(s'|'s)? date|how (old|recent) is (the|this|that) {_ARTICLE}|"
            rf"last (updated|reviewe?d|modified))\b",
            re.IGNORECASE,
        ),
    ),
    (
        ArticleField.SITE,
        re.compile(
            r"\b((which|what) (site|website|blog|publication|publisher|magazine|outlet|source)"
            r"|(site|website|blog|publisher) name|name of the (site|website|blog|publisher)|"
            r"(published|posted) (by|on|at) (which|what)|where was (it|this|that|the \w+) "
            r"published)\b",
            re.IGNORECASE,
        ),
    ),
    (
        ArticleField.TITLE,
        re.compile(
            rf"\b(title of|what('s| is) the (title|headline)|what is (the|this|that) {_ARTICLE} "
            rf"(called|titled)|(name|title) of (the|this|that) {_ARTICLE}|headline)\b",
            re.IGNORECASE,
        ),
    ),
)

NUMBER_FORM = re.compile(
    r"\b(how (many|much|long|old|soon|often|far|big|large|deep|hot|cold|warm|tall|wide|thick|"
    r"heavy|frequently)|percent(age)?|proportion|ratio|(what|which|at what) (age|temperature|"
    r"size|amount|number|dose|dosage|rate)|what year|how many (days|weeks|hours|minutes))\b",
    re.IGNORECASE,
)
DATE_FORM = re.compile(
    r"(^|[^\w])(when (did|was|were|will|does|do|is)\b(?!.{0,40}\b(he|she|they|i|you|we)\b)|"
    r"(what|which) (year|date|month|decade)|since when)",
    re.IGNORECASE,
)
NAME_FORM = re.compile(
    r"(^|[^\w])(who|whom|whose)\b|\b(which|what) (university|author|person|researcher|"
    r"scientist|expert|doctor|coach|institute|institution|organi[sz]ation|journal|company|"
    r"team|study|species|brand)\b|\bname (of|the)\b",
    re.IGNORECASE,
)
REASON_FORM = re.compile(
    r"\b(why|how come|what (causes|caused|makes|made|triggers|leads to|is behind)|"
    r"what's (causing|behind)|reasons?|causes? of|cause (him|her|them|it|this)|"
    r"what('s| is) wrong with|explain why)\b",
    re.IGNORECASE,
)
STEPS_FORM = re.compile(
    r"\b(how (do|can|should|could|would|to|does one)|what (should|can|could|do|would) "
    r"(i|we|you|one|my)\b|what to do|what can be done|tips?|advice|steps?|ways? to|help\b|"
    r"best way|how (i|we) (can|should)|should i|fix|stop|prevent|get rid of|deal with|"
    r"cope with|handle|respond|work on|what can .{0,50}\bdo\b|how (is|are) .{0,40}\b(done|"
    r"diagnosed|treated|made|used|measured|prepared|built|set up))\b",
    re.IGNORECASE,
)
LIST_FORM = re.compile(
    r"\b(signs?|symptoms|examples?|(types|kinds|sorts) of|list|mistakes|myths|benefits|"
    r"advantages|disadvantages|pros and cons|what (things|items|foods|materials)|"
    r"which (things|items|foods|materials)|what (can|should|shouldn't|can't) (i|you|we) "
    r"(put|add|use|include|avoid|not)|(triggers|situations|sources|qualities|strategies|"
    r"factors|characteristics|habits|warning signs))\b",
    re.IGNORECASE,
)


CODE_FORM = re.compile(
    r"\b(code|commands?|snippets?|examples?|syntax|one-?liner|shell|terminal|script|"
    r"how (do|can|would|should|to) (i |you |we )?(write|run|type|call|invoke|install|configure|"
    r"declare|define|import|enable|disable)|what (do|should) (i|you|we) (type|run|write|put)|"
    r"config(uration)? (file|line|entry|snippet)|invocation|usage)\b",
    re.IGNORECASE,
)
TABLE_FORM = re.compile(
    r"\b(table|values?|defaults?|settings?|options?|flags?|parameters?|fields?|columns?|"
    r"codes?|which (one|ones)|stands? for|means?)\b",
    re.IGNORECASE,
)

# The answer types in the order they are tried: the first form a question matches wins.
ANSWER_TYPE_FORMS = (
    (AnswerType.NUMBER, NUMBER_FORM),
    (AnswerType.DATE, DATE_FORM),
    (AnswerType.NAME, NAME_FORM),
    (AnswerType.REASON, REASON_FORM),
    (AnswerType.LIST, LIST_FORM),
    (AnswerType.STEPS, STEPS_FORM),
)

TIME_UNITS = r"(seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?|decades?)"

_NAME_NOUNS = (
    "university|person|researcher|scientist|expert|doctor|journal|institute|institution|"
    "organi[sz]ation|company|team|species|author"
)
VALUE_FORMS = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (ValueKind.PERCENT, r"\bpercent(age)?\b|\b(what|which) (proportion|share|fraction)\b"),
        (ValueKind.FREQUENCY, r"\bhow (often|frequently)\b|\bhow many times\b"),
        (ValueKind.DURATION, rf"\bhow long\b|\bhow many {TIME_UNITS}\b|\bhow soon\b"),
        (ValueKind.AGE, r"\bhow old\b|\b(what|which|at what) age\b"),
        (ValueKind.TEMPERATURE, r"\b(what|which) temperature\b|\bhow (hot|cold|warm)\b"),
        (ValueKind.YEAR, r"\b(what|which) year\b|\bwhen (did|was|were)\b"),
        (ValueKind.MEASURE, r"\bhow (big|large|far|deep|tall|wide|thick|heavy|high)\b|\bratio\b"),
        (ValueKind.COUNT, r"\bhow many\b|\b(what|which) (number|amount|dose|dosage)\b"),
        (ValueKind.AMOUNT, r"\bhow much\b"),
        (ValueKind.NAME, rf"(^|[^\w])(who|whom|whose)\b|\b(which|what) ({_NAME_NOUNS})\b"),
    )
)
COUNTED_NOUN = re.compile(r"\bhow many\s+([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?", re.I)
NOT_NOUNS = frozenset(
    "do does did is are was were should can could would will have has had of the a an in on "
    "for to i you we they he she it my your his her their our people".split()
)

# Wording that asks for a list even when the answer type is another (selection reads it).
LIST_CUE = re.compile(
    r"\b(signs?|ways?|steps?|tips?|approach(es)?|strateg(y|ies)|list|things|what (can|should) "
    r"(i|you|we)|how (can|should|do) (i|you|we)|examples?|behaviou?rs?)\b",
    re.IGNORECASE,
)

# Words that ask about an article rather than name it; the rest of the question names it.
ARTICLE_ASKING_WORDS = (
    "who wrote written writer write author authored publish published publication post posted "
    "date updated update reviewed article piece guide blog site website page title titled "
    "called name headline when year last day month released"
)
