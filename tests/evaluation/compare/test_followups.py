"""The follow-up suites: every chat's last turn asked three ways, each a real case."""

from __future__ import annotations

from evaluation.cases.registry import Role, with_role
from evaluation.cases.suite import load_suite
from evaluation.compare.followups import WAYS


def test_the_follow_up_suites_hold_chats_over_at_least_three_corpora():
    blind = with_role(Role.FOLLOWUP)
    cases = [c for entry in blind for c in load_suite(entry.path, entry.corpus)]
    assert len({entry.corpus for entry in blind}) >= 3
    assert len(cases) >= 40
    assert all(c.history and c.full_question for c in cases)
    assert any(c.full_question == c.question for c in cases)  # self-contained last turns too


def test_the_three_ways_ask_the_same_last_turn():
    entry = with_role(Role.FOLLOWUP_DEV)[0]
    case = next(c for c in load_suite(entry.path, entry.corpus) if c.full_question != c.question)
    chat, alone, full = (rewrite(case) for rewrite in WAYS.values())
    assert (chat.question, chat.history) == (case.question, case.history)
    assert (alone.question, alone.history) == (case.question, ())
    assert (full.question, full.history) == (case.full_question, ())
    assert full.evidence == case.evidence and full.must_contain == case.must_contain
