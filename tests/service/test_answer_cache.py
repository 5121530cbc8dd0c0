"""The answer cache: repeats answered from it, keyed by everything that changes an answer,
emptied on every swap and reload, and counted in /metrics."""

from __future__ import annotations

from dataclasses import replace

from service.answer_cache import AnswerCache, AnswerKey
from service.config import Settings
from service.engine import Engine
from service.http.app import create_app
from tests.support.server import LiveServer


def key(question: str, **changes) -> AnswerKey:
    base = {"history": (), "top_k": 5, "mode": "hybrid", "version": "v1"}
    fields = base | changes
    return AnswerKey.of(
        question, fields["history"], fields["top_k"], fields["mode"], fields["version"]
    )


def test_the_key_ignores_case_and_spacing_and_nothing_else():
    assert key("How long  is it?") == key("how long is it?")
    assert key("How long is it?") != key("How long is it")
    assert key("q") != key("q", history=("earlier",))
    assert key("q") != key("q", top_k=3)
    assert key("q") != key("q", mode="dense")
    assert key("q") != key("q", version="v2")


def test_least_recently_used_answers_go_first_and_zero_turns_it_off():
    cache: AnswerCache[str] = AnswerCache(2)
    cache.put(key("a"), "A")
    cache.put(key("b"), "B")
    assert cache.get(key("a")) == "A"  # a is now the most recent
    cache.put(key("c"), "C")
    assert cache.get(key("b")) is None and cache.get(key("c")) == "C"
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (2, 1, 2)
    off: AnswerCache[str] = AnswerCache(0)
    off.put(key("a"), "A")
    assert off.get(key("a")) is None and off.stats().entries == 0


def test_a_repeat_is_answered_from_the_cache_until_the_index_is_swapped(
    settings: Settings, engine: Engine
):
    own = Engine(replace(settings, answer_cache=8), engine.embedder, engine.index)
    first = own.ask("How long should I give him space when he pulls away?")
    again = own.ask("how long should i give him space when he pulls away?")
    assert "cache" in again.timings_ms and "embed" not in again.timings_ms
    assert again.answer == first.answer
    own.swap(engine.index)
    assert own.answers.stats().entries == 0
    fresh = own.ask("How long should I give him space when he pulls away?")
    assert "embed" in fresh.timings_ms and fresh.answer.text == first.answer.text


def test_metrics_show_the_cache(settings: Settings, engine: Engine):
    own = Engine(replace(settings, answer_cache=8), engine.embedder, engine.index)
    with LiveServer(create_app(settings, own)) as server:
        import httpx

        with httpx.Client(base_url=server.url, timeout=30) as http:
            for _ in range(3):
                assert (
                    http.post("/ask", json={"question": "Why do men pull away?"}).status_code == 200
                )
            lines = http.get("/metrics").text.splitlines()
    assert "rag_answer_cache_hits_total 2.0" in lines
    assert "rag_answer_cache_misses_total 1.0" in lines
    assert "rag_answer_cache_entries 1.0" in lines
