"""What the storage layer reports: one-line start-up refusals and a constraint error for both engines."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StartupError(Exception):
    """The storage cannot be used as it is; the message is one line naming it and the fix."""


class ConstraintError(sqlite3.IntegrityError):
    """A constraint or an append-only trigger refused a write on PostgreSQL.

    It is a ``sqlite3.IntegrityError`` on purpose: code that catches the constraint error of the
    embedded default (``except sqlite3.IntegrityError`` or ``storage.IntegrityError``) catches this
    one too, so no call site needs a dialect branch.
    """


#: The constraint error of either engine (PostgreSQL's are raised as ``ConstraintError``).
IntegrityError = sqlite3.IntegrityError


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) readable by this user only; an existing one is kept."""
    if path.is_dir():
        return
    if path.exists():
        raise StartupError(
            f"{path} is a file, not a directory: give a directory (or a path that does not exist "
            "yet) as the data directory"
        )
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(
            f"cannot create the directory {path} ({exc.strerror or exc}): create it, or give this "
            "user write access to its parent, or use another data directory"
        ) from None


def unwritable(path: Path, reason: str) -> str:
    return (
        f"cannot open {path} for writing ({reason}): give this user write access to "
        f"{path.parent} and its files, or use another data directory"
    )
