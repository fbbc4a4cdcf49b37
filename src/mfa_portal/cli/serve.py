"""``mfa-portal serve``: the portal, on the embedded pool by default or on Amazon Cognito."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from mfa_portal.backend import PortalBackend, open_backend
from mfa_portal.cli import app
from mfa_portal.pool.credentials import CredentialsError
from mfa_portal.pool.standalone import endpoint_for
from mfa_portal.settings import SettingsError, load_settings
from mfa_portal.web.app import create_app


def public_base(host: str, port: int) -> str:
    """The URL people open for a server bound to ``host`` (wildcard binds mean loopback)."""
    return endpoint_for(host, port)


def banner(backend: PortalBackend, url: str) -> str:
    settings = backend.settings
    lines = [f"mfa-portal is running: sign in at {url}/signin"]
    if backend.engine is not None:
        lines.append(
            f"Embedded Cognito user pool {settings.user_pool_id} (data: {settings.data_dir})"
        )
        lines.append(f"  endpoint_url for boto3 / AWS CLI: {backend.wire_endpoint}")
        lines.append(f"  IAM access key for signed calls: {settings.data_dir / 'credentials.json'}")
    else:
        lines.append(f"Amazon Cognito user pool {settings.user_pool_id} ({settings.region})")
    boot = backend.bootstrap
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
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the portal keeps its data (default ./.mfa-portal).")
    ] = None,
) -> None:
    """Serve the portal: sign-in, authenticator set-up, account page and forward-auth."""
    try:
        settings = load_settings(data_dir=data_dir)
        backend = open_backend(settings, base_url=public_base(host, port))
    except (SettingsError, CredentialsError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    web = create_app(
        backend.settings,
        backend.client,
        verifier=backend.verifier,
        clock=backend.clock,
        wire_app=backend.wire_app,
    )
    typer.echo(banner(backend, (settings.public_url or public_base(host, port)).rstrip("/")))
    try:
        uvicorn.run(web, host=host, port=port, http="h11", ws="none", proxy_headers=True)
    finally:
        backend.close()
