"""Settings, read from the environment in this one place and passed explicitly from here on."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from ingest.chunk import ChunkingConfig
from ingest.embed import BACKENDS, PRECISIONS, Backend, Precision
from ingest.folder.budget import ReadingBudget
from service.retrieval.modes import DEFAULT_MODE, Mode

T = TypeVar("T", int, float)
PROJECT_ROOT = Path(__file__).resolve().parents[1]
MAX_TIMEOUT = 300.0  # seconds; the read timeouts must stay bounded, whatever is configured
SHUTDOWN_MARGIN = 5.0  # seconds past the body timeout for requests already being answered
MAX_UPLOAD_LIMIT = 1024 * 1024 * 1024  # an upload is held in memory while it is read


def default_workers() -> int:
    """One worker per core this process may run on (the CPU affinity, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class ConfigError(ValueError):
    """An environment variable holds a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    """Every knob of the service; docs/configuration.md lists the variables."""

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    cache_dir: Path = PROJECT_ROOT / "var" / "cache"
    model_dir: Path | None = None  # None: the bundled all-MiniLM-L6-v2
    model_name: str | None = None
    device: str = "cpu"
    embed_backend: Backend = Backend.AUTO
    embed_precision: Precision = Precision.FP32
    # Questions are embedded by the int8 export (2.3x faster on one core, twice the throughput
    # over HTTP; fit and tune hit@1 -0.001, SciFact hybrid -0.002: docs/configuration.md)
    # while passages keep RAG_EMBED_PRECISION.
    query_precision: Precision = Precision.INT8
    embed_threads: int = 0  # ONNX Runtime intra-op threads; 0: its default, one per core
    chunking: ChunkingConfig = field(default_factory=ChunkingConfig)
    top_k: int = 5
    retrieval_mode: Mode = DEFAULT_MODE
    host: str = "127.0.0.1"
    port: int = 8000
    admin_key: str | None = None
    api_key: str | None = None
    cors_origins: tuple[str, ...] = ()
    auto_build: bool = True
    keep_versions: int = 3  # intact index versions kept by build time (the live one always)
    max_body_bytes: int = 64 * 1024
    # PUT /admin/documents/{doc_id} (with the admin key) takes a whole file: its own limit
    max_upload_bytes: int = 10 * 1024 * 1024
    # Seconds between each worker's checks of `current` and of the reload marker (two stat
    # calls); this is how a publish or an /admin/reload reaches every worker. 0 turns it off.
    reload_interval: float = 0.5
    workers: int = field(default_factory=default_workers)
    header_timeout: float = 10.0  # seconds to send the request line and headers
    body_timeout: float = 20.0  # seconds to send the whole body once the headers are in
    query_concurrency: int = 2  # /ask and /search computed at once per worker; the rest wait
    answer_cache: int = (
        1024  # answers kept per worker for repeats (service/answer_cache.py); 0: off
    )
    # what reading one file may cost, in a worker process (ingest/folder/budget.py): RAG_READ_*
    reading: ReadingBudget = field(default_factory=ReadingBudget)
    # questions are private: no log line holds one unless the operator asks for it
    log_questions: bool = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "retrieval_mode", Mode.from_str(str(self.retrieval_mode)))
        except ValueError as error:
            raise ConfigError(f"RAG_RETRIEVAL_MODE: {error}") from error
        self._check_embedding()
        if not 1 <= self.keep_versions <= 1000:
            raise ConfigError(
                f"RAG_KEEP_VERSIONS must be between 1 and 1000, got {self.keep_versions}"
            )
        if not 1 <= self.top_k <= 50:
            raise ConfigError(f"RAG_TOP_K must be between 1 and 50, got {self.top_k}")
        if not 1024 <= self.max_body_bytes <= 16 * 1024 * 1024:
            raise ConfigError(
                f"RAG_MAX_BODY_BYTES must be between 1024 and 16777216, got {self.max_body_bytes}"
            )
        if not 1024 <= self.max_upload_bytes <= MAX_UPLOAD_LIMIT:
            raise ConfigError(
                f"RAG_MAX_UPLOAD_BYTES must be between 1024 and {MAX_UPLOAD_LIMIT}, "
                f"got {self.max_upload_bytes}"
            )
        if not 0 <= self.reload_interval <= 86400:
            raise ConfigError(
                f"RAG_RELOAD_INTERVAL must be between 0 (off) and 86400 seconds, "
                f"got {self.reload_interval}"
            )
        self._check_serving()

    def _check_serving(self) -> None:
        if not 1 <= self.workers <= 64:
            raise ConfigError(f"RAG_WORKERS must be between 1 and 64, got {self.workers}")
        if not 1 <= self.query_concurrency <= 64:
            raise ConfigError(
                f"RAG_QUERY_CONCURRENCY must be between 1 and 64, got {self.query_concurrency}"
            )
        if not 0 <= self.answer_cache <= 1_000_000:
            raise ConfigError(
                f"RAG_ANSWER_CACHE must be between 0 (off) and 1000000, got {self.answer_cache}"
            )
        for name, value in (
            ("RAG_HEADER_TIMEOUT", self.header_timeout),
            ("RAG_BODY_TIMEOUT", self.body_timeout),
        ):
            if not 0 < value <= MAX_TIMEOUT:  # also refuses nan
                raise ConfigError(
                    f"{name} must be more than 0 and at most {MAX_TIMEOUT:g} seconds, got {value}"
                )

    @property
    def shutdown_timeout(self) -> float:
        """How long SIGTERM waits for requests in flight: a held body times out before this."""
        return self.body_timeout + SHUTDOWN_MARGIN

    def _check_embedding(self) -> None:
        if self.embed_backend not in BACKENDS:
            raise ConfigError(
                f"RAG_EMBED_BACKEND must be one of {', '.join(BACKENDS)}, "
                f"got {self.embed_backend!r}"
            )
        if self.embed_precision not in PRECISIONS:
            raise ConfigError(
                f"RAG_EMBED_PRECISION must be one of {', '.join(PRECISIONS)}, "
                f"got {self.embed_precision!r}"
            )
        object.__setattr__(self, "embed_backend", Backend(self.embed_backend))
        object.__setattr__(self, "embed_precision", Precision(self.embed_precision))
        if self.query_precision not in PRECISIONS:
            raise ConfigError(
                f"RAG_QUERY_PRECISION must be one of {', '.join(PRECISIONS)}, "
                f"got {self.query_precision!r}"
            )
        object.__setattr__(self, "query_precision", Precision(self.query_precision))
        if self.embed_backend is Backend.TORCH and self.embed_precision is not Precision.FP32:
            raise ConfigError(
                f"RAG_EMBED_PRECISION={self.embed_precision.value} needs the ONNX backend "
                "(RAG_EMBED_BACKEND=auto or onnx), not torch"
            )
        if not 0 <= self.embed_threads <= 256:
            raise ConfigError(
                "RAG_EMBED_THREADS must be between 0 (onnxruntime's default, one per core) "
                f"and 256, got {self.embed_threads}"
            )

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields replaced (CLI flags win over the environment)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _number(env: Mapping[str, str], name: str, default: T, cast: Callable[[str], T]) -> T:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return cast(raw)
    except ValueError as error:
        kind = "an integer" if cast is int else "a number"
        raise ConfigError(f"{name} must be {kind}, got {raw!r}") from error


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return _number(env, name, default, int)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, float)


def _path(env: Mapping[str, str], name: str, default: Path | None) -> Path | None:
    raw = env.get(name)
    return Path(raw).expanduser() if raw else default


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from RAG_* variables; unset ones keep their defaults."""
    env = os.environ if env is None else env
    defaults = Settings()
    try:
        chunking = ChunkingConfig(
            chunk_size=_int(env, "RAG_CHUNK_SIZE", defaults.chunking.chunk_size),
            chunk_overlap=_int(env, "RAG_CHUNK_OVERLAP", defaults.chunking.chunk_overlap),
        )
    except ValueError as error:
        raise ConfigError(f"RAG_CHUNK_SIZE / RAG_CHUNK_OVERLAP: {error}") from error
    origins = tuple(o.strip() for o in env.get("RAG_CORS_ORIGINS", "").split(",") if o.strip())
    budget = defaults.reading
    try:
        reading = ReadingBudget(
            cpu_seconds=_float(env, "RAG_READ_CPU_SECONDS", budget.cpu_seconds),
            seconds_per_mb=_float(env, "RAG_READ_SECONDS_PER_MB", budget.seconds_per_mb),
            memory_mb=_int(env, "RAG_READ_MEMORY_MB", budget.memory_mb),
            max_chars=_int(env, "RAG_READ_MAX_CHARS", budget.max_chars),
        )
    except ValueError as error:
        raise ConfigError(f"RAG_READ_*: {error}") from error
    return Settings(
        corpus_dir=_path(env, "RAG_CORPUS_DIR", defaults.corpus_dir),
        index_dir=_path(env, "RAG_INDEX_DIR", defaults.index_dir),
        cache_dir=_path(env, "RAG_CACHE_DIR", defaults.cache_dir),
        model_dir=_path(env, "RAG_MODEL", None),
        model_name=env.get("RAG_MODEL_NAME") or None,
        device=env.get("RAG_DEVICE", defaults.device),
        embed_backend=env.get("RAG_EMBED_BACKEND") or defaults.embed_backend,
        embed_precision=env.get("RAG_EMBED_PRECISION") or defaults.embed_precision,
        query_precision=env.get("RAG_QUERY_PRECISION") or defaults.query_precision,
        embed_threads=_int(env, "RAG_EMBED_THREADS", defaults.embed_threads),
        chunking=chunking,
        top_k=_int(env, "RAG_TOP_K", defaults.top_k),
        retrieval_mode=env.get("RAG_RETRIEVAL_MODE", defaults.retrieval_mode),
        host=env.get("RAG_HOST", defaults.host),
        port=_int(env, "RAG_PORT", defaults.port),
        admin_key=env.get("RAG_ADMIN_KEY") or None,
        api_key=env.get("RAG_API_KEY") or None,
        cors_origins=origins,
        auto_build=env.get("RAG_AUTO_BUILD", "1") not in {"0", "false", "no"},
        keep_versions=_int(env, "RAG_KEEP_VERSIONS", defaults.keep_versions),
        max_body_bytes=_int(env, "RAG_MAX_BODY_BYTES", defaults.max_body_bytes),
        max_upload_bytes=_int(env, "RAG_MAX_UPLOAD_BYTES", defaults.max_upload_bytes),
        reload_interval=_float(env, "RAG_RELOAD_INTERVAL", defaults.reload_interval),
        workers=_int(env, "RAG_WORKERS", defaults.workers),
        header_timeout=_float(env, "RAG_HEADER_TIMEOUT", defaults.header_timeout),
        body_timeout=_float(env, "RAG_BODY_TIMEOUT", defaults.body_timeout),
        query_concurrency=_int(env, "RAG_QUERY_CONCURRENCY", defaults.query_concurrency),
        answer_cache=_int(env, "RAG_ANSWER_CACHE", defaults.answer_cache),
        reading=reading,
        log_questions=env.get("RAG_LOG_QUESTIONS", "0") in {"1", "true", "yes"},
    )
