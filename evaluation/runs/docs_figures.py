"""Figures in the docs are written by the commands that measure them, never by hand.

A doc marks each block of measured figures with a pair of HTML comments, invisible when the
Markdown is rendered:

    <!-- figures:NAME -->
    ...written by the command...
    <!-- /figures:NAME -->

`write_figures` replaces what lies between one such pair and leaves the rest of the file as it
was; `publish` does the same under a one-line header naming the command, the date and the git
commit. Nothing heavy is imported here: the commands load it only when they write.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from evaluation.runs.report import PROJECT_ROOT, git_commit

README = PROJECT_ROOT / "README.md"
DOCS = PROJECT_ROOT / "docs"


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- figures:{name} -->", f"<!-- /figures:{name} -->"


def replace_block(text: str, name: str, markdown: str) -> str | None:
    """`text` with block `name` holding `markdown`; None unless the block is there exactly once
    (one opening marker, then one closing marker)."""
    opening, closing = _markers(name)
    if text.count(opening) != 1 or text.count(closing) != 1:
        return None
    head, rest = text.split(opening)
    if closing not in rest:  # the closing marker comes first
        return None
    tail = rest.split(closing)[1]
    return f"{head}{opening}\n\n{markdown.strip()}\n\n{closing}{tail}"


def write_figures(doc: Path, name: str, markdown: str) -> bool:
    """Put `markdown` between the markers of block `name` in `doc`, keeping the markers.

    Returns False, changing nothing, when the doc or its markers are absent. The file is
    replaced atomically (a temporary file beside it, then os.replace), so a reader never sees
    half a doc; an unchanged block is not rewritten.
    """
    try:
        text = doc.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    updated = replace_block(text, name, markdown)
    if updated is None:
        return False
    if updated == text:
        return True
    handle, name_of_temporary = tempfile.mkstemp(prefix=f".{doc.name}.", dir=doc.parent)
    temporary = Path(name_of_temporary)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(updated)
            out.flush()
            os.fsync(out.fileno())
        temporary.chmod(doc.stat().st_mode & 0o7777)
        temporary.replace(doc)  # os.replace: atomic within one file system
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return True


def header(command: str, when: datetime | None = None, commit: str | None = None) -> str:
    """The line above every written block: which command, when, and at which commit."""
    day = (when or datetime.now(UTC)).date().isoformat()
    commit = commit or git_commit()
    if commit is None:
        return f"Written by `{command}` on {day}, outside a git checkout."
    dirty = " with uncommitted changes" if commit.endswith("-dirty") else ""
    return f"Written by `{command}` on {day} at commit `{commit[:12]}`{dirty}."


def module_command(module: str, argv: Sequence[str] | None = None) -> str:
    """How a `python -m` benchmark was run, from its arguments (default: this process's)."""
    args = sys.argv[1:] if argv is None else argv
    return shlex.join(["python", "-m", module, *args])


def publish(doc: Path, name: str, command: str, markdown: str) -> bool:
    """Block `name` of `doc` becomes `markdown` under its header line; one line on stderr
    says whether it was written (a doc without that block is left alone)."""
    written = write_figures(doc, name, f"{header(command)}\n\n{markdown.strip()}")
    where = doc.relative_to(PROJECT_ROOT) if doc.is_relative_to(PROJECT_ROOT) else doc
    state = "rewritten" if written else "not written (no such block)"
    print(f"figures `{name}` in {where}: {state}", file=sys.stderr)
    return written
