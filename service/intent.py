"""What kind of answer a question asks for, read from its wording alone (no corpus involved).

The answerer shapes its answer by this: reasons for "why", steps for "how do I", the sentence
holding a number, date or name for "how many", "when" and "who", a whole list for "what are the
signs", and the byline or date line for questions about an article itself ("who wrote it").
The patterns are ordinary English question forms, not words of any one corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from service.values import ValueSpec, holds_value, value_spec


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


_ARTICLE = r"(article|post|guide|piece|page|blog|story|essay|report|faq|write-?up|text)"
_FIELDS = (
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

_NUMBER = re.compile(
    r"\b(how (many|much|long|old|soon|often|far|big|large|deep|hot|cold|warm|tall|wide|thick|"
    r"heavy|frequently)|percent(age)?|proportion|ratio|(what|which|at what) (age|temperature|"
    r"size|amount|number|dose|dosage|rate)|what year|how many (days|weeks|hours|minutes))\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"(^|[^\w])(when (did|was|were|will|does|do|is)\b(?!.{0,40}\b(he|she|they|i|you|we)\b)|"
    r"(what|which) (year|date|month|decade)|since when)",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"(^|[^\w])(who|whom|whose)\b|\b(which|what) (university|author|person|researcher|"
    r"scientist|expert|doctor|coach|institute|institution|organi[sz]ation|journal|company|"
    r"team|study|species|brand)\b|\bname (of|the)\b",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"\b(why|how come|what (causes|caused|makes|made|triggers|leads to|is behind)|"
    r"what's (causing|behind)|reasons?|causes? of|cause (him|her|them|it|this)|"
    r"what am i doing wrong|what('s| is) wrong with|explain why)\b",
    re.IGNORECASE,
)
_STEPS = re.compile(
    r"\b(how (do|can|should|could|would|to|does one)|what (should|can|could|do|would) "
    r"(i|we|you|one|my)\b|what to do|what can be done|tips?|advice|steps?|ways? to|help\b|"
    r"best way|how (i|we) (can|should)|should i|fix|stop|prevent|get rid of|deal with|"
    r"cope with|handle|respond|work on|what can .{0,50}\bdo\b|how (is|are) .{0,40}\b(done|"
    r"diagnosed|treated|made|used|measured|prepared|built|set up))\b",
    re.IGNORECASE,
)
_LIST = re.compile(
    r"\b(signs?|symptoms|examples?|(types|kinds|sorts) of|list|mistakes|myths|benefits|"
    r"advantages|disadvantages|pros and cons|what (things|items|foods|materials)|"
    r"which (things|items|foods|materials)|what (can|can't|cannot|should|shouldn't|must not) "
    r"(go|be put|be added|be used)|what (can|should|shouldn't|can't) (i|you|we) "
    r"(put|add|use|include|avoid|not)|(triggers|situations|sources|qualities|strategies|"
    r"factors|characteristics|habits|warning signs))\b",
    re.IGNORECASE,
)


_CODE = re.compile(
    r"\b(code|commands?|snippets?|examples?|syntax|one-?liner|shell|terminal|script|"
    r"how (do|can|would|should|to) (i |you |we )?(write|run|type|call|invoke|install|configure|"
    r"declare|define|import|enable|disable)|what (do|should) (i|you|we) (type|run|write|put)|"
    r"config(uration)? (file|line|entry|snippet)|invocation|usage)\b",
    re.IGNORECASE,
)
_TABLE = re.compile(
    r"\b(table|values?|defaults?|settings?|options?|flags?|parameters?|fields?|columns?|"
    r"codes?|which (one|ones)|stands? for|means?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Intent:
    """The answer a question asks for, and whether it asks about the article itself."""

    answer_type: AnswerType = AnswerType.FACT
    article_fields: tuple[ArticleField, ...] = ()  # e.g. (AUTHOR, PUBLISHED) for "who ... when"
    value: ValueSpec | None = None  # the number, date or name asked for, if any
    wants_code: bool = False  # asks for code, a command, an example or a configuration line
    wants_table: bool = False  # asks for something a table row could hold (a value, an option)

    @property
    def wants_several(self) -> bool:
        """Reasons, steps and lists are answered by several sentences or a whole list."""
        return self.answer_type in (AnswerType.REASON, AnswerType.STEPS, AnswerType.LIST)

    @property
    def wants_value(self) -> bool:
        """A number, date or name is answered by the sentence that holds one."""
        return self.value is not None

    def answered_by(self, sentence: str, question: str) -> bool:
        """Whether a sentence holds the value asked for (every sentence does when none is)."""
        return self.value is None or holds_value(self.value, sentence, question)


def read_intent(question: str) -> Intent:
    """The question's intent, from its wording; the first matching form wins."""
    fields = tuple(name for name, pattern in _FIELDS if pattern.search(question))
    value = value_spec(question)
    code = bool(_CODE.search(question))
    table = code or value is not None or bool(_TABLE.search(question))
    answer_type = _answer_type(question)
    table = table or answer_type in (AnswerType.NUMBER, AnswerType.DATE, AnswerType.LIST)
    return Intent(answer_type, fields, value, code, table)


def _answer_type(question: str) -> AnswerType:
    for answer_type, pattern in (
        (AnswerType.NUMBER, _NUMBER),
        (AnswerType.DATE, _DATE),
        (AnswerType.NAME, _NAME),
        (AnswerType.REASON, _REASON),
        (AnswerType.LIST, _LIST),
        (AnswerType.STEPS, _STEPS),
    ):
        if pattern.search(question):
            return answer_type
    return AnswerType.FACT
