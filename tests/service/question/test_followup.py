"""Follow-up resolution: which questions lean on earlier turns, and what they become."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from ingest.embed import Embedder
from service.question.followup import leans_on_earlier, resolve


def one_hot(groups: dict[str, int]):
    """A fake embedding for the mechanics: words of one group are the same vector."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), 8), dtype=np.float32)
        for i, text in enumerate(texts):
            rows[i, groups.get(text.lower(), 7)] = 1.0
        return rows

    return embed


NOTHING = one_hot({})


@pytest.mark.parametrize(
    "question",
    [
        "and how long does it keep?",
        "why?",
        "what about teenagers?",
        "is it the same for kids?",
        "how do I remove them?",
        "and on Windows",
        "does that work offline",
    ],
)
def test_elliptical_and_pronoun_led_questions_lean_on_earlier_turns(question: str):
    assert leans_on_earlier(question)


@pytest.mark.parametrize(
    "question",
    [
        "How long does homemade pesto keep in the fridge?",
        "What are the rules of ownership in Rust?",
        "How many hours of sleep do teenagers need each night?",
        "Who wrote the article about emotional distance?",
    ],
)
def test_self_contained_questions_are_left_exactly_as_they_are(question: str):
    assert not leans_on_earlier(question)
    resolved = resolve(question, ["How do I make pesto?"], NOTHING)
    assert resolved.text == question and not resolved.followed_up


def test_a_pronoun_led_follow_up_carries_the_previous_subject():
    resolved = resolve("and how long does it keep?", ["How do I make basil pesto?"], NOTHING)
    assert resolved.followed_up
    assert resolved.text.startswith("and how long does it keep?")
    assert {"basil", "pesto"} <= set(resolved.text.split())


def test_what_about_x_replaces_the_word_of_the_same_kind():
    embed = one_hot({"adults": 1, "teenagers": 1, "sleep": 2, "hours": 3})
    resolved = resolve("what about teenagers?", ["How many hours of sleep do adults need?"], embed)
    assert resolved.text == "How many hours of sleep do teenagers need?"


def test_what_about_x_with_nothing_of_its_kind_is_added_to_the_subject():
    embed = one_hot({"adults": 1, "cost": 4})
    resolved = resolve("what about the cost?", ["How many hours do adults sleep?"], embed)
    assert resolved.text.startswith("what about the cost?") and "adults" in resolved.text


def test_a_subject_carries_through_a_chain_of_follow_ups():
    history = ["What is a vector in Rust?", "how do I add elements to it?"]
    resolved = resolve("and remove them?", history, NOTHING)
    assert {"vector", "Rust"} <= set(resolved.text.split())


def test_only_the_latest_turns_are_read():
    history = ["x"] * 30 + ["What is a vector in Rust?"]
    assert "vector" in resolve("how do I sort it?", history, NOTHING).text


def test_the_real_model_pairs_words_of_one_kind(embedder: Embedder):
    history = ["How do I install the package on Linux?"]
    resolved = resolve("what about on Windows?", history, embedder.embed_queries)
    assert resolved.text == "How do I install the package on Windows?"
