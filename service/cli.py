"""The `rag` command line: index, ask, search and serve over the same engine as HTTP.

This is the front door. It never imports `evaluation`: further commands (`rag eval`,
`rag calibrate`) are plugins that packages register under the `rag.commands` entry-point group
(pyproject.toml), the way llm's plugins add commands, so the stack's imports keep pointing one
way and a plugin's imports cost nothing until it is asked for.
"""

from __future__ import annotations

import json
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer

from index.manifest import IndexProblem
from ingest.documents import CorpusError
from ingest.embed import ModelNotFound
from service.config import ConfigError, Settings, settings_from_env
from service.retrieval.modes import Mode
from service.validation import check_question

PLUGIN_GROUP = "rag.commands"

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Grounded, cited answers over the bundled articles.",
    pretty_exceptions_enable=False,
)
KNOWN_ERRORS = (CorpusError, IndexProblem, ModelNotFound, ConfigError, ValueError, OSError)


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _settings(**overrides: object) -> Settings:
    try:
        return settings_from_env().with_overrides(**overrides)
    except ConfigError as error:
        fail(str(error))
        raise  # unreachable; keeps type checkers content


def _engine(settings: Settings, progress: bool = True):
    from service.engine import Engine

    def say(message: str) -> None:
        typer.echo(message, err=True)

    return Engine.open(settings, progress=progress, log=say)


def _question(text: str, name: str = "question") -> str:
    try:
        return check_question(text, name)
    except ValueError as error:
        fail(str(error))
        raise


IndexDirOpt = Annotated[Path | None, typer.Option("--index-dir", help="Index root directory.")]
CorpusOpt = Annotated[Path | None, typer.Option("--corpus", help="Corpus directory.")]
ModeOpt = Annotated[
    Mode | None, typer.Option("--mode", help=f"Retrieval mode: {', '.join(Mode.names())}.")
]


@app.command()
def index(corpus: CorpusOpt = None, index_dir: IndexDirOpt = None) -> None:
    """Build (or rebuild) the index of the corpus, with progress."""
    from service.engine import build, make_embedder

    settings = _settings(corpus_dir=corpus, index_dir=index_dir)
    embedder = make_embedder(settings)
    path = build(settings, embedder, progress=True, log=lambda m: typer.echo(m, err=True))
    typer.echo(f"index written to {path}")


def _print_answer(body: dict) -> None:
    width = 88
    typer.echo(textwrap.fill(body["answer"], width))
    if body["abstained"]:
        typer.echo("\nClosest passages (related reading):")
        for p in body["passages"][:3]:
            preview = " ".join(p["text"].split())[:140]
            typer.echo(f"  - {p['title']} › {p['section']}: {preview}…")
        return
    typer.echo("")
    for c in body["citations"]:
        typer.echo(f"[{c['n']}] {c['title']} › {c['section']} (chars {c['start']}-{c['end']})")
        typer.echo(
            textwrap.fill(f"“{c['quote']}”", width, initial_indent="    ", subsequent_indent="    ")
        )
    typer.echo(f"\nconfidence {body['confidence']:.2f}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, max=50)] = None,
    mode: ModeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the /ask JSON body.")] = False,
    index_dir: IndexDirOpt = None,
) -> None:
    """Answer a question with cited quotes (or say the articles do not answer it)."""
    from service.render import ask_body

    text = _question(question)
    engine = _engine(_settings(index_dir=index_dir), progress=not as_json)
    body = ask_body(engine.ask(text, top_k, mode))
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        _print_answer(body)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The query text.")],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=50)] = 5,
    mode: ModeOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show ranking signals.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the /search JSON body.")] = False,
    index_dir: IndexDirOpt = None,
) -> None:
    """Ranked passages for a query."""
    from service.render import search_body

    text = _question(query, "query")
    engine = _engine(_settings(index_dir=index_dir), progress=not as_json)
    chosen = mode or engine.settings.retrieval_mode
    body = search_body(text, chosen, engine.search(text, k, chosen))
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    for p in body["passages"]:
        typer.echo(f"{p['rank']:>2}. {p['score']:.4f}  {p['title']} › {p['section']}")
        if explain:
            s = p["signals"]
            typer.echo(
                f"    dense {s.get('dense_score')} (rank {s.get('dense_rank')}) · bm25 "
                f"{s.get('bm25_score')} (rank {s.get('bm25_rank')}) · best sentence "
                f"{s.get('sentence_score')} (rank {s.get('sentence_rank')}) · fused "
                f"{s.get('fused_score')}"
            )
        typer.echo(textwrap.fill(p["text"], 88, initial_indent="    ", subsequent_indent="    "))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port", min=0, max=65535)] = None,
    index_dir: IndexDirOpt = None,
) -> None:
    """Run the HTTP service (builds the index first when there is none)."""
    import logging

    import uvicorn

    from service.api import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    settings = _settings(host=host, port=port, index_dir=index_dir)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        timeout_graceful_shutdown=30,
        log_level="info",
    )


def load_plugins(target: typer.Typer) -> None:
    """Let installed packages add commands: each `rag.commands` entry point is a function that
    takes the Typer app (evaluation/cli.py registers `eval` and `calibrate` this way)."""
    for entry in entry_points(group=PLUGIN_GROUP):
        entry.load()(target)


load_plugins(app)


def main() -> None:
    """Console-script entry point: domain errors become one line on stderr and exit 2."""
    try:
        app()
    except KNOWN_ERRORS as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
