"""The keyword terms: the fast tokeniser gives exactly bm25s.tokenize's terms."""

from __future__ import annotations

import json

import bm25s
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS
from hypothesis import given, settings
from hypothesis import strategies as st

from index.lexical import STEMMER, build_lexical, content_terms
from tests.support.paths import SUITES

STEM = Stemmer.Stemmer(STEMMER)


def _bm25s(texts: list[str], stopwords: object) -> list[list[str]]:
    return bm25s.tokenize(
        texts, stopwords=stopwords, stemmer=STEM, return_ids=False, show_progress=False
    )


def _questions() -> list[str]:
    return [
        json.loads(line)["question"]
        for path in sorted(SUITES.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_content_terms_equal_bm25s_on_every_suite_question() -> None:
    questions = _questions()
    assert len(questions) > 500
    assert content_terms(questions, STEM) == _bm25s(questions, list(STOPWORDS_EN_PLUS))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_text_gives_bm25s_terms(text: str) -> None:
    assert content_terms([text], STEM) == _bm25s([text], list(STOPWORDS_EN_PLUS))


def test_query_tokens_are_bm25s_tokens_with_lucene_stopwords() -> None:
    lexical = build_lexical(["Men pull away when they feel pressure.", "Give him space."])
    for question in _questions():
        assert lexical.query_tokens(question) == _bm25s([question], "en")[0]
