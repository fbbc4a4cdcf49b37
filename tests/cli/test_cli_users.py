"""``mfa-portal users …`` end to end through Typer: tables for people, JSON for scripts, and a
non-zero exit with one line on stderr for every error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from mfa_portal.cli import _load_commands, app
from tests.support.support_desk import SupportDesk

_load_commands()
runner = CliRunner()


def cli(desk: SupportDesk, *args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), obj=desk.support, input=input)


def ok_json(desk: SupportDesk, *args: str) -> Any:
    result = cli(desk, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.backends("engine")
def test_reset_mfa_then_show(desk: SupportDesk) -> None:
    desk.add_user("bob")
    desk.enrol_totp("bob")
    shown = ok_json(desk, "users", "show", "bob")
    assert shown["mfa_methods"] == ["totp"] and shown["preferred_mfa"] == "totp"

    result = cli(desk, "users", "reset-mfa", "bob", "--reason", "lost phone, ticket 7")
    assert result.exit_code == 0, result.output
    assert "bob: authenticator removed and all sessions signed out" in result.stdout

    assert ok_json(desk, "users", "show", "bob")["mfa_methods"] == []
    table = cli(desk, "users", "show", "bob")
    assert "MFA methods" in table.stdout and "none" in table.stdout
    [entry] = desk.support.audit.query()
    assert (entry.action, entry.reason, entry.actor.startswith("cli:")) == (
        "reset-mfa",
        "lost phone, ticket 7",
        True,
    )


@pytest.mark.backends("engine")
def test_errors_exit_non_zero_with_one_line(desk: SupportDesk) -> None:
    line = one_line_error(cli(desk, "users", "reset-mfa", "nobody", "--reason", "x"))
    assert line == "Error: nobody: User does not exist."
    assert one_line_error(cli(desk, "users", "show", "nobody")).startswith("Error: nobody:")
    missing_reason = cli(desk, "users", "reset-mfa", "bob")
    assert missing_reason.exit_code == 2
    assert one_line_error(missing_reason) == (
        "Error: Missing option '--reason' / '-r'. Try 'root users reset-mfa --help'."
    )
    neither = one_line_error(cli(desk, "users", "reset-mfa", "--reason", "x"))
    assert neither == "Error: give a username or --from-file"
    both = cli(desk, "users", "reset-mfa", "bob", "--from-file", "f.txt", "--reason", "x")
    assert one_line_error(both) == "Error: give a username or --from-file, not both"
    bad = cli(desk, "users", "set-mfa", "bob", "--method", "fax", "--reason", "x")
    assert bad.exit_code == 2 and one_line_error(bad) == (
        "Error: Invalid value for '--method': 'fax' is not one of 'totp', 'email', 'sms'. "
        "Try 'root users set-mfa --help'."
    )
    failed = cli(desk, "users", "disable", "nobody", "--reason", "x", "--json")
    assert failed.exit_code == 1
    assert json.loads(failed.stdout)["error"] == "UserNotFoundException"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["users", "create"],
            "Error: Missing argument 'name'. Try 'mfa-portal users create --help'.",
        ),
        (["users", "bogus"], "Error: No such command 'bogus'. Try 'mfa-portal users --help'."),
        (
            ["users", "list", "--limit", "0"],
            "Error: Invalid value for '--limit': Input should be greater than or equal to 1. "
            "Try 'mfa-portal users list --help'.",
        ),
    ],
)
def test_usage_errors_of_the_installed_command_are_one_line(args: list[str], line: str) -> None:
    """What a person typing ``mfa-portal …`` sees: one line and exit 2, not a boxed panel."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv[0] = 'mfa-portal'; from mfa_portal.cli import main; main()",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == line
    assert done.stdout == ""


def test_help_still_exits_zero() -> None:
    assert runner.invoke(app, ["users", "reset-mfa", "--help"]).exit_code == 0


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        (["users", "set-mfa"], "totp|email|sms"),
        (["users", "list"], "enabled|disabled"),
        (["audit", "list"], "success|failure"),
        (["audit", "export"], "csv|jsonl"),
        (["pool", "mfa-config"], "off|optional|on"),
        (["pool", "mfa-config"], "on|off"),
    ],
)
def test_help_lists_the_choices(command: list[str], choices: str) -> None:
    """A support person reads the allowed values in ``--help`` instead of guessing them."""
    shown = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and choices in shown.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["users", "set-mfa"],
        ["users", "reset-mfa"],
        ["audit", "export"],
        ["pool", "serve"],
        ["serve"],
    ],
)
def test_help_has_no_python_type_names(command: list[str]) -> None:
    """Flags take no value (no ``<bool>``); values read as ``TEXT``/``INTEGER``, not ``<str>``."""
    shown = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert (
        "<bool>" not in shown.stdout and "<str>" not in shown.stdout and "<int>" not in shown.stdout
    )
    assert "TEXT" in shown.stdout


@pytest.mark.backends("engine")
def test_reset_many_from_a_file(desk: SupportDesk, tmp_path: Path) -> None:
    for name in ("ann", "ben"):
        desk.add_user(name)
        desk.enrol_totp(name)
    names = tmp_path / "lost.txt"
    names.write_text("# stolen laptop bag\nann\n\nghost\nben\n")
    result = cli(desk, "users", "reset-mfa", "--from-file", str(names), "--reason", "theft")
    assert result.exit_code == 1
    assert "2 reset, 1 failed" in result.stdout
    assert "ghost" in result.stdout and "User does not exist." in result.stdout
    assert "UserNotFoundException" not in result.stdout
    assert desk.methods("ann") == [] and desk.methods("ben") == []
    as_json = cli(desk, "users", "reset-mfa", "--from-file", str(names), "--reason", "x", "--json")
    rows = json.loads(as_json.stdout)
    assert [(r["target"], r["ok"]) for r in rows] == [
        ("ann", True),
        ("ben", True),
        ("ghost", False),
    ]
    unreadable = cli(desk, "users", "reset-mfa", "--from-file", str(tmp_path / "no"), "-r", "x")
    assert one_line_error(unreadable).startswith("Error: cannot read")


@pytest.mark.backends("engine")
def test_list_as_table_and_json(desk: SupportDesk) -> None:
    desk.add_user("alice", "alice@corp.example")
    desk.add_user("bob")
    desk.client.call("AdminDisableUser", UserPoolId=desk.pool_id, Username="bob")
    rows = ok_json(desk, "users", "list")
    assert sorted(r["username"] for r in rows) == ["alice", "bob"]
    assert [r["username"] for r in ok_json(desk, "users", "list", "--status", "disabled")] == [
        "bob"
    ]
    by_email = ok_json(desk, "users", "list", "--filter", 'email ^= "alice"')
    assert [r["email"] for r in by_email] == ["alice@corp.example"]
    table = cli(desk, "users", "list")
    assert "Username" in table.stdout and "alice" in table.stdout
    bad = cli(desk, "users", "list", "--filter", "email is alice")
    assert "filter" in one_line_error(bad) and "InvalidParameterException" not in bad.stderr


@pytest.mark.backends("engine")
def test_create_shows_the_temporary_password_once(desk: SupportDesk) -> None:
    created = ok_json(
        desk, "users", "create", "carl", "--email", "carl@example.com", "--reason", "new hire"
    )
    assert created["ok"] and created["target"] == "carl"
    assert desk.sign_in("carl", created["temporary_password"])["ChallengeName"] == (
        "NEW_PASSWORD_REQUIRED"
    )
    human = cli(desk, "users", "create", "dora", "--email", "dora@example.com", "-r", "hire")
    assert "temporary password (shown once):" in human.stdout
    mailed = ok_json(
        desk, "users", "create", "emil", "--email", "e@example.com", "-r", "hire", "--send-email"
    )
    assert "temporary_password" not in mailed


@pytest.mark.backends("engine")
def test_set_mfa_set_attr_and_reset_password(desk: SupportDesk) -> None:
    desk.add_user("bob")
    desk.enrol_totp("bob")
    out = ok_json(desk, "users", "set-mfa", "bob", "--method", "totp", "--disable", "-r", "x")
    assert out["message"] == "totp MFA disabled" and desk.methods("bob") == []
    assert "exclude" in one_line_error(
        cli(
            desk,
            "users",
            "set-mfa",
            "bob",
            "--method",
            "totp",
            "--preferred",
            "--disable",
            "-r",
            "x",
        )
    )
    attrs = ok_json(
        desk, "users", "set-attr", "bob", "email=b2@example.com", "--verified", "-r", "new mail"
    )
    assert attrs["message"] == "attributes updated: email, email_verified"
    assert "NAME=VALUE" in one_line_error(cli(desk, "users", "set-attr", "bob", "email", "-r", "x"))
    pw = ok_json(desk, "users", "reset-password", "bob", "--temporary", "-r", "forgot")
    assert desk.sign_in("bob", pw["temporary_password"])["ChallengeName"] == (
        "NEW_PASSWORD_REQUIRED"
    )


@pytest.mark.backends("engine")
def test_disable_enable_signout_delete(desk: SupportDesk) -> None:
    desk.add_user("bob")
    assert ok_json(desk, "users", "disable", "bob", "-r", "leaving")["message"] == "user disabled"
    assert ok_json(desk, "users", "enable", "bob", "-r", "stays")["message"] == "user enabled"
    assert ok_json(desk, "users", "signout", "bob", "-r", "x")["message"] == (
        "signed out everywhere"
    )
    refused = cli(desk, "users", "delete", "bob", "-r", "offboard", input="bobby\n")
    assert refused.exit_code == 1 and "Type the username to confirm deletion." in refused.stderr
    assert "ConfirmationMismatch" not in refused.stderr
    deleted = cli(desk, "users", "delete", "bob", "-r", "offboard", input="bob\n")
    assert deleted.exit_code == 0 and "bob: user deleted" in deleted.stdout
    actions = [e.action for e in desk.support.audit.query()]
    assert actions == ["delete", "delete", "signout", "enable", "disable"]


@pytest.mark.backends("engine")
def test_reasons_are_checked_as_in_the_console(desk: SupportDesk) -> None:
    desk.add_user("bob")
    blank = one_line_error(cli(desk, "users", "disable", "bob", "-r", " \t"))
    assert blank == "Error: bob: Give a reason for this action."
    long = one_line_error(cli(desk, "users", "disable", "bob", "-r", "x" * 501))
    assert long == "Error: bob: The reason is too long: at most 500 characters."
    as_json = cli(desk, "users", "disable", "bob", "-r", "x" * 501, "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["error"] == "ReasonTooLong"  # the code stays for scripts
    assert ok_json(desk, "users", "disable", "bob", "-r", "x" * 500)["message"] == "user disabled"
