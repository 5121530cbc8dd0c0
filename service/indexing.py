"""The index an engine serves: the embedder for it, building it, and making sure one exists.

Split from service/engine.py, which answers questions: these run before an engine exists
(`rag index`, start-up) and are shared by the CLI, the documents endpoints and the benchmarks.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from pathlib import Path

from index.build import BuildOptions, make_parts
from index.incremental import BuildResult, MakeParts, apply_changes
from index.load import IndexData, load_index
from index.storage.manifest import IndexCorrupt, IndexMismatch, IndexNotFound, corpus_file_changes
from index.storage.manifest import incompatibilities as manifest_incompatibilities
from index.storage.recovery import restore_newest_intact
from index.storage.retention import register_with_cache
from index.storage.store import current_version
from ingest.corpus import scan_corpus
from ingest.embed import (
    DEFAULT_MODEL_NAME,
    Embedder,
    EmbedderConfig,
    EmbeddingCache,
    OnnxEmbedder,
    OnnxExportError,
    Purpose,
    create_embedder,
    default_model_dir,
)
from ingest.log import Log, quiet
from service.changes.apply import read_corpus_within_budget, recover_corpus
from service.config import Settings
from service.serving import ServingIndex


def embedder_config(settings: Settings, purpose: Purpose = Purpose.BUILD) -> EmbedderConfig:
    """The configured model (the bundled all-MiniLM-L6-v2 unless RAG_MODEL says otherwise)."""
    model_dir = settings.model_dir or default_model_dir()
    name = settings.model_name or (
        DEFAULT_MODEL_NAME if settings.model_dir is None else Path(model_dir).name
    )
    return EmbedderConfig(
        model_dir=Path(model_dir),
        name=name,
        export_root=settings.cache_dir / "onnx",
        backend=settings.embed_backend,
        precision=settings.embed_precision,
        threads=settings.embed_threads,
        device=settings.device,
        purpose=purpose,
    )


def make_embedder(
    settings: Settings, *, purpose: Purpose = Purpose.BUILD, log: Log | None = None
) -> Embedder:
    """The configured embedder, with the embedding cache, on the backend RAG_EMBED_BACKEND picks.

    BUILD may make the ONNX export (stored under the cache directory, ingest/embed/factory.py);
    QUERY, for serve/ask/search, falls back to torch instead when there is none yet.
    """
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite3")
    return create_embedder(embedder_config(settings, purpose), cache=cache, log=log)


def make_query_embedder(settings: Settings, embedder: Embedder, log: Log | None = None) -> Embedder:
    """What embeds questions: the int8 export of the same model (RAG_QUERY_PRECISION) when the
    passages are embedded with ONNX Runtime, made from the fp32 export once if missing; the
    passage embedder itself otherwise (torch, the same precision, or no export possible)."""
    if not isinstance(embedder, OnnxEmbedder) or settings.query_precision == embedder.precision:
        return embedder
    config = replace(embedder_config(settings, Purpose.QUERY), precision=settings.query_precision)
    try:
        queries = create_embedder(config, cache=None, log=log)
        if not isinstance(queries, OnnxEmbedder):
            return embedder  # no export of that precision could be made: stay with the passages'
        queries.warm_up()
    except (OSError, ValueError, OnnxExportError) as error:
        (log or logging.getLogger("rag.embed").warning)(
            f"embedding questions with the passages' model instead ({error})"
        )
        return embedder
    return queries


def serving_purpose(settings: Settings) -> Purpose:
    """QUERY when there is an index to serve; BUILD when start-up must build the first one.

    So the first `make serve` on a fresh machine makes the ONNX export while it builds, and
    every later start is torch-free, rather than falling back to torch for good.
    """
    try:
        current_version(settings.index_dir)
    except IndexNotFound:
        return Purpose.BUILD if settings.auto_build else Purpose.QUERY
    except IndexCorrupt:  # ensure_index falls back to an intact version, most likely
        return Purpose.QUERY
    return Purpose.QUERY


def index_problems(
    index: IndexData | ServingIndex, embedder: Embedder, settings: Settings
) -> list[str]:
    """Why the loaded index cannot serve with these settings (empty when it can)."""
    model = {"name": embedder.name, "fingerprint": embedder.fingerprint}
    return manifest_incompatibilities(
        index.manifest, model=model, chunking=asdict(settings.chunking)
    )


def build(
    settings: Settings,
    embedder: Embedder,
    *,
    progress: bool = False,
    full: bool = False,
    log: Log = quiet,
    make: MakeParts = make_parts,
) -> BuildResult:
    """Bring the index up to date with the configured corpus (index/incremental.py).

    Only added and changed documents are chunked and embedded; an unchanged corpus publishes
    no new version. `full` redoes every document. `make` does that work (on Ray for
    `rag index --ray`: index/ray_build.py).
    """
    recover_corpus(settings, log)
    corpus = read_corpus_within_budget(settings)
    for skipped in corpus.skipped:
        log(f"warning: {skipped.warning()}")
    options = BuildOptions(
        settings.chunking, keep_versions=settings.keep_versions, progress=progress
    )
    return apply_changes(
        settings.index_dir, corpus, embedder, options, full=full, log=log, make=make
    )


def _shown(problems: list[str], limit: int = 3) -> str:
    more = f"; … ({len(problems)} in all)" if len(problems) > limit else ""
    return "; ".join(problems[:limit]) + more


def ensure_index(
    settings: Settings, embedder: Embedder, *, progress: bool = False, log: Log = quiet
) -> IndexData:
    """The index to serve at start-up.

    A broken `current` (or a broken version behind it) falls back to the newest intact
    version, re-pointing `current` at it; only when no intact version is left is the index
    rebuilt, and only with auto-build on. An index that is missing, built with another model or
    chunking, or older than the corpus is then (re)built, incrementally where it can be.
    """
    root = settings.index_dir
    recover_corpus(settings, log)  # before the corpus is compared with the index
    try:
        index = load_index(root)
    except (IndexNotFound, IndexCorrupt) as error:
        restored = restore_newest_intact(root)
        if restored is not None:
            problem = "`current` is missing" if isinstance(error, IndexNotFound) else error
            log(f"{problem}; serving the newest intact version {restored.version} instead")
            index = restored
        elif not settings.auto_build:
            if isinstance(error, IndexNotFound):
                raise
            raise IndexCorrupt(
                f"{error}; no intact version to fall back to, and RAG_AUTO_BUILD is off: "
                "run `rag index` to rebuild"
            ) from error
        else:
            log(
                f"no index at {root}; building it"
                if isinstance(error, IndexNotFound)
                else f"{error}; no intact version to fall back to: rebuilding the index"
            )
            build(settings, embedder, progress=progress, log=log)
            return load_index(root)
    register_with_cache(embedder, root)
    problems = index_problems(index, embedder, settings)
    if problems and not settings.auto_build:
        raise IndexMismatch("; ".join(problems) + "; run `rag index` to rebuild")
    # hashing the files, not parsing them: no reader runs when nothing changed
    problems += corpus_file_changes(index.manifest, scan_corpus(settings.corpus_dir))
    if not problems:
        return index
    log("updating the index: " + _shown(problems))
    build(settings, embedder, progress=progress, log=log)
    return load_index(root)
