"""The ``mfa-portal`` command line: one Typer app with ``serve``, ``pool …``, ``users …``, ``audit …``."""

from __future__ import annotations

import importlib
import pkgutil

import typer

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Enforced TOTP MFA for Cognito user pools."
)
pool_app = typer.Typer(
    no_args_is_help=True, help="The embedded user pool, or the configured pool's settings."
)
users_app = typer.Typer(no_args_is_help=True, help="Support actions on users.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit trail.")
app.add_typer(pool_app, name="pool")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")


def _load_commands() -> None:
    """Each command module registers itself on the apps above when imported."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def main() -> None:
    _load_commands()
    app()
