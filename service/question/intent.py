"""What kind of answer a question asks for, read from its wording alone (no corpus involved).

The answerer shapes its answer by this: reasons for "why", steps for "how do I", the sentence
holding a number, date or name for "how many", "when" and "who", a whole list for "what are the
signs", and the byline or date line for questions about an article itself ("who wrote it").
The forms themselves are in service/question/forms.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.question.forms import (
    ANSWER_TYPE_FORMS,
    ARTICLE_FIELD_FORMS,
    CODE_FORM,
    TABLE_FORM,
    AnswerType,
    ArticleField,
)
from service.question.values import ValueSpec, holds_value, value_spec

__all__ = ["AnswerType", "ArticleField", "Intent", "read_intent"]


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
    fields = tuple(name for name, pattern in ARTICLE_FIELD_FORMS if pattern.search(question))
    value = value_spec(question)
    code = bool(CODE_FORM.search(question))
    table = code or value is not None or bool(TABLE_FORM.search(question))
    answer_type = _answer_type(question)
    table = table or answer_type in (AnswerType.NUMBER, AnswerType.DATE, AnswerType.LIST)
    return Intent(answer_type, fields, value, code, table)


def _answer_type(question: str) -> AnswerType:
    for answer_type, pattern in ANSWER_TYPE_FORMS:
        if pattern.search(question):
            return answer_type
    return AnswerType.FACT
