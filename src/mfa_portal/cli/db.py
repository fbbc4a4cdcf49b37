"""``mfa-portal db …``: migrations, copying to PostgreSQL, accepting changed secrets, from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mfa_portal.cli import db_app
from mfa_portal.settings import SettingsError, load_settings
from mfa_portal.wiring import database
from mfa_portal.wiring.backend import StartupError
from mfa_portal.wiring.support import accept_secret

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="postgresql://user:password@host:port/db (default: MFA_PORTAL_DATABASE_URL, or the "
        "SQLite files in the data directory).",
    ),
]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@db_app.command("migrate")
def migrate(
    data_dir: Annotated[
        Path | None, typer.Option(help="The data directory (default ./.mfa-portal).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Bring every store (pool, portal store, sessions) to the current schema; safe to repeat."""
    try:
        settings = load_settings(data_dir=data_dir, database_url=database_url)
        if settings.database is None and not settings.data_dir.is_dir():
            # SQLite lives in the data directory: a mistyped path would create empty stores.
            _fail(
                f"no data directory at {settings.data_dir}: nothing to migrate "
                "(`mfa-portal serve` creates one; check --data-dir or MFA_PORTAL_DATA_DIR)"
            )
        lines = database.migrate(settings)
    except (SettingsError, StartupError) as exc:
        _fail(str(exc))
    for line in lines:
        typer.echo(line)


@db_app.command("copy")
def copy(
    source: Annotated[
        str,
        typer.Option("--from", help="The SQLite data directory: sqlite:///<path> (or the path)."),
    ],
    target: Annotated[str, typer.Option("--to", help="postgresql://user:password@host:port/db")],
    sessions: Annotated[
        bool, typer.Option("--sessions", help="Copy the portal sessions too (default: not).")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace what the target holds (default: refuse)."),
    ] = False,
) -> None:
    """Copy a single-node deployment's pool and portal store into PostgreSQL, ids and keys kept."""
    try:
        results = database.copy(source, target, sessions=sessions, force=force)
    except (database.CopyError, StartupError) as exc:
        _fail(str(exc))
    for result in results:
        total = sum(result.rows.values())
        tables = ", ".join(f"{name} {count}" for name, count in result.rows.items() if count)
        typer.echo(f"{result.schema}: {total} rows copied ({tables or 'no rows'})")
    typer.echo("Start the portal with MFA_PORTAL_DATABASE_URL set to the target and the same keys.")


@db_app.command("accept-session-secret")
def accept_session_secret(
    data_dir: Annotated[
        Path | None, typer.Option(help="The data directory (default ./.mfa-portal).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Make the configured session secret the deployment's, after changing it on purpose.

    Replicas with another secret refuse to start; every signed-in user is signed out by the change.
    Stop every replica first, then start them all with the new secret.
    """
    try:
        settings = load_settings(data_dir=data_dir, database_url=database_url)
        changed, where = accept_secret(settings)
    except (SettingsError, StartupError, ValueError) as exc:
        _fail(str(exc))
    if changed:
        typer.echo(f"{where} now expects the session secret of {settings.secret_key_source()}.")
    else:
        typer.echo(f"{where} already expects this session secret; nothing changed.")


@db_app.command("accept-pool-keys")
def accept_pool_keys(
    data_dir: Annotated[
        Path | None, typer.Option(help="The data directory (default ./.mfa-portal).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Make the configured pool access key pair the deployment's, after replacing it on purpose.

    Replicas with another pair refuse to start; SDKs and scripts signing with the old pair are
    refused. Stop every replica first, then start them all with the new pair.
    """
    try:
        settings = load_settings(data_dir=data_dir, database_url=database_url)
        changed, key_id, where = database.accept_pool_keys(settings)
    except (SettingsError, StartupError, ValueError) as exc:
        _fail(str(exc))
    if changed:
        typer.echo(f"{where} now expects the pool access key {key_id}.")
    else:
        typer.echo(f"{where} already expects the pool access key {key_id}; nothing changed.")
