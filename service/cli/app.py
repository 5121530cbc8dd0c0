"""The `rag` command line: index, ask, search and serve over the same engine as HTTP.

This is the front door. It never imports `evaluation`: further commands (`rag eval`,
`rag calibrate`) are plugins that packages register under the `rag.commands` entry-point group
(pyproject.toml), the way llm's plugins add commands, so the stack's imports keep pointing one
way and a plugin's imports cost nothing until it is asked for.

Start-up is lazy: this module imports typer and two small modules, and each command imports
what it needs when it runs, so `rag --help` and `rag --version` load no model, index or numpy.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from importlib.metadata import entry_points, version
from typing import Annotated

import typer

import service.cli.index_commands
from service.cli.support import (
    LOCAL_RAY,
    IndexDirOpt,
    ModeOpt,
    RayOpt,
    fail,
    open_engine,
    question_or_fail,
    settings_or_fail,
)

PLUGIN_GROUP = "rag.commands"
READ_ONLY_COMMANDS = frozenset({"ask", "search"})
DISTRIBUTION = "grounded-qa"  # pyproject.toml's project name, whose version `--version` prints

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Grounded, cited answers over the bundled articles.",
    pretty_exceptions_enable=False,
    # Plain help and usage errors: rendering them with rich costs 0.1 s of imports per run.
    rich_markup_mode=None,
)


def known_errors() -> tuple[type[Exception], ...]:
    """The domain errors `main` prints as one line. Imported only on the error path: a command
    that raised one of them has already loaded its module, and `rag --help` loads none."""
    from index.storage.manifest import IndexProblem
    from ingest.documents import CorpusError
    from ingest.embed import ModelNotFound
    from service.config import ConfigError

    return (CorpusError, IndexProblem, ModelNotFound, ConfigError, ValueError, OSError)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"rag {version(DISTRIBUTION)}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the installed version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Grounded, cited answers over the bundled articles."""


service.cli.index_commands.register(app)  # index, add, remove, gc


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

    text = question_or_fail(question)
    engine = open_engine(settings_or_fail(index_dir=index_dir), progress=not as_json)
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

    text = question_or_fail(query, "query")
    engine = open_engine(settings_or_fail(index_dir=index_dir), progress=not as_json)
    body = search_body(text, engine.search(text, k, mode))
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
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Worker processes, each with its own engine (default RAG_WORKERS, or one per "
            "core); 1 serves from this process.",
        ),
    ] = None,
    index_dir: IndexDirOpt = None,
    ray: RayOpt = None,
    replicas: Annotated[
        int, typer.Option("--replicas", min=1, max=64, help="Ray Serve replicas (with --ray).")
    ] = 2,
) -> None:
    """Run the HTTP service (builds the index first when there is none)."""
    from service.http.runtime.server import serve as run_server

    settings = settings_or_fail(host=host, port=port, workers=workers, index_dir=index_dir)
    if ray:
        from index.ray_build import RayUnavailable
        from service.http.runtime.ray_serve import serve_on_ray

        try:
            status = serve_on_ray(settings, replicas, None if ray == LOCAL_RAY else ray)
        except RayUnavailable as error:
            fail(str(error))
        return
    status = run_server(settings)
    if status:
        raise typer.Exit(status)


def load_plugins(target: typer.Typer) -> None:
    """Let installed packages add commands: each `rag.commands` entry point is a function that
    takes the Typer app (evaluation/cli/app.py registers `eval` and `calibrate` this way)."""
    for entry in entry_points(group=PLUGIN_GROUP):
        entry.load()(target)


load_plugins(app)


def optional_ray_address(args: list[str]) -> list[str]:
    """`--ray` with no address means a local Ray (click can take an optional value, Typer
    does not pass that on): the bare flag gets the LOCAL_RAY value."""
    out: list[str] = []
    for i, arg in enumerate(args):
        out.append(arg)
        following = args[i + 1] if i + 1 < len(args) else None
        if arg == "--ray" and (following is None or following.startswith("-")):
            out.append(LOCAL_RAY)
    return out


def _end_without_teardown(finished: SystemExit) -> None:
    """End `rag ask` / `rag search` at once once they have printed: they only read, so nothing
    is left to flush or close, and the interpreter's teardown (freeing numba, SciPy, FAISS and
    ONNX Runtime state) would add 0.2-0.3 s to every answer. Other commands end normally."""
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command in READ_ONLY_COMMANDS and isinstance(finished.code, int | None):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:
            os._exit(120)  # what Python itself returns when it cannot flush at exit
        os._exit(finished.code or 0)


def main() -> None:
    """Console-script entry point: domain errors become one line on stderr and exit 2."""
    try:
        app(args=optional_ray_address(sys.argv[1:]))
    except SystemExit as finished:
        _end_without_teardown(finished)
        raise
    except Exception as error:
        if not isinstance(error, known_errors()):
            raise
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
