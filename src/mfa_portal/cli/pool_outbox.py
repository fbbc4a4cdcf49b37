"""``mfa-portal pool outbox``: read the mail a standalone pool without SMTP has kept.

Codes, reset codes and invitations of ``mfa-portal pool serve`` land in the outbox of its data
directory when no SMTP server is configured; this lists the latest, whether the server runs or not.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from mfa_portal.cli import pool_app
from mfa_portal.pool.standalone import DEFAULT_DATA_DIR, OUTBOX_LIMIT, read_outbox


@pool_app.command("outbox")
def outbox(
    data_dir: Annotated[
        Path, typer.Option(help="The data directory of `mfa-portal pool serve`.")
    ] = DEFAULT_DATA_DIR,
    limit: Annotated[
        int, typer.Option(help="How many of the latest messages.", min=1, max=OUTBOX_LIMIT)
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List the latest messages the standalone pool sent to its development outbox, newest first."""
    if not data_dir.is_dir():  # a mistyped path is not an empty outbox
        typer.echo(
            f"error: no data directory at {data_dir} (give the --data-dir of `pool serve`)",
            err=True,
        )
        raise typer.Exit(2)
    messages = read_outbox(data_dir, limit)
    if as_json:
        typer.echo(json.dumps([m.as_json() for m in messages], indent=2))
        return
    if not messages:
        typer.echo(f"No messages in the outbox of {data_dir}.")
        return
    for m in messages:
        at = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(m.at))
        typer.echo(f"#{m.id}  {at}  to {m.to}\nSubject: {m.subject}\n\n{m.body}\n")
