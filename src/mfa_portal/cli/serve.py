"""``mfa-portal serve``: the portal, on the embedded pool by default or on Amazon Cognito."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mfa_portal.cli import app
from mfa_portal.cli.ports import require_free_port
from mfa_portal.cli.workers import WorkerSpec, resolve_workers, run
from mfa_portal.pool.credentials import (
    ENV_SECRET_ACCESS_KEY,
    FILE_NAME,
    Credentials,
    CredentialsError,
)
from mfa_portal.pool.standalone import endpoint_for
from mfa_portal.security_events import configure_logging
from mfa_portal.settings import Settings, SettingsError, load_settings
from mfa_portal.wiring.app import outbox_warning, serving_app, sessions_warning
from mfa_portal.wiring.backend import PortalBackend, StartupError, open_backend
from mfa_portal.wiring.start_lock import first_start_lock
from mfa_portal.wiring.support import bind_secret

if TYPE_CHECKING:
    from starlette.types import ASGIApp

WORKERS_HELP = (
    "Worker processes (default: MFA_PORTAL_WORKERS, else one per core; 1: a single process)."
)


def _key_lines(data_dir: Path, region: str, *, reveal: bool) -> list[str]:
    """The pool's IAM key pair, ready to paste; the secret only on the start that created the pool
    (like the first admin's password), later a pointer to where it is kept."""
    path = data_dir / FILE_NAME
    try:
        creds, _ = Credentials.load_or_create(data_dir, may_create=False)  # open_backend made it
    except CredentialsError:
        return [f"  IAM access key for signed calls: {path}"]
    if creds.source == "env":
        secret = f"${ENV_SECRET_ACCESS_KEY}"
    else:
        secret = creds.secret_access_key if reveal else f"<SecretAccessKey in {path}>"
    return [
        "  IAM access key for signed calls (AWS CLI, boto3):",
        f"    export AWS_DEFAULT_REGION={region} AWS_ACCESS_KEY_ID={creds.access_key_id} "
        f"AWS_SECRET_ACCESS_KEY={secret}",
    ]


def banner(backend: PortalBackend, url: str) -> str:
    settings, boot = backend.settings, backend.bootstrap
    lines = [f"mfa-portal is running: sign in at {url}/signin"]
    if backend.engine is not None:
        # With a shared database, say which one (password hidden): replicas must all name the same.
        where = (
            f"database: {backend.engine.db.where}"
            if settings.database
            else f"data: {settings.data_dir}"
        )
        lines.append(f"Embedded Cognito user pool {settings.user_pool_id} ({where})")
        lines.append(f"  endpoint_url for boto3 / AWS CLI: {backend.wire_endpoint}")
        created = boot is not None and boot.created
        lines += _key_lines(settings.data_dir, settings.region, reveal=created)
    else:
        lines.append(f"Amazon Cognito user pool {settings.user_pool_id} ({settings.region})")
    if boot is not None and boot.created:
        lines.append("")
        lines.append("Created the default pool and its first administrator:")
        lines.append(f"  username: {boot.admin_username}")
        if boot.admin_password is not None:
            lines.append(f"  temporary password: {boot.admin_password}")
            lines.append("  (shown only this once; you choose a new one at first sign-in)")
        else:
            lines.append("  temporary password: from MFA_PORTAL_INITIAL_ADMIN_PASSWORD")
    return "\n".join(lines)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the portal keeps its data (default ./.mfa-portal).")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="postgresql://… for the pool, portal store and sessions (default: "
            "MFA_PORTAL_DATABASE_URL, or SQLite files in the data directory).",
        ),
    ] = None,
    workers: Annotated[int | None, typer.Option(help=WORKERS_HELP, min=1, max=256)] = None,
) -> None:
    """Serve the portal: sign-in, authenticator set-up, account page and forward-auth."""
    try:
        settings = load_settings(data_dir=data_dir, database_url=database_url)
        processes = resolve_workers(workers)
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level, settings.log_format)
    # Before the pool and its one-time admin password exist.
    require_free_port(host, port, "--port, or `make run PORT=…`")
    base_url = endpoint_for(host, port)  # wildcard binds mean loopback
    try:
        sessions = sessions_warning(settings)
        # One first start, even for two racing servers (or replicas on one empty database).
        with first_start_lock(settings.data_dir, settings.database):
            web, backend = _start(settings, base_url, host)
    except (SettingsError, StartupError) as exc:  # one line, no traceback
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(banner(backend, (settings.public_url or base_url).rstrip("/") + settings.base_path))
    for warning in (outbox_warning(backend.settings, host), sessions):
        if warning:
            typer.echo(warning, err=True)
    if processes > 1:
        backend.close()  # the workers open their own; this process only supervises them
    spec = WorkerSpec("serve", str(settings.data_dir), host, port, database_url=database_url)
    try:
        # One access line per request (nginx asks /auth/verify for every one) only at DEBUG.
        run(web, spec, processes, proxy_headers=True, access_log=settings.log_level == "DEBUG")
    finally:
        backend.close()


def _start(settings: Settings, base_url: str, host: str) -> tuple[ASGIApp, PortalBackend]:
    """Open (on a first start: create) the backend and build the app; ``StartupError`` if not."""
    backend: PortalBackend | None = None
    try:
        bind_secret(settings)  # another session secret than the other replicas': refuse
        backend = open_backend(settings, base_url=base_url)
        return serving_app(backend, bind_host=host), backend
    except (StartupError, OSError) as exc:  # e.g. the portal's secret_key cannot be written
        if backend is not None:
            backend.close()
        if isinstance(exc, OSError) and exc.filename is not None:
            raise StartupError(
                f"cannot write {exc.filename} ({exc.strerror}): give this user write access to "
                "it, or use another data directory"
            ) from None
        raise
