"""``mfa-portal pool show|mfa-config``: the configured pool's settings, as support sees them."""

from __future__ import annotations

from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from mfa_portal.admin.pool_config import describe_pool, set_pool_mfa
from mfa_portal.cli import pool_app
from mfa_portal.cli.users import (
    DatabaseUrl,
    DataDir,
    Json,
    Reason,
    cognito_fail,
    emit,
    run_action,
    support_for,
)
from mfa_portal.cognito_api.client import CognitoError

Switch = Literal["on", "off"]


def _switch(value: Switch | None) -> bool | None:
    """On, off, or None for "leave as it is"."""
    return None if value is None else value == "on"


@pool_app.command("show")
def show_cmd(
    ctx: typer.Context,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Pool id, name, MFA mode and factors, account recovery."""
    try:
        info = describe_pool(support_for(ctx, as_json))
    except CognitoError as exc:
        cognito_fail(exc, as_json)
    if as_json:
        emit(info)
        return
    table = Table("Setting", "Value", show_header=False)
    for key, value in info.items():
        if isinstance(value, bool):
            text = "on" if value else "off"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value) or "none"
        else:
            text = "" if value is None else str(value)
        table.add_row(key.replace("_", " "), text)
    Console().print(table)


@pool_app.command("mfa-config")
def mfa_config_cmd(
    ctx: typer.Context,
    mode: Annotated[Literal["off", "optional", "on"], typer.Option(help="The pool's MFA mode.")],
    reason: Reason,
    totp: Annotated[Switch | None, typer.Option(help="TOTP (default: unchanged).")] = None,
    email: Annotated[
        Switch | None,
        typer.Option(
            help="Email codes (default: unchanged). 'on' also switches the pool's email to "
            "DEVELOPER sending and, if verified_email is its only recovery, adds "
            "verified_phone_number."
        ),
    ] = None,
    ses_identity: Annotated[
        str,
        typer.Option(
            help="With --email on, for Amazon Cognito: the SES identity ARN the pool sends from."
        ),
    ] = "",
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Set the pool's MFA mode; the portal needs optional + totp on (the portal decides who enrols)."""
    run_action(
        ctx,
        as_json,
        set_pool_mfa,
        mode,
        reason,
        totp=_switch(totp),
        email=_switch(email),
        ses_identity=ses_identity or None,
    )
