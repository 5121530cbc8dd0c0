"""An engine per corpus, sharing one embedder, and the suites each is labelled with: what fitting
and held-out campaigns both run on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from evaluation.cases.registry import Role, SuiteEntry, resolve, with_role
from evaluation.cases.suite import Case, load_suite
from service.config import PROJECT_ROOT, Settings, settings_from_env
from service.engine import Engine
from service.indexing import ensure_index, make_embedder, make_query_embedder

EVAL_INDEXES = PROJECT_ROOT / "var" / "eval"


class Engines:
    """One engine per corpus, sharing one embedder; the configured corpus keeps its own index."""

    def __init__(
        self,
        settings: Settings,
        make: Callable[..., Engine] = Engine,
        indexes: Path = EVAL_INDEXES,
    ) -> None:
        self.settings = settings
        self.indexes = indexes
        self.embedder = make_embedder(settings)
        self.embedder.warm_up()
        self.query_embedder = make_query_embedder(settings, self.embedder)  # as serving does
        self._make = make
        self._open: dict[Path, Engine] = {}

    def settings_for(self, corpus: Path) -> Settings:
        if corpus.resolve() == self.settings.corpus_dir.resolve():
            return self.settings
        root = EVAL_INDEXES / corpus.resolve().relative_to(PROJECT_ROOT).as_posix().replace(
            "/", "-"
        )
        return replace(self.settings, corpus_dir=corpus, index_dir=root)

    def for_corpus(self, corpus: Path) -> Engine:
        key = corpus.resolve()
        if key not in self._open:
            settings = self.settings_for(corpus)
            self._open[key] = self._make(
                settings,
                self.embedder,
                ensure_index(settings, self.embedder),
                query_embedder=self.query_embedder,
            )
        return self._open[key]


@dataclass(frozen=True)
class LabelledSuite:
    """A suite's cases with the engine of its corpus."""

    entry: SuiteEntry
    cases: tuple[Case, ...]
    engine: Engine

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def corpus(self) -> str:
        return self.entry.corpus.name


def labelled(engines: Engines, entries: Sequence[SuiteEntry]) -> list[LabelledSuite]:
    out = []
    for entry in entries:
        engine = engines.for_corpus(entry.corpus)
        out.append(LabelledSuite(entry, tuple(load_suite(entry.path, entry.corpus)), engine))
    return out


def fit_entries(names: list[str]) -> list[SuiteEntry]:
    """The suites to fit on; a held-out suite is refused (they are never fitted on)."""
    entries = resolve(names)
    heldout = [e.name for e in entries if e.role is Role.HELDOUT]
    if heldout:
        raise SystemExit(f"refusing to fit on held-out suites: {', '.join(heldout)}")
    return entries or with_role(Role.FIT)


def relative(path: Path) -> str:
    """A path as reports show it: relative to the project when inside it."""
    resolved = path.resolve()
    return (
        str(resolved.relative_to(PROJECT_ROOT))
        if resolved.is_relative_to(PROJECT_ROOT)
        else str(path)
    )


def default_engines() -> Engines:
    return Engines(settings_from_env())
