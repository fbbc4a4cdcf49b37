"""Tables that stay readable in the terminal support staff actually have.

A terminal of 80 columns cannot hold the audit trail's eight columns: Rich would squeeze each to a
few characters and break every word. Below ``WIDE`` columns the commands print each row as a small
block instead (a heading line, then labelled lines wrapped at word boundaries). The width is the
terminal's (``COLUMNS`` wins, as everywhere); output that is not a terminal counts as 80 columns.
``--json`` never goes through here.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterable, Sequence

from rich.console import Console

WIDE = 120  # columns from which the audit trail is a table
FALLBACK = 80


def terminal_width() -> int:
    return shutil.get_terminal_size((FALLBACK, 24)).columns


def console(width: int) -> Console:
    """A console that wraps nothing itself: the blocks are wrapped here, tables by Rich."""
    return Console(width=width, highlight=False, soft_wrap=False)


def blocks(out: Console, rows: Iterable[tuple[str, Sequence[tuple[str, str]]]], width: int) -> None:
    """Each row as ``heading`` then ``  label: value`` lines, wrapped at words to ``width``."""
    first = True
    for heading, fields in rows:
        if not first:
            out.print("", markup=False)
        first = False
        out.print(heading, markup=False, overflow="fold")
        pad = max((len(label) for label, _ in fields), default=0) + 4
        for label, value in fields:
            if not value:
                continue
            lines = textwrap.wrap(
                value,
                width=max(width - pad, 20),
                break_long_words=True,  # only a single word longer than the line (an id) breaks
                break_on_hyphens=False,
            ) or [""]
            out.print(f"  {label + ':':<{pad - 2}}{lines[0]}", markup=False, overflow="fold")
            for more in lines[1:]:
                out.print(" " * pad + more, markup=False, overflow="fold")
