"""``mfa-portal audit list|export``: read the audit trail (it cannot be edited from anywhere)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mfa_portal.admin import lookup
from mfa_portal.admin.audit import (
    AuditEntry,
    AuditFilter,
    AuditFilterError,
    parse_filter,
    write_csv,
    write_jsonl,
)
from mfa_portal.admin.display import safe, shown
from mfa_portal.admin.support import Support
from mfa_portal.cli import audit_app
from mfa_portal.cli.tables import WIDE, blocks, console, terminal_width
from mfa_portal.cli.users import DatabaseUrl, DataDir, Json, cognito_fail, emit, fail, support_for
from mfa_portal.cognito_api.client import CognitoError

Actor = Annotated[
    str, typer.Option(help="Only entries by this actor (e.g. cli:root, admin:alice).")
]
Target = Annotated[str, typer.Option(help="Only entries about this user or pool.")]
Action = Annotated[str, typer.Option(help="Only this action (e.g. reset-mfa).")]
Outcome = Annotated[
    Literal["success", "failure"] | None, typer.Option(help="Only successes or failures.")
]
Kind = Annotated[
    Literal["support", "self-service", "sign-in"] | None,
    typer.Option(help="Only support actions, self-service, or sign-in failures."),
]
Since = Annotated[str, typer.Option(help="From this UTC date/time (ISO 8601).")]
Until = Annotated[str, typer.Option(help="Before this UTC date/time (ISO 8601).")]


def _filter(
    actor: str,
    target: str,
    action: str,
    outcome: str | None,
    since: str,
    until: str,
    limit: int,
    as_json: bool = False,
    kind: str | None = None,
) -> AuditFilter:
    typed = dict(
        actor=actor,
        target=target,
        action=action,
        outcome=outcome or "",
        since=since,
        until=until,
        kind=kind or "",
    )
    try:
        return parse_filter(typed, limit=limit)
    except AuditFilterError:
        fail(
            "--since/--until must be ISO dates, e.g. 2026-11-28 or 2026-11-28T17:00",
            as_json=as_json,
        )


@audit_app.command("list")
def list_cmd(
    ctx: typer.Context,
    actor: Actor = "",
    target: Target = "",
    action: Action = "",
    outcome: Outcome = None,
    kind: Kind = None,
    since: Since = "",
    until: Until = "",
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """The newest entries first: a table in a wide terminal, one block per entry in a narrow one."""
    flt = _filter(actor, target, action, outcome, since, until, limit, as_json, kind)
    support = support_for(ctx, as_json)
    entries = support.audit.query(_with_aliases(support, flt, as_json))
    if as_json:
        emit([{**vars(e), "time": e.time_iso} for e in entries])
        return
    if not entries:
        Console(highlight=False).print("No audit entries match.", markup=False)
        return
    width = terminal_width()
    if width >= WIDE:
        _table(entries, width)
    else:
        blocks(console(width), (_block(e) for e in entries), width)


def _with_aliases(support: Support, flt: AuditFilter, as_json: bool = False) -> AuditFilter:
    """``--target`` a user: their entries under every name they are filed under (a failed sign-in
    typed with the email address is filed under it), as the console's user page shows them."""
    if not flt.target:
        return flt
    try:
        names = lookup.audit_names(support, flt.target)
    except CognitoError as exc:
        cognito_fail(exc, as_json, target=flt.target)
    return dataclasses.replace(flt, target_aliases=names)


def _table(entries: list[AuditEntry], width: int) -> None:
    table = Table()
    for header in ("Time (UTC)", "Actor", "Target", "Action", "Outcome", "Reason", "Detail"):
        # Times, actions and outcomes are short and must stay whole; free text wraps at words.
        table.add_column(header, no_wrap=header in ("Time (UTC)", "Action", "Outcome"))
    table.add_column("Source", overflow="fold")
    for e in entries:
        # Text cells: never read as Rich markup; entries written before escaping are escaped here.
        cells = (e.time_iso, e.actor, e.target, e.action, e.outcome, e.reason, e.detail, e.source)
        table.add_row(*(Text(str(shown(c)) if c == e.target else safe(c)) for c in cells))
    console(width).print(table)


def _block(e: AuditEntry) -> tuple[str, list[tuple[str, str]]]:
    """``2026-11-28 18:10:35  reset-mfa  failure  bob`` and the rest as labelled lines."""
    when = e.time_iso.replace("T", " ").rstrip("Z")
    heading = f"{when}  {safe(e.action)}  {e.outcome}  {shown(e.target)}"
    fields = [
        ("by", safe(e.actor) + (f" from {safe(e.source)}" if e.source else "")),
        ("reason", safe(e.reason)),
        ("detail", safe(e.detail)),
    ]
    return heading, fields


@audit_app.command("export")
def export_cmd(
    ctx: typer.Context,
    fmt: Annotated[
        Literal["csv", "jsonl"], typer.Option("--format", help="CSV or JSON lines.")
    ] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    actor: Actor = "",
    target: Target = "",
    action: Action = "",
    outcome: Outcome = None,
    kind: Kind = None,
    since: Since = "",
    until: Until = "",
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Every matching entry, oldest first, as CSV or JSON lines."""
    flt = _filter(actor, target, action, outcome, since, until, 0, kind=kind)
    support = support_for(ctx)
    entries = list(reversed(support.audit.query(_with_aliases(support, flt))))
    writer = write_csv if fmt == "csv" else write_jsonl
    if output is None:
        writer(entries, sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as out:
            count = writer(entries, out)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    Console(stderr=True).print(f"{count} entries written to {output}", markup=False)
