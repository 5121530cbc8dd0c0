"""The labelled suites, the corpus each asks about, and which are for fitting or held out.

evaluation/suites/suites.json is the one list. `fit` suites may train the sentence ranker and
the abstention model; `tune` suites choose settings and check the fitting; `heldout` suites were
written blind on documents nobody on the team read, and are never fitted or tuned on, so the
headline figures (README, `make eval`, the CI gate) come from them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from service.config import PROJECT_ROOT

SUITES_DIR = PROJECT_ROOT / "evaluation" / "suites"
REGISTRY = SUITES_DIR / "suites.json"


class Role(StrEnum):
    FIT = "fit"
    TUNE = "tune"
    HELDOUT = "heldout"
    FOLLOWUP = "followup"  # blind chats: each conversation's last turn, read with its history
    FOLLOWUP_DEV = "followup-dev"  # chats read while the follow-up resolver was built


class RegistryError(ValueError):
    """suites.json names a suite or corpus that is not there, or a role that does not exist."""


@dataclass(frozen=True)
class SuiteEntry:
    name: str
    path: Path
    corpus: Path
    role: Role
    about: str = ""


def load_registry(path: Path = REGISTRY) -> dict[str, SuiteEntry]:
    """Every registered suite by name; paths are resolved against the project root."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))["suites"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RegistryError(f"{path.name}: cannot read the suite registry ({error})") from error
    entries = {}
    for name, spec in raw.items():
        try:
            entry = SuiteEntry(
                name=name,
                path=path.parent / f"{name}.jsonl",
                corpus=PROJECT_ROOT / spec["corpus"],
                role=Role(spec["role"]),
                about=spec.get("about", ""),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RegistryError(f"{path.name}: suite {name!r} is malformed ({error})") from error
        if not entry.path.is_file() or not entry.corpus.is_dir():
            raise RegistryError(f"{path.name}: suite {name!r} or its corpus does not exist")
        entries[name] = entry
    return entries


def with_role(role: Role, path: Path = REGISTRY) -> list[SuiteEntry]:
    """The registered suites of one role, in registry order."""
    return [e for e in load_registry(path).values() if e.role is role]


def resolve(names_or_paths: list[str], path: Path = REGISTRY) -> list[SuiteEntry]:
    """Registry names, or the words `fit`/`heldout`/`all`, as entries."""
    registry = load_registry(path)
    chosen: list[SuiteEntry] = []
    for item in names_or_paths:
        if item == "all":
            chosen += registry.values()
        elif item in {role.value for role in Role}:
            chosen += [e for e in registry.values() if e.role == item]
        elif item in registry:
            chosen.append(registry[item])
        else:
            raise RegistryError(
                f"unknown suite {item!r}; registered: {', '.join(registry)} "
                "(or fit, tune, heldout, all)"
            )
    return list(dict.fromkeys(chosen))
