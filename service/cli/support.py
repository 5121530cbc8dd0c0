"""What every `rag` command shares: one-line failures, settings, the engine, option types.

Kept apart from service/cli/app.py so the command modules (cli.py, cli_index.py) import it without
importing each other. Nothing heavy is imported here: commands import what they need.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service.question.validation import check_question
from service.retrieval.modes import Mode

if TYPE_CHECKING:
    from service.config import Settings
    from service.engine import Engine


def fail(message: str, code: int = 2) -> None:
    """Print `error: message` on stderr and exit with `code` (2: bad input)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def settings_or_fail(**overrides: object) -> Settings:
    from service.config import ConfigError, settings_from_env

    try:
        return settings_from_env().with_overrides(**overrides)
    except ConfigError as error:
        fail(str(error))
        raise  # unreachable; keeps type checkers content


def open_engine(settings: Settings, progress: bool = True) -> Engine:
    from service.engine import Engine

    def say(message: str) -> None:
        typer.echo(message, err=True)

    return Engine.open(settings, progress=progress, log=say)


def question_or_fail(text: str, name: str = "question") -> str:
    try:
        return check_question(text, name)
    except ValueError as error:
        fail(str(error))
        raise


LOCAL_RAY = "local"  # `--ray` given without an address
RayOpt = Annotated[
    str | None,
    typer.Option(
        "--ray",
        is_flag=False,
        flag_value=LOCAL_RAY,
        metavar="[ADDRESS]",
        help="Run on Ray (the scale extra): a local Ray, or the cluster at ADDRESS.",
    ),
]
IndexDirOpt = Annotated[Path | None, typer.Option("--index-dir", help="Index root directory.")]
CorpusOpt = Annotated[Path | None, typer.Option("--corpus", help="Corpus directory.")]
ModeOpt = Annotated[
    Mode | None, typer.Option("--mode", help=f"Retrieval mode: {', '.join(Mode.names())}.")
]
