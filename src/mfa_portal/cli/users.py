"""``mfa-portal users …``: support actions on users, as tables for people and JSON for scripts.

Every error ends with a non-zero exit code and one line on stderr saying why, in words a support
person can act on; with ``--json`` it is one JSON object on stdout instead, ``{"ok": false,
"error": code, "message", "hint"?}``, keeping Cognito's own code and message for scripts.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from mfa_portal.admin import actions, admins, explain, lookup
from mfa_portal.admin.display import safe, shown
from mfa_portal.admin.support import ActionFailed, ActionResult, Support
from mfa_portal.cli import tables, users_app
from mfa_portal.cli.tables import terminal_width
from mfa_portal.cognito_api.client import CognitoError
from mfa_portal.wiring.support import cli_actor

Reason = Annotated[str, typer.Option("--reason", "-r", help="Why (kept in the audit trail).")]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
# Every command that opens the stores takes it; ``support_for`` reads it from the command's params.
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="MFA_PORTAL_DATABASE_URL",
        show_envvar=False,
        help="postgresql://… for the pool, portal store and sessions (default: "
        "MFA_PORTAL_DATABASE_URL, or SQLite files in the data directory).",
    ),
]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="The data directory of `mfa-portal serve` (default: MFA_PORTAL_DATA_DIR, or "
        "./.mfa-portal).",
    ),
]


def fail(
    message: str,
    code: int = 1,
    *,
    as_json: bool = False,
    error: str = "InvalidUsage",
) -> NoReturn:
    """End the command: ``message`` for people on stderr, or one JSON error object on stdout."""
    if as_json:
        emit(error_body(error, message))
        raise typer.Exit(code)
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"Error: {message}", markup=False)
    raise typer.Exit(code)


def error_body(code: str, message: str, hint: str | None = None, **context: Any) -> dict[str, Any]:
    """The one shape of a JSON error: Cognito's code (``error``, as scripts have always read it),
    its message, and, when it says more, what to do (``hint``)."""
    body: dict[str, Any] = {**context, "ok": False, "error": code, "message": message}
    if hint is not None and hint != message:
        body["hint"] = hint
    return body


def cognito_fail(
    exc: CognitoError | ActionFailed, as_json: bool, target: str | None = None
) -> NoReturn:
    """A Cognito error as a sentence for people (``explain``) or, with ``--json``, as it came."""
    hint = explain.for_people(exc.code, exc.message)
    if exc.code == "CodeDeliveryFailureException":
        hint += delivery_hint()
    context: dict[str, str] = {}
    if isinstance(exc, ActionFailed):
        context = {"action": exc.action, "target": exc.target}
    elif target is not None:
        context = {"target": target}
    if as_json:
        emit(error_body(exc.code, exc.message, hint, **context))
        raise typer.Exit(1)
    fail(f"{context['target']}: {hint}" if "target" in context else hint)


def support_for(ctx: typer.Context, as_json: bool = False) -> Support:
    """The support capabilities: injected by tests as ``obj``, else built from the settings and
    the command's ``--database-url`` and ``--data-dir`` (which fall back to their variables)."""
    obj = ctx.find_root().obj
    if isinstance(obj, Support):
        return obj
    from mfa_portal.settings import load_settings
    from mfa_portal.wiring.cli_support import open_support

    try:
        settings = load_settings(
            database_url=ctx.params.get("database_url") or None,
            data_dir=ctx.params.get("data_dir") or None,
        )
        support = open_support(settings)
    except Exception as exc:  # settings or backend problems: one line, no traceback
        why = " ".join(part.strip() for part in str(exc).splitlines()) or type(exc).__name__
        fail(why, as_json=as_json, error="ConfigurationError")
    # The library's log lines (e.g. a failed delivery) would add a second, raw line to stderr;
    # the command reports each failure itself, in one line.
    logging.getLogger("mfa_portal").addHandler(logging.NullHandler())
    ctx.find_root().obj = support
    return support


def delivery_hint() -> str:
    """Why the embedded pool could not send mail, when the CLI's own settings are the reason.

    ``make run`` serves in development mode (mail goes to the outbox), but a CLI started in another
    shell reads production defaults and has no way to send the invitation or the reset code.
    """
    from mfa_portal.settings import Backend, Mode, load_settings

    try:
        settings = load_settings()
    except Exception:  # the settings were read once already; nothing useful to add
        return ""
    if settings.backend is not Backend.EMBEDDED:
        return ""
    if settings.smtp_host:
        return " (check the MFA_PORTAL_SMTP_* settings)"
    if settings.mode is Mode.PRODUCTION:
        return (
            " (no mail server is configured: set MFA_PORTAL_SMTP_HOST, or "
            "MFA_PORTAL_MODE=development to use the development outbox as `make run` does)"
        )
    return ""


def emit(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def report(result: ActionResult, as_json: bool) -> None:
    if as_json:
        emit(result.as_dict())
        return
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"{shown(result.target)}: {safe(result.message)}", markup=False)
    for note in result.notes:
        console.print(f"  note: {note}", markup=False)
    if result.secret is not None:
        console.print(f"  temporary password (shown once): {result.secret}", markup=False)


def run_action(ctx: typer.Context, as_json: bool, fn: Any, *args: Any, **kwargs: Any) -> None:
    support = support_for(ctx, as_json)
    try:
        result = fn(support, cli_actor(), *args, **kwargs)
    except ActionFailed as exc:
        cognito_fail(exc, as_json)
    report(result, as_json)


@users_app.command("list")
def list_cmd(
    ctx: typer.Context,
    filter_expr: Annotated[
        str, typer.Option("--filter", help="A Cognito filter, e.g. 'email ^= \"bob\"'.")
    ] = "",
    status: Annotated[
        Literal["enabled", "disabled"] | None, typer.Option(help="Only enabled or disabled users.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 60,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """List users (ListUsers has no MFA fields: see `users show`)."""
    try:
        found = lookup.list_users(support_for(ctx, as_json), filter_expr, status or "", limit)
    except CognitoError as exc:
        cognito_fail(exc, as_json)
    if as_json:
        emit([vars(u) for u in found])
        return
    width = terminal_width()
    table = Table()
    table.add_column("Username", overflow="fold")
    table.add_column("Email", overflow="fold")
    for header in ("Status", "Enabled", "Created"):
        table.add_column(header, no_wrap=True)
    for u in found:
        cells = (str(shown(u.username)), safe(u.email), u.status, "yes" if u.enabled else "no")
        created = u.created if width >= 100 else u.created[:10]  # the date is enough when narrow
        table.add_row(*map(Text, cells), created)
    tables.console(width).print(table)


@users_app.command("show")
def show_cmd(
    ctx: typer.Context,
    name: str,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """One user: status, attributes, MFA methods and the preferred one."""
    try:
        user = lookup.get_user(support_for(ctx, as_json), name)
    except CognitoError as exc:
        cognito_fail(exc, as_json, target=name)
    if as_json:
        emit(user.as_dict())
        return
    table = Table(show_header=False)
    table.add_column("Field", no_wrap=True)
    table.add_column("Value", overflow="fold")
    table.add_row("Username", Text(str(shown(user.username))))
    table.add_row("Status", user.status)
    table.add_row("Enabled", "yes" if user.enabled else "no")
    table.add_row("MFA methods", ", ".join(user.mfa_methods) or "none")
    table.add_row("Preferred MFA", user.preferred_mfa or "none")
    table.add_row("Created", user.created)
    table.add_row("Modified", user.modified)
    for key, value in sorted(user.attributes.items()):
        table.add_row(Text(safe(key)), Text(safe(value)))  # user-set text: no markup, no ESC
    tables.console(terminal_width()).print(table)


@users_app.command("create")
def create_cmd(
    ctx: typer.Context,
    name: str,
    email: Annotated[str, typer.Option(help="The user's email address (marked verified).")],
    reason: Reason,
    send_email: Annotated[
        bool,
        typer.Option("--send-email", help="Email the temporary password instead of showing it."),
    ] = False,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Create a user; the temporary password is shown once (or emailed)."""
    deliver = "email" if send_email else "show"
    run_action(ctx, as_json, actions.create_user, name, email, reason, deliver=deliver)


def _names_from(path: Path, as_json: bool) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}", as_json=as_json, error="FileNotReadable")
    # A "#" starts a comment anywhere on a line ("alice  # ticket 4711"), as the runbook says.
    names = (line.partition("#")[0].strip() for line in lines)
    return [name for name in names if name]


def _dry_run(ctx: typer.Context, names: list[str], as_json: bool) -> None:
    """What a reset of ``names`` would do, read-only: no reset, no audit entry, no email."""
    support = support_for(ctx, as_json)
    found: list[lookup.UserDetail] = []
    missing: list[tuple[str, CognitoError]] = []
    for each in names:
        try:
            found.append(lookup.get_user(support, each))
        except CognitoError as refused:
            missing.append((each, refused))
    if as_json:
        rows: list[dict[str, Any]] = [
            {"action": "reset-mfa", "target": u.username, "ok": True, "dry_run": True,
             "mfa_methods": u.mfa_methods}
            for u in found
        ]  # fmt: skip
        for each, err in missing:
            hint = explain.for_people(err.code, err.message)
            rows.append({**error_body(err.code, err.message, hint, action="reset-mfa",
                                      target=each), "dry_run": True})  # fmt: skip
        emit(rows)
    else:
        console = Console(highlight=False)
        console.print(
            f"Dry run: {len(found)} would be reset, {len(missing)} would fail; "
            "nothing was changed or audited",
            markup=False,
        )
        table = Table("Username", "MFA methods now", "Would")
        for u in found:
            methods = ", ".join(u.mfa_methods) or "none (nothing to remove)"
            table.add_row(Text(str(shown(u.username))), methods, "reset")
        for each, err in missing:
            hint = explain.for_people(err.code, err.message)
            table.add_row(Text(str(shown(each))), "", Text(f"fail: {safe(hint)}"))
        console.print(table)
    if missing:
        raise typer.Exit(1)


@users_app.command("reset-mfa")
def reset_mfa_cmd(
    ctx: typer.Context,
    reason: Reason,
    name: Annotated[str | None, typer.Argument()] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from-file", help="One username per line; '#' starts a comment."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="List what would be reset; change and audit nothing."),
    ] = False,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Remove the user's authenticator and sign them out; they must enrol again."""
    if name is None and from_file is None:
        fail("give a username or --from-file", as_json=as_json)
    if name is not None and from_file is not None:
        fail("give a username or --from-file, not both", as_json=as_json)
    names = [name] if name is not None else _names_from(from_file, as_json) if from_file else []
    if dry_run:
        _dry_run(ctx, names, as_json)
        return
    if name is not None:
        run_action(ctx, as_json, actions.reset_mfa, name, reason)
        return
    support, actor = support_for(ctx, as_json), cli_actor()
    done: list[ActionResult] = []
    failed: list[ActionFailed] = []
    with Progress(console=Console(stderr=True), transient=True, disable=as_json) as progress:
        task = progress.add_task("Resetting", total=len(names))
        for each in names:
            try:
                done.append(actions.reset_mfa(support, actor, each, reason))
            except ActionFailed as exc:
                failed.append(exc)
            progress.advance(task)
    if as_json:
        emit([r.as_dict() for r in done] + [_failed_row(f) for f in failed])
    else:
        console = Console(highlight=False)
        console.print(f"{len(done)} reset, {len(failed)} failed", markup=False)
        if failed:
            table = Table("Username", "Message")
            for f in failed:
                hint = explain.for_people(f.code, f.message)
                table.add_row(Text(str(shown(f.target))), Text(safe(hint)))
            console.print(table)
    if failed:
        raise typer.Exit(1)


def _failed_row(exc: ActionFailed) -> dict[str, Any]:
    """One failed reset of a bulk run, shaped as a single command's JSON error."""
    hint = explain.for_people(exc.code, exc.message)
    return error_body(exc.code, exc.message, hint, action=exc.action, target=exc.target)


@users_app.command("set-mfa")
def set_mfa_cmd(
    ctx: typer.Context,
    name: str,
    method: Annotated[actions.Method, typer.Option(help="The MFA method.")],
    reason: Reason,
    preferred: Annotated[bool, typer.Option("--preferred", help="Enable and prefer.")] = False,
    disable: Annotated[bool, typer.Option("--disable", help="Turn the method off.")] = False,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Enable (default), prefer or disable one MFA method, e.g. switch a user to email codes."""
    if preferred and disable:
        fail("--preferred and --disable exclude each other", as_json=as_json)
    setting = "preferred" if preferred else "disabled" if disable else "enabled"
    run_action(ctx, as_json, actions.set_mfa, name, method, setting, reason)


@users_app.command("set-attr")
def set_attr_cmd(
    ctx: typer.Context,
    name: str,
    values: Annotated[list[str], typer.Argument(help="NAME=VALUE pairs, e.g. email=a@b.example")],
    reason: Reason,
    verified: Annotated[
        bool, typer.Option("--verified", help="Mark a new email / phone_number as verified.")
    ] = False,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Set attributes (email, phone_number, ...); an empty value deletes one."""
    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"expected NAME=VALUE, got {item!r}", as_json=as_json)
        pairs[key.strip()] = value
    run_action(ctx, as_json, actions.set_attributes, name, pairs, reason, verified=verified)


@users_app.command("reset-password")
def reset_password_cmd(
    ctx: typer.Context,
    name: str,
    reason: Reason,
    temporary: Annotated[
        bool, typer.Option("--temporary", help="Set a temporary password (shown once).")
    ] = False,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Send the user a reset code, or set a temporary password they must change."""
    run_action(ctx, as_json, actions.reset_password, name, reason, temporary=temporary)


@users_app.command("disable")
def disable_cmd(
    ctx: typer.Context,
    name: str,
    reason: Reason,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Block sign-in (the user stays listed)."""
    run_action(ctx, as_json, actions.disable_user, name, reason)


@users_app.command("grant-admin")
def grant_admin_cmd(
    ctx: typer.Context,
    name: str,
    reason: Reason,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Make a user an administrator (the support console), from their next sign-in."""
    run_action(ctx, as_json, admins.grant_admin, name, reason)


@users_app.command("revoke-admin")
def revoke_admin_cmd(
    ctx: typer.Context,
    name: str,
    reason: Reason,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Take the console away from an administrator at once (never the last one)."""
    run_action(ctx, as_json, admins.revoke_admin, name, reason)


@users_app.command("enable")
def enable_cmd(
    ctx: typer.Context,
    name: str,
    reason: Reason,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Allow sign-in again."""
    run_action(ctx, as_json, actions.enable_user, name, reason)


@users_app.command("signout")
def signout_cmd(
    ctx: typer.Context,
    name: str,
    reason: Reason,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Revoke every session and refresh token of the user."""
    run_action(ctx, as_json, actions.sign_out, name, reason)


@users_app.command("delete")
def delete_cmd(
    ctx: typer.Context,
    name: str,
    reason: Reason,
    confirm: Annotated[
        str | None, typer.Option("--confirm", help="Repeat the username (else you are asked).")
    ] = None,
    as_json: Json = False,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Delete the user for good (type the username to confirm)."""
    if confirm is None and as_json:  # a prompt would break the JSON on stdout
        fail("give --confirm NAME with --json", as_json=True)
    if confirm is None:
        confirm = str(typer.prompt("Type the username to confirm"))
    run_action(ctx, as_json, actions.delete_user, name, reason, confirm=confirm)
