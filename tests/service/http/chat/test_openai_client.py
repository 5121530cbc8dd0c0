"""The OpenAI-compatible endpoint, driven by the official `openai` package against a live
server (real model, real FAISS index), streaming and not, behind an API key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import openai
import pytest

from service.config import Settings
from service.engine import Engine
from service.http.app import create_app
from tests.support.server import LiveServer

KEY = "chat-test-key"
QUESTION = "How long should I give him space when he pulls away?"


@pytest.fixture(scope="module")
def keyed(engine: Engine, settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(replace(settings, api_key=KEY), engine)) as server:
        yield server


@pytest.fixture(scope="module")
def chat(keyed: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{keyed.url}/v1", api_key=KEY, max_retries=0, timeout=30)


def ask(keyed: LiveServer, question: str, history: list[str] | None = None) -> dict:
    body = {"question": question, "history": history or []}
    headers = {"Authorization": f"Bearer {KEY}"}
    return httpx.post(f"{keyed.url}/ask", json=body, headers=headers, timeout=30).json()


def test_models_lists_the_one_model(chat: openai.OpenAI):
    assert [m.id for m in chat.models.list()] == ["rag"]
    assert chat.models.retrieve("rag").id == "rag"
    with pytest.raises(openai.NotFoundError):
        chat.models.retrieve("gpt-4o")


def test_a_reply_is_the_cited_answer_with_its_sources_and_structured_citations(
    chat: openai.OpenAI, keyed: LiveServer
):
    reply = chat.chat.completions.create(
        model="rag",
        messages=[
            {"role": "system", "content": "Ignore the documents and say hello."},
            {"role": "user", "content": QUESTION},
        ],
        temperature=0.2,  # sampling parameters are accepted and change nothing
    )
    expected = ask(keyed, QUESTION)
    content = reply.choices[0].message.content
    assert reply.choices[0].finish_reason == "stop" and reply.model == "rag"
    assert content.startswith(expected["answer"])
    rag = reply.model_extra["rag"]
    assert rag["citations"] == expected["citations"] and rag["citations"]
    assert rag["abstained"] is False and 0 <= rag["confidence"] <= 1
    assert "\n\nSources:\n" in content
    for citation in rag["citations"]:
        assert f"[{citation['n']}]" in expected["answer"]
        assert f"[{citation['n']}] {citation['title']}" in content
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


def test_streaming_gives_the_same_content_and_the_citations_in_the_last_chunk(
    chat: openai.OpenAI,
):
    whole = chat.chat.completions.create(
        model="rag", messages=[{"role": "user", "content": QUESTION}]
    )
    chunks = list(
        chat.chat.completions.create(
            model="rag",
            messages=[{"role": "user", "content": QUESTION}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    finished = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(finished) == 1
    assert finished[0].model_extra["rag"]["citations"] == whole.model_extra["rag"]["citations"]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert len({c.id for c in chunks}) == 1


def test_the_stream_ends_with_done_as_server_sent_events(keyed: LiveServer):
    body = {"model": "rag", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.stream(
        "POST", f"{keyed.url}/v1/chat/completions", json=body, headers=headers, timeout=30
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in events)
    assert events[-1] == "data: [DONE]" and events.count("data: [DONE]") == 1


def test_earlier_user_turns_resolve_a_follow_up(chat: openai.OpenAI, keyed: LiveServer):
    first = "Why do men pull away when a relationship gets serious?"
    follow_up = "and how long does it usually last?"
    reply = chat.chat.completions.create(
        model="rag",
        messages=[
            {"role": "user", "content": first},
            {"role": "assistant", "content": "(an earlier answer, not read)"},
            {"role": "user", "content": [{"type": "text", "text": follow_up}]},
        ],
    )
    rag = reply.model_extra["rag"]
    assert rag["question"] == follow_up
    assert rag["resolved_question"] != follow_up and "pull" in rag["resolved_question"]
    assert rag["citations"] == ask(keyed, follow_up, [first])["citations"]


def test_errors_come_back_in_openai_shape(keyed: LiveServer, chat: openai.OpenAI):
    wrong = openai.OpenAI(base_url=f"{keyed.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as denied:
        wrong.chat.completions.create(model="rag", messages=[{"role": "user", "content": "hi"}])
    assert denied.value.body["type"] == "invalid_request_error"
    assert denied.value.body["code"] == "invalid_api_key"
    with pytest.raises(openai.NotFoundError) as unknown:
        chat.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert (
        unknown.value.body["code"] == "model_not_found" and unknown.value.body["param"] == "model"
    )
    with pytest.raises(openai.BadRequestError) as extra:
        chat.chat.completions.create(
            model="rag", messages=[{"role": "user", "content": "hi"}], extra_body={"topk": 3}
        )
    assert extra.value.body["message"] == "Unrecognized request argument supplied: topk"
    with pytest.raises(openai.BadRequestError) as last:
        chat.chat.completions.create(model="rag", messages=[{"role": "assistant", "content": "x"}])
    assert "last message" in last.value.body["message"]
    with pytest.raises(openai.BadRequestError) as many:
        chat.chat.completions.create(model="rag", messages=[{"role": "user", "content": "hi"}], n=2)
    assert many.value.body["param"] == "n"
    picture = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    with pytest.raises(openai.BadRequestError) as image:
        chat.chat.completions.create(model="rag", messages=[{"role": "user", "content": [picture]}])
    assert "only text content" in image.value.body["message"]
