"""Cognito's developer texts as sentences a support person can act on, and ``--json`` errors as
one JSON object on stdout (with Cognito's own code and message kept for scripts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from mfa_portal.cognito_api import messages
from tests.cli.test_cli_users import cli, one_line_error
from tests.support.support_desk import SupportDesk
from tests.support.wire_server import free_port

REGEX = "regular expression"


def json_error(result: Result) -> Any:
    """The one JSON object a failed ``--json`` command prints on stdout (nothing on stderr)."""
    assert result.exit_code != 0, result.output
    assert result.stderr == ""
    body = json.loads(result.stdout)
    assert body["ok"] is False and isinstance(body["error"], str) and "message" in body
    return body


@pytest.mark.backends("engine")
def test_totp_without_an_authenticator_says_what_to_do(desk: SupportDesk) -> None:
    desk.add_user("bob")
    args = ("users", "set-mfa", "bob", "--method", "totp", "-r", "ticket 9")
    line = one_line_error(cli(desk, *args))
    assert line == (
        "Error: bob: the user has no authenticator app set up, so TOTP cannot be turned on: "
        "ask them to sign in to the portal and set one up"
    )
    assert "delivery config" not in line
    body = json_error(cli(desk, *args, "--json"))
    assert body["error"] == "InvalidParameterException"
    assert body["message"] == messages.no_delivery_config("SOFTWARE_TOKEN_MFA")
    assert body["hint"].startswith("the user has no authenticator app")
    assert (body["action"], body["target"]) == ("set-mfa", "bob")


@pytest.mark.backends("engine")
def test_an_unreadable_filter_shows_how_to_write_one(desk: SupportDesk) -> None:
    line = one_line_error(cli(desk, "users", "list", "--filter", "email is bob"))
    assert line.startswith("Error: the --filter could not be read: write it as ATTRIBUTE")
    assert messages.FILTER_PARSE_ERROR not in line
    body = json_error(cli(desk, "users", "list", "--filter", "email is bob", "--json"))
    assert body["message"] == messages.FILTER_PARSE_ERROR


@pytest.mark.backends("engine")
def test_a_bad_name_in_a_file_is_a_sentence_not_a_regex(desk: SupportDesk, tmp_path: Path) -> None:
    names = tmp_path / "names.txt"
    names.write_text("bad name\n" + "a" * 200 + "\n")
    result = cli(desk, "users", "reset-mfa", "--from-file", str(names), "-r", "x")
    assert result.exit_code == 1
    assert REGEX not in result.stdout and "validation error" not in result.stdout
    assert "not a valid username" in result.stdout and "at most 128" in result.stdout
    rows = json.loads(cli(desk, "users", "reset-mfa", "--from-file", str(names), "-r", "x",
                          "--json").stdout)  # fmt: skip
    assert [r["error"] for r in rows] == ["InvalidParameterException"] * 2
    assert REGEX in rows[0]["message"]  # Cognito's own text, for scripts
    assert rows[0]["hint"].startswith("this is not a valid username")
    single = one_line_error(cli(desk, "users", "show", "bad name"))
    assert (
        single.startswith("Error: bad name: this is not a valid username") and REGEX not in single
    )


@pytest.mark.backends("engine")
def test_show_of_a_missing_user_as_json(desk: SupportDesk) -> None:
    body = json_error(cli(desk, "users", "show", "nobody", "--json"))
    assert body == {
        "ok": False,
        "target": "nobody",
        "error": "UserNotFoundException",
        "message": "User does not exist.",
    }


@pytest.mark.backends("engine")
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["users", "reset-mfa", "-r", "x"], "InvalidUsage", "give a username or --from-file"),
        (
            ["users", "reset-mfa", "--from-file", "/nonexistent/f", "-r", "x"],
            "FileNotReadable",
            "cannot read /nonexistent/f: No such file or directory",
        ),
        (
            ["users", "set-mfa", "bob", "--method", "email", "--preferred", "--disable", "-r", "x"],
            "InvalidUsage",
            "--preferred and --disable exclude each other",
        ),
        (
            ["users", "set-attr", "bob", "email", "-r", "x"],
            "InvalidUsage",
            "expected NAME=VALUE, got 'email'",
        ),
        (["users", "delete", "bob", "-r", "x"], "InvalidUsage", "give --confirm NAME with --json"),
        (
            ["audit", "list", "--since", "last week"],
            "InvalidUsage",
            "--since/--until must be ISO dates, e.g. 2026-11-28 or 2026-11-28T17:00",
        ),
        (
            ["users", "reset-mfa", "bob"],
            "UsageError",
            "Missing option '--reason' / '-r'. Try 'root users reset-mfa --help'.",
        ),
    ],
)
def test_every_error_is_one_json_object(
    desk: SupportDesk, args: list[str], code: str, message: str
) -> None:
    body = json_error(cli(desk, *args, "--json"))
    assert (body["error"], body["message"]) == (code, message)


@pytest.mark.backends("engine")
def test_an_empty_or_overlong_username_is_named_for_what_it_is(desk: SupportDesk) -> None:
    create = ("users", "create", "--email", "e@example.com", "-r", "hire")
    assert one_line_error(cli(desk, *create[:2], "", *create[2:])) == (
        "Error: : this is not a valid username: it is empty"
    )
    long = "x" * 129
    assert one_line_error(cli(desk, *create[:2], long, *create[2:])).endswith(
        "this is not a valid username: usernames are at most 128 characters"
    )


def test_version_and_a_data_directory_that_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from mfa_portal.cli import _load_commands, app

    _load_commands()
    runner = CliRunner()
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.startswith("mfa-portal ")
    monkeypatch.chdir(tmp_path)
    a_file = tmp_path / "data"
    a_file.write_text("not a directory")
    port = str(free_port())
    served = runner.invoke(app, ["serve", "--port", port, "--data-dir", str(a_file)])
    assert served.exit_code == 2
    assert f"error: {a_file} is a file, not a directory" in served.output
