"""``audit list``, ``users list`` and ``users show`` in the terminal support has: at 80 columns no
line is longer than the terminal and no word is split; a wide terminal keeps the audit table;
``--kind`` filters the trail; ``--json`` is the same at every width."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from mfa_portal.admin import actions
from mfa_portal.admin.support import Actor
from mfa_portal.cli import _load_commands, app
from tests.support.support_desk import SupportDesk

_load_commands()
runner = CliRunner()
REASON = "customer called from the airport, identity checked with ticket INC-204871"
OPERATOR = Actor("cli:operator", "10.20.30.40")

pytestmark = pytest.mark.backends("engine")


def cli(desk: SupportDesk, columns: int, *args: str) -> Result:
    result = runner.invoke(app, list(args), obj=desk.support, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result


def _trail(desk: SupportDesk) -> None:
    desk.add_user("margaret.hamilton")
    actions.set_attributes(
        desk.support, OPERATOR, "margaret.hamilton", {"name": "Margaret H."}, REASON
    )
    actions.sign_out(desk.support, OPERATOR, "margaret.hamilton", REASON)
    assert desk.support.signin_audit is not None
    desk.support.signin_audit.failed("margaret.hamilton", "wrong-password", "198.51.100.23")


def _words(text: str) -> set[str]:
    return set(text.split())


def test_audit_list_at_80_columns_is_one_block_per_entry(desk: SupportDesk) -> None:
    _trail(desk)
    out = cli(desk, 80, "audit", "list").stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    # every word of the reason arrives whole (wrapped only between words)
    assert _words(REASON) <= _words(out)
    headings = [line for line in lines if line[:4].isdigit()]
    assert len(headings) == 3
    assert "sign-in.wrong-password  failure  margaret.hamilton" in headings[0]
    assert "set-attr  success  margaret.hamilton" in headings[2]
    assert "  by:     cli:operator from 10.20.30.40" in lines


def test_audit_list_in_a_wide_terminal_is_a_table(desk: SupportDesk) -> None:
    _trail(desk)
    out = cli(desk, 200, "audit", "list").stdout
    assert "Time (UTC)" in out and "Outcome" in out
    assert max(len(line) for line in out.splitlines()) <= 200
    assert "sign-in.wrong-password" in out and "set-attr" in out  # actions never wrap


def test_audit_list_filters_by_kind(desk: SupportDesk) -> None:
    _trail(desk)
    signin = json.loads(cli(desk, 80, "audit", "list", "--kind", "sign-in", "--json").stdout)
    support = json.loads(cli(desk, 80, "audit", "list", "--kind", "support", "--json").stdout)
    assert [e["action"] for e in signin] == ["sign-in.wrong-password"]
    assert signin[0]["target"] == "margaret.hamilton" and signin[0]["source"] == "198.51.100.23"
    assert [e["action"] for e in support] == ["signout", "set-attr"]
    refused = runner.invoke(app, ["audit", "list", "--kind", "logins"], obj=desk.support)
    assert refused.exit_code == 2 and "sign-in" in refused.output  # the choices are named


def test_json_is_the_same_at_every_width(desk: SupportDesk) -> None:
    _trail(desk)
    for args in (("audit", "list", "--json"), ("users", "list", "--json")):
        assert json.loads(cli(desk, 40, *args).stdout) == json.loads(cli(desk, 300, *args).stdout)


def test_users_list_and_show_fit_80_columns(desk: SupportDesk) -> None:
    desk.add_user("margaret.hamilton", email="margaret.hamilton@apollo-guidance.example.org")
    desk.add_user("bob")
    listed = cli(desk, 80, "users", "list").stdout
    assert max(len(line) for line in listed.splitlines()) <= 80
    assert "CONFIRMED" in listed or "FORCE_CHANGE_PASSWORD" in listed  # statuses stay whole
    assert "margaret.hamilton" in listed
    shown = cli(desk, 80, "users", "show", "margaret.hamilton").stdout
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert "Preferred MFA" in shown and "margaret.hamilton@apollo-guidance.example.org" in shown
