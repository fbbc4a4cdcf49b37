"""The ``mfa-portal`` command line: one Typer app with ``serve``, ``pool …``, ``users …``, ``audit …``.

``serve`` (the portal), ``pool_serve`` (the embedded pool on its own), ``pool_admin`` (the pool's
settings), ``users`` and ``audit`` (support), ``db`` (migrations, copying a deployment to
PostgreSQL), ``ports`` (checking a port before first start), ``workers`` (serving on several worker
processes). Reaches the pool and the portal only through ``mfa_portal.wiring``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import Annotated, Any

import typer
from typer.core import TyperGroup


def _click_class(name: str) -> type[Exception]:
    """Click's exception class, whether Typer vendors Click (>= 0.16) or depends on it (older)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


_USAGE_ERROR = _click_class("UsageError")
_CLICK_ERROR = _click_class("ClickException")


class OneLineErrors(TyperGroup):
    """Usage errors as one line on stderr, like every other CLI error (not Rich's boxed panel).

    A script or a person reading the output gets ``Error: <why> Try '<command> --help'.`` and exit 2.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        plain_help_types(self)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except _CLICK_ERROR as exc:
            argv = list(args) if args is not None else sys.argv[1:]
            sys.exit(_one_line(exc, as_json="--json" in argv))
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


_TYPE_WORDS = {"str": "TEXT", "int": "INTEGER", "path": "PATH", "file": "FILE"}


def plain_help_types(command: Any) -> None:
    """Help that reads as words: choices listed, ``TEXT``/``INTEGER`` for values, nothing for flags.

    Typer labels every parameter with its Python type (``<str>``, ``<bool>``), which tells a support
    person nothing; a flag takes no value, so it gets no label at all.
    """
    ctx = typer.Context(command)
    params = [*command.params, command.get_help_option(ctx)]
    for param in params:
        if param is None or getattr(param, "_plain_help", False):
            continue
        param._plain_help = True
        shown = param.display_type(ctx) if hasattr(param, "display_type") else None
        if not isinstance(shown, str) or "|" in shown:  # choices: Typer lists them already
            continue
        word = _TYPE_WORDS.get(shown.strip("<>"), shown.strip("<>").upper())
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.param_type_name == "option":
            param.metavar = word
        else:  # an argument's metavar would rename it in the usage line: label its type instead
            param.display_type_rich = lambda ctx, word=word: word
    for sub in getattr(command, "commands", {}).values():
        plain_help_types(sub)


def _one_line(exc: Any, as_json: bool = False) -> int:
    """Print a Click error as one line (the help of a bare group is already printed); with
    ``--json`` on the command line, as the JSON error object every command prints on stdout."""
    if type(exc).__name__ != "NoArgsIsHelpError":
        ctx = getattr(exc, "ctx", None)
        hint = f" Try '{ctx.command_path} --help'." if isinstance(exc, _USAGE_ERROR) and ctx else ""
        # Typer words a refused choice as a validation error ("Value error, 'x' is not one of …").
        message = " ".join(exc.format_message().replace("Value error, ", "").split())
        message += "" if not hint or message.endswith((".", "?", "!")) else "."
        if as_json:
            body = {"ok": False, "error": "UsageError", "message": f"{message}{hint}"}
            typer.echo(json.dumps(body, indent=2, sort_keys=True))
        else:
            typer.echo(f"Error: {message}{hint}", err=True)
    code: int = exc.exit_code
    return code


app = typer.Typer(
    cls=OneLineErrors,
    no_args_is_help=True,
    add_completion=False,
    help="Enforced TOTP MFA for Cognito user pools.",
)
pool_app = typer.Typer(
    no_args_is_help=True, help="The embedded user pool, or the configured pool's settings."
)
users_app = typer.Typer(no_args_is_help=True, help="Support actions on users.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit trail.")
db_app = typer.Typer(
    no_args_is_help=True, help="The storage: migrations, moving a deployment to PostgreSQL."
)


def _version(asked: bool) -> None:
    if asked:
        typer.echo(f"mfa-portal {metadata.version('mfa-portal')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Enforced TOTP MFA for Cognito user pools."""


app.add_typer(pool_app, name="pool")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")


def _load_commands() -> None:
    """Attach the command modules to the apps above, each named here (no discovery by listing the
    package, so a stray module never becomes a command and a missing one fails loudly)."""
    from mfa_portal.cli import (  # noqa: F401  (each module adds its commands to the apps above)
        audit,
        db,
        pool_admin,
        pool_outbox,
        pool_serve,
        serve,
        users,
    )


def main() -> None:
    # Every file the portal and the pool create (databases with their -wal/-shm files, keys,
    # portal.json, the session store) holds secrets or personal data: readable by this user only.
    os.umask(0o077)
    _load_commands()
    app()
