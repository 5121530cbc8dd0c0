"""Settings, read from the environment in this one place and passed explicitly from here on."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from ingest.chunk import ChunkingConfig
from service.retrieval.modes import DEFAULT_MODE, Mode

T = TypeVar("T", int, float)
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class ConfigError(ValueError):
    """An environment variable holds a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    """Every knob of the service; the README's configuration table lists the variables."""

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    cache_dir: Path = PROJECT_ROOT / "var" / "cache"
    model_dir: Path | None = None  # None: the bundled all-MiniLM-L6-v2
    model_name: str | None = None
    device: str = "cpu"
    chunking: ChunkingConfig = field(default_factory=ChunkingConfig)
    top_k: int = 5
    retrieval_mode: Mode = DEFAULT_MODE
    host: str = "127.0.0.1"
    port: int = 8000
    admin_key: str | None = None
    api_key: str | None = None
    cors_origins: tuple[str, ...] = ()
    auto_build: bool = True
    max_body_bytes: int = 64 * 1024
    reload_interval: float = 0.0  # seconds between checks of `current`; 0 turns polling off

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "retrieval_mode", Mode.from_str(str(self.retrieval_mode)))
        except ValueError as error:
            raise ConfigError(f"RAG_RETRIEVAL_MODE: {error}") from error
        if not 1 <= self.top_k <= 50:
            raise ConfigError(f"RAG_TOP_K must be between 1 and 50, got {self.top_k}")
        if not 1024 <= self.max_body_bytes <= 16 * 1024 * 1024:
            raise ConfigError(
                f"RAG_MAX_BODY_BYTES must be between 1024 and 16777216, got {self.max_body_bytes}"
            )
        if not 0 <= self.reload_interval <= 86400:
            raise ConfigError(
                f"RAG_RELOAD_INTERVAL must be between 0 (off) and 86400 seconds, "
                f"got {self.reload_interval}"
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
    return Settings(
        corpus_dir=_path(env, "RAG_CORPUS_DIR", defaults.corpus_dir),
        index_dir=_path(env, "RAG_INDEX_DIR", defaults.index_dir),
        cache_dir=_path(env, "RAG_CACHE_DIR", defaults.cache_dir),
        model_dir=_path(env, "RAG_MODEL", None),
        model_name=env.get("RAG_MODEL_NAME") or None,
        device=env.get("RAG_DEVICE", defaults.device),
        chunking=chunking,
        top_k=_int(env, "RAG_TOP_K", defaults.top_k),
        retrieval_mode=env.get("RAG_RETRIEVAL_MODE", defaults.retrieval_mode),
        host=env.get("RAG_HOST", defaults.host),
        port=_int(env, "RAG_PORT", defaults.port),
        admin_key=env.get("RAG_ADMIN_KEY") or None,
        api_key=env.get("RAG_API_KEY") or None,
        cors_origins=origins,
        auto_build=env.get("RAG_AUTO_BUILD", "1") not in {"0", "false", "no"},
        max_body_bytes=_int(env, "RAG_MAX_BODY_BYTES", defaults.max_body_bytes),
        reload_interval=_float(env, "RAG_RELOAD_INTERVAL", defaults.reload_interval),
    )
