"""The one progress-message callback every stage accepts, and its silent default.

Builds, exports and changes report progress through a plain `Log` callable (the CLI passes one
that writes to stderr, the server one that logs), so no stage depends on a logging setup.
"""

from __future__ import annotations

from collections.abc import Callable

Log = Callable[[str], None]


def quiet(_message: str) -> None:
    """A Log that says nothing."""
    return None
