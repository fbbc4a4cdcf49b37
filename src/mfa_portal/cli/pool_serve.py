"""``mfa-portal pool serve``: the embedded user pool alone, on Cognito's wire protocol."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from mfa_portal.admin.notify import MailSettings
from mfa_portal.cli import pool_app
from mfa_portal.cli.ports import require_free_port
from mfa_portal.cli.workers import WorkerSpec, resolve_workers, run
from mfa_portal.pool.credentials import FILE_NAME, CredentialsError
from mfa_portal.pool.standalone import (
    DEFAULT_DATA_DIR,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_REGION,
    OUTBOX_PATH,
    StandalonePool,
    build_standalone,
)
from mfa_portal.security_events import configure_logging
from mfa_portal.settings import Mode, SettingsError, load_log_settings, load_settings
from mfa_portal.wiring.backend import StartupError
from mfa_portal.wiring.start_lock import first_start_lock
from mfa_portal.wiring.support import mail_settings


def pool_mail_settings() -> MailSettings:
    """``serve``'s mail settings (``MFA_PORTAL_SMTP_*``) for the standalone pool.

    The standalone pool is a development tool, so without an explicit ``MFA_PORTAL_MODE`` it runs
    in development mode: mail without SMTP goes to the outbox instead of failing.
    """
    settings = load_settings()
    mode = settings.mode if "mode" in settings.model_fields_set else Mode.DEVELOPMENT
    return dataclasses.replace(mail_settings(settings), mode=mode.value)


def pool_failures_per_address() -> int:
    """``MFA_PORTAL_POOL_FAILURES_PER_ADDRESS`` (``SettingsError`` if it is not a count)."""
    return load_settings().pool_failures_per_address


def mail_lines(pool: StandalonePool, data_dir: Path) -> list[str]:
    """Where the pool's mail (codes, invitations) goes."""
    if pool.outbox is None:
        return []
    lines = [
        "No SMTP server configured (MFA_PORTAL_SMTP_HOST): mail is printed here and kept in the "
        "outbox.",
        f"  mfa-portal pool outbox --data-dir {data_dir}",
    ]
    if pool.outbox_served:
        lines.append(f"  {pool.endpoint}{OUTBOX_PATH}")
    return lines


def banner(pool: StandalonePool, data_dir: Path) -> str:
    """What an operator needs on start: where to point SDKs, how to sign, where the JWKS is."""
    creds = pool.credentials
    lines = [f"Embedded Cognito user pool at {pool.endpoint}  (data: {data_dir})"]
    if pool.created_credentials:
        lines.append(f"Created a new access key pair in {data_dir / FILE_NAME} (mode 0600).")
    elif creds.source == "env":
        lines.append("Using the access key pair from MFA_PORTAL_POOL_* environment variables.")
    else:
        lines.append(f"Access key pair: {data_dir / FILE_NAME}")
    lines += [
        "",
        creds.usage_hint(pool.endpoint, region=pool.engine.region, reveal=pool.created_credentials),
        "",
        f"JWKS:                 {pool.jwks_url()}",
        f"OpenID configuration: {pool.endpoint}/<UserPoolId>/.well-known/openid-configuration",
    ]
    mail = mail_lines(pool, data_dir)
    if mail:
        lines += ["", *mail]
    return "\n".join(lines)


@pool_app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = DEFAULT_PORT,
    data_dir: Annotated[
        Path, typer.Option(help="Where the pool keeps its database and keys.")
    ] = DEFAULT_DATA_DIR,
    public_url: Annotated[
        str | None,
        typer.Option(help="Externally visible URL, if not http://<host>:<port> (token issuer)."),
    ] = None,
    region: Annotated[
        str, typer.Option(help="Region named in new pool ids (any region's signature is accepted).")
    ] = DEFAULT_REGION,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="MFA_PORTAL_DATABASE_URL",
            show_envvar=False,
            help="postgresql://… for the pool's database (default: MFA_PORTAL_DATABASE_URL, or "
            "pool.sqlite3 in the data directory).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes (default: MFA_PORTAL_WORKERS, else one per core; 1: a single "
            "process).",
            min=1,
            max=256,
        ),
    ] = None,
) -> None:
    """Serve the embedded user pool on Cognito's wire protocol (boto3, AWS CLI, AWS SDKs)."""
    try:
        logs = load_log_settings()
        processes = resolve_workers(workers)
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(logs.log_level, logs.log_format)
    require_free_port(host, port)
    try:
        mail = pool_mail_settings()
        limit = pool_failures_per_address()
        # One first start, even for two racing servers (or replicas on one empty database).
        with first_start_lock(data_dir, database_url or None):
            pool = build_standalone(
                data_dir,
                host=host,
                port=port,
                public_url=public_url,
                region=region,
                mail=mail,
                database_url=database_url or None,
                failures_per_address=limit,
            )
    except (StartupError, CredentialsError, SettingsError) as exc:  # one line, no traceback
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(banner(pool, data_dir))
    if processes > 1:
        pool.engine.db.close_all()  # the workers open their own; this process supervises them
    spec = WorkerSpec(
        "pool serve", str(data_dir), host, port, public_url, region, database_url or None
    )
    # One access line per request only at DEBUG: at INFO the log keeps to security events.
    run(pool.app, spec, processes, lifespan="off", access_log=logs.log_level == "DEBUG")
