"""Scratch index roots: versions of the bundled corpus (with or without one extra article), a
folder built the incremental way, file digests of a version, and a check that an /ask body
agrees with exactly one version."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from index.build import BuildOptions, build_index
from index.incremental import BuildResult, apply_changes
from index.load import IndexData, load_index
from index.storage.store import publish
from ingest.chunk import ChunkingConfig
from ingest.corpus import load_corpus, read_corpus
from ingest.documents import doc_id_for
from ingest.embed import Embedder
from tests.support.paths import CORPUS
from tests.support.server import ASK_FIELDS

EXTRA_SOURCE = "003_sourdough.txt"
EXTRA_DOC_ID = doc_id_for(EXTRA_SOURCE)  # the id the corpus reader derives from the path
EXTRA_DOC = """Keeping a Sourdough Starter Alive

A sourdough starter kept at room temperature needs feeding once a day. Discard half of the \
starter, then stir in equal weights of flour and water. A starter kept in the refrigerator only \
needs feeding once a week. A starter that smells of nail polish remover is hungry and should be \
fed more often. Bubbles and a doubled volume within eight hours show that the starter is ready \
to bake with.
"""
EXTRA_QUESTION = "How often should I feed a sourdough starter kept in the refrigerator?"


def corpus_with_extra_doc(tmp: Path) -> Path:
    """The bundled corpus plus one small, unrelated article (a visibly different index)."""
    target = tmp / "corpus-b"
    shutil.copytree(CORPUS, target)
    (target / EXTRA_SOURCE).write_text(EXTRA_DOC, encoding="utf-8")
    return target


def build_version(root: Path, corpus_dir: Path, embedder: Embedder) -> IndexData:
    """Build a version of `corpus_dir` under `root`, make it current, and load it."""
    build_index(load_corpus(corpus_dir), embedder, ChunkingConfig(), root)
    return load_index(root)


def two_versions(root: Path, tmp: Path, embedder: Embedder) -> tuple[IndexData, IndexData]:
    """Version A (bundled corpus) and version B (plus the extra doc); A is current after."""
    a = build_version(root, CORPUS, embedder)
    b = build_version(root, corpus_with_extra_doc(tmp), embedder)
    publish(root, a.path)
    return a, b


def apply_folder(
    root: Path, folder: Path, embedder: Embedder, *, full: bool = False, **options: object
) -> BuildResult:
    """What `rag index` does with a folder: an incremental build (a full one with `full`)."""
    return apply_changes(root, read_corpus(folder), embedder, BuildOptions(**options), full=full)


def digests(version: Path) -> dict[str, str]:
    """The SHA-256 of every file of a version but its manifest (which records build times)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(version.iterdir())
        if p.name != "manifest.json"
    }


def consistency_problems(body: dict, versions: dict[str, IndexData]) -> list[str]:
    """Why an /ask body is not complete and consistent with exactly one index version."""
    index = versions.get(body.get("index_version"))
    if index is None:
        return [f"unknown index_version {body.get('index_version')!r}"]
    missing = ASK_FIELDS - body.keys()
    if missing:
        return [f"missing fields {sorted(missing)}"]
    problems = []
    chunk_ids = {c.chunk_id for c in index.chunks}
    for p in body["passages"]:
        doc = index.documents.get(p["doc_id"])
        if doc is None or p["chunk_id"] not in chunk_ids:
            problems.append(f"passage {p['chunk_id']} is not in {index.version}")
        elif doc.text[p["start"] : p["end"]] != p["text"] or doc.title != p["title"]:
            problems.append(f"passage {p['chunk_id']} does not match {index.version}'s text")
    for c in body["citations"]:
        doc = index.documents.get(c["doc_id"])
        if doc is None or doc.text[c["start"] : c["end"]] != c["quote"]:
            problems.append(f"citation {c['n']} does not match {index.version}")
    if not body["abstained"] and not body["citations"]:
        problems.append("an answer without citations")
    return problems
