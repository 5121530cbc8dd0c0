"""Reading what a question asks for from its wording: answer types, article fields, values."""

from __future__ import annotations

import pytest

from service.question.intent import AnswerType, ArticleField, read_intent
from service.question.values import ValueKind, holds_value, value_spec


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Why does my pile smell of rotten eggs?", AnswerType.REASON),
        ("what is wrong with my sourdough", AnswerType.REASON),
        ("How do I stop raccoons getting into the bin?", AnswerType.STEPS),
        ("What should I do when he starts acting distant?", AnswerType.STEPS),
        ("what are the signs of burnout", AnswerType.LIST),
        ("common mistakes beginners make", AnswerType.LIST),
        ("How many hours of sleep does a teenager need?", AnswerType.NUMBER),
        ("Who led the 2019 trial?", AnswerType.NAME),
        ("Is decaf really caffeine free?", AnswerType.FACT),
    ],
)
def test_answer_types(question, kind):
    assert read_intent(question).answer_type is kind


@pytest.mark.parametrize(
    ("question", "fields"),
    [
        ("Who wrote the article on hot composting?", (ArticleField.AUTHOR,)),
        ("when was that guide published", (ArticleField.PUBLISHED,)),
        ("which website is the teen sleep article from?", (ArticleField.SITE,)),
        (
            "Who is the author of the piece, and when was it last updated?",
            (ArticleField.AUTHOR, ArticleField.PUBLISHED),
        ),
        ("When should I turn the pile?", ()),
        ("Who should I call when he goes quiet?", ()),
    ],
)
def test_questions_about_the_article_itself(question, fields):
    assert read_intent(question).article_fields == fields


@pytest.mark.parametrize(
    ("question", "sentence", "holds"),
    [
        ("How many factory workers took part?", "The trial enrolled 1,200 factory workers.", True),
        (
            "How many factory workers took part?",
            "It compared two groups of factory workers.",
            False,
        ),
        ("how many mg of caffeine in green tea", "A cup of black tea has about 47 mg.", True),
        ("How long should I give him space?", "3 to 7 days is typical for processing.", True),
        ("How long should I give him space?", "Give him space without withdrawing.", False),
        ("What percentage of men feel this?", "Studies show 88% of men wish it.", True),
        ("What percentage of men feel this?", "Most men wish it.", False),
        ("What year was the study?", "A 2024 study at the university revealed it.", True),
        ("Who wrote the study?", "The study by Dr. Helen Okafor found it.", True),
        ("Who wrote the study?", "the study found it.", False),
        ("What temperature kills the seeds?", "Keep it at 131°F for three days.", True),
    ],
)
def test_a_value_must_be_the_kind_asked_for(question, sentence, holds):
    spec = value_spec(question)
    assert spec is not None
    assert holds_value(spec, sentence, question) is holds


def test_a_value_the_question_already_gave_does_not_count():
    question = "what percentage of the 88% were young?"
    spec = value_spec(question)
    assert spec is not None and spec.kind is ValueKind.PERCENT
    assert not holds_value(spec, "88% of men said so.", question)
    assert holds_value(spec, "Of those, 40% were under thirty.", question)


def test_questions_without_a_value():
    assert value_spec("Why does he pull away?") is None
    assert read_intent("Why does he pull away?").answered_by("Any sentence.", "why") is True
