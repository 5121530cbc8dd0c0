"""`rag index --ray`: chunking and embedding on a local Ray write the index a local build writes.

Runs the real command (it starts its own local Ray with this machine's cores, two here) and
compares its version file by file with the session's locally built index, then asks both.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from index.load import load_index
from index.storage.store import current_version
from service.engine import Engine
from tests.support.rag import run_rag

pytest.importorskip("ray")
# tens of seconds (started first under xdist), and one local Ray at a time on two cores
pytestmark = [pytest.mark.slow, pytest.mark.serial("ray")]

QUESTIONS = (
    "How long should I give him space when he pulls away?",
    "What are the signs he's pulling away but still cares?",
    "Why do men go silent when things get serious?",
    "What is the capital of France?",
)


def test_a_ray_build_writes_the_local_build_and_serves_the_same_answers(
    tmp_path, settings, engine, embedder
):
    ray_settings = replace(settings, index_dir=tmp_path / "index")
    result = run_rag(ray_settings, "index", "--ray", timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Ray: 2 documents to prepare and embed" in result.stderr
    local = json.loads((engine.index.path / "manifest.json").read_text())
    built = json.loads((current_version(ray_settings.index_dir) / "manifest.json").read_text())
    assert built["files"] == local["files"]  # every file's size and SHA-256
    assert built["counts"] == local["counts"] and built["dense"] == local["dense"]

    ray_engine = Engine(
        ray_settings,
        embedder,
        load_index(ray_settings.index_dir),
        query_embedder=engine.query_embedder,
    )
    for question in QUESTIONS:
        ours, theirs = engine.ask(question), ray_engine.ask(question)
        assert ours.answer.text == theirs.answer.text, question
        assert ours.answer.citations == theirs.answer.citations, question
        assert [h.chunk for h in ours.answer.hits] == [h.chunk for h in theirs.answer.hits]


def test_ray_without_the_scale_extra_or_a_cluster_fails_with_one_line(tmp_path, settings):
    ray_settings = replace(settings, index_dir=tmp_path / "index")
    # Ray's client gives up on an address after three tries of 5, 10 and 15 s; one second each
    # reaches the same refusal sooner.
    result = run_rag(
        ray_settings,
        "index",
        "--ray",
        "ray://127.0.0.1:1",
        timeout=300,
        RAY_CLIENT_INITIAL_CONNECTION_TIMEOUT_S="1",
        RAY_CLIENT_MAX_CONNECTION_TIMEOUT_S="1",
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: cannot start or join")
    assert not (tmp_path / "index" / "current").exists()
