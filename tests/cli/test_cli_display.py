"""What support reads in the terminal: user text cannot drive it, and look-alike names are marked.

``users show``, ``users list`` and ``audit list`` print usernames, attributes and reasons that
users and anonymous visitors (of /recover) chose; an ESC sequence or a bidi override must arrive as
visible escapes, Rich markup as literal text, and ``аdmin`` (Cyrillic а) beside its ASCII form.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from mfa_portal.admin import self_service
from mfa_portal.admin.support import ActionFailed
from mfa_portal.cli import _load_commands, app
from mfa_portal.cognito_api.password_auth import PasswordStep
from tests.support.backends import PASSWORD
from tests.support.support_desk import SupportDesk

_load_commands()
runner = CliRunner()

MARKER = "look-alike/non-ASCII"
# Clears the screen, retitles the window, rings the bell, and reverses what follows.
HOSTILE = "\x1b[2J\x1b]0;owned\x07[bold red]boss[/] \u202etxt.exe\u2066\x9b31m"
HOSTILE_SHOWN = "\\x1b[2J\\x1b]0;owned\\x07[bold red]boss[/] \\u202etxt.exe\\u2066\\x9b31m"
RAW = ("\x1b", "\x07", "\u202e", "\u2066", "\x9b")


def cli(desk: SupportDesk, *args: str) -> Result:
    return runner.invoke(app, list(args), obj=desk.support, env={"COLUMNS": "300"})


def assert_inert(output: str) -> None:
    for char in RAW:
        assert char not in output, repr(char)


@pytest.mark.backends("engine")
def test_users_show_escapes_control_characters_and_markup_in_attributes(desk: SupportDesk) -> None:
    desk.add_user("bob")
    desk.client.call(
        "AdminUpdateUserAttributes",
        UserPoolId=desk.pool_id,
        Username="bob",
        UserAttributes=[{"Name": "name", "Value": HOSTILE}],
    )

    shown = cli(desk, "users", "show", "bob")

    assert shown.exit_code == 0, shown.output
    assert_inert(shown.stdout)
    assert HOSTILE_SHOWN in shown.stdout
    assert json.loads(cli(desk, "users", "show", "bob", "--json").stdout)["attributes"]["name"] == (
        HOSTILE
    )  # scripts still get the exact value, JSON-escaped


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("\u0430dmin", "\\u0430dmin"),  # Cyrillic а
        ("\uff41dmin", "\\uff41dmin"),  # fullwidth ａ
        ("\u212aelvin", "\\u212aelvin"),  # the Kelvin sign K
    ],
)
def test_look_alike_usernames_are_accepted_and_marked(
    desk: SupportDesk, name: str, escaped: str
) -> None:
    desk.add_user("admin")
    desk.add_user(name)

    shown = cli(desk, "users", "show", name)
    listed = cli(desk, "users", "list")

    assert shown.exit_code == 0, shown.output
    assert f"{name} [{MARKER}: {escaped}]" in shown.stdout
    row = next(line for line in listed.stdout.splitlines() if name in line)
    assert f"[{MARKER}: {escaped}]" in row
    plain = next(line for line in listed.stdout.splitlines() if "admin@example.com" in line)
    assert MARKER not in plain  # plain ASCII names carry no marker


@pytest.mark.backends("engine")
def test_audit_list_marks_look_alikes_and_keeps_names_typed_at_recover_out(
    desk: SupportDesk,
) -> None:
    """A name typed at /recover reaches the trail only once the password proved it real (a wrong
    password is summarised per address); a real look-alike name is then shown marked."""
    look_alike = "\u0430dmin"  # Cyrillic а
    desk.add_user(look_alike)
    desk.enrol_totp(look_alike)
    step = PasswordStep(desk.support.client, pool_id=desk.pool_id, client_id=desk.client_id)
    for name, password in (("\x1b[31mroot\u202e", "Wrong-Pass-1!"), (look_alike, PASSWORD)):
        with pytest.raises(ActionFailed):
            self_service.recover_with_code(
                desk.support,
                password_step=step,
                username=name,
                password=password,
                code="0000-0000",
                source="203.0.113.9",
            )

    table = cli(desk, "audit", "list")
    stored = json.loads(cli(desk, "audit", "list", "--json").stdout)

    assert table.exit_code == 0, table.output
    assert_inert(table.stdout)
    assert f"{look_alike} [{MARKER}: \\u0430dmin]" in table.stdout
    assert "root" not in table.stdout and all("root" not in row["target"] for row in stored)


@pytest.mark.backends("engine")
def test_audit_list_escapes_entries_written_before_escaping(desk: SupportDesk) -> None:
    with desk.support.audit._store.transaction() as conn:
        conn.execute(
            "INSERT INTO audit (at, actor, target, action, reason, outcome, detail, source)"
            " VALUES (0, 'cli:root', ?, 'disable', ?, 'success', ?, '')",
            ("bob\x1b[8m", "[link=http://evil.example]click[/link]\x07", HOSTILE),
        )

    table = cli(desk, "audit", "list")

    assert table.exit_code == 0, table.output
    assert_inert(table.stdout)
    assert "bob\\x1b[8m" in table.stdout
    assert "[link=http://evil.example]click[/link]\\x07" in table.stdout
