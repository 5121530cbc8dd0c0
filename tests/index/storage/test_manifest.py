"""Manifest.read turns every malformed manifest into IndexCorrupt, naming the file relatively."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.storage.manifest import IndexCorrupt, IndexNotFound, Manifest

GOOD = {
    "format_version": 1,
    "build_id": "20260101T000000000000-1",
    "built_at": "2026-01-01T00:00:00.000000+00:00",
    "model": {"name": "m", "fingerprint": "f", "dimension": 3},
    "chunking": {"chunk_size": 800, "chunk_overlap": 160},
    "embedding_input": "passages: title. section. text; sentences: text",
    "documents": [{"doc_id": "a", "source": "a.txt", "sha256": "00", "chars": 5}],
    "counts": {"documents": 1, "chunks": 1, "sentences": 1},
    "files": {"chunks.jsonl": {"bytes": 3, "sha256": "ab"}},
    "corpus_files": {"a.txt": "11"},
    "skipped": [{"source": "b.png", "reason": "unsupported"}],
}


def version_dir(root: Path, content: bytes) -> Path:
    directory = root / "versions" / "v1"
    directory.mkdir(parents=True)
    (directory / "manifest.json").write_bytes(content)
    return directory


def with_(**changes: object) -> bytes:
    return json.dumps({**GOOD, **changes}).encode()


def without(name: str) -> bytes:
    return json.dumps({k: v for k, v in GOOD.items() if k != name}).encode()


BROKEN = {
    "random bytes": (bytes(range(256)) * 4, "not a valid manifest"),
    "not UTF-8": ('{"build_id": "caf\xe9"}'.encode("latin-1"), "utf-8"),
    "not JSON": (b"{ not json", "Expecting"),
    "empty": (b"", "Expecting value"),
    "a list": (b"[1, 2, 3]", "expected a JSON object, got list"),
    "a string": (b'"manifest"', "expected a JSON object, got str"),
    "files as a list": (with_(files=["chunks.jsonl"]), "`files` must be an object, it is a list"),
    "model as a string": (
        with_(model="all-MiniLM-L6-v2"),
        "`model` must be an object, it is a string",
    ),
    "documents as a dict": (with_(documents={"a": 1}), "`documents` must be a list"),
    "documents of strings": (with_(documents=["a"]), "every `documents` entry needs"),
    "document without chars": (
        with_(documents=[{"doc_id": "a", "source": "a", "sha256": "0"}]),
        "every `documents` entry needs",
    ),
    "document with an extra key": (
        with_(documents=[{**GOOD["documents"][0], "x": 1}]),
        "unexpected keyword argument 'x'",
    ),
    "format as a string": (
        with_(format_version="1"),
        "`format_version` must be an integer, it is a string",
    ),
    "format as a bool": (with_(format_version=True), "must be an integer, it is a boolean"),
    "no build_id": (without("build_id"), "`build_id` must be a string, it is missing"),
    "built_at not a date": (with_(built_at="yesterday"), "Invalid isoformat"),
    "built_at without a zone": (with_(built_at="2026-01-01T00:00:00"), "has no time zone"),
    "a file entry without sha256": (with_(files={"x": {"bytes": 1}}), "needs `bytes` and `sha256`"),
    "a file outside the version": (
        with_(files={"../../etc/passwd": {"bytes": 1, "sha256": "0"}}),
        "not a file of the version",
    ),
    "skipped as a string": (with_(skipped="none"), "`skipped` must be a list"),
    "corpus_files of numbers": (with_(corpus_files={"a.txt": 1}), "`corpus_files` maps sources"),
    "an unknown field": (with_(surprise=1), "unknown fields ['surprise']"),
    "with_sentences as a string": (with_(with_sentences="yes"), "`with_sentences` must be"),
}


def test_a_good_manifest_reads(tmp_path):
    manifest = Manifest.read(version_dir(tmp_path, with_()))
    assert manifest.documents[0].chars == 5 and manifest.skipped[0].source == "b.png"
    assert manifest.built.year == 2026 and manifest.with_sentences is True


@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_broken_manifest_is_index_corrupt_named_relative_to_the_root(tmp_path, kind):
    content, reason = BROKEN[kind]
    with pytest.raises(IndexCorrupt) as caught:
        Manifest.read(version_dir(tmp_path, content))
    message = str(caught.value)
    assert message.startswith("versions/v1/manifest.json is not a valid manifest"), message
    assert reason in message, message
    assert str(tmp_path) not in message


def test_a_missing_manifest_is_not_found_without_the_absolute_path(tmp_path):
    directory = tmp_path / "versions" / "v2"
    directory.mkdir(parents=True)
    with pytest.raises(IndexNotFound, match=r"no index manifest at versions/v2/manifest.json"):
        Manifest.read(directory)


def test_a_manifest_that_is_a_directory_is_not_found(tmp_path):
    directory = tmp_path / "versions" / "v3"
    (directory / "manifest.json").mkdir(parents=True)
    with pytest.raises(IndexNotFound):
        Manifest.read(directory)
