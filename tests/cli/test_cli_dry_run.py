"""``users reset-mfa --dry-run``: what a bulk reset would do, with nothing changed, audited or
mailed; and ``#`` comments anywhere on a line of ``--from-file``, as the runbook promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli_users import cli, one_line_error
from tests.support.support_desk import SupportDesk


@pytest.fixture
def lost(desk: SupportDesk, tmp_path: Path) -> Path:
    desk.add_user("ann", "ann@corp.example")
    desk.enrol_totp("ann")
    desk.add_user("ben", "ben@corp.example")  # never enrolled
    names = tmp_path / "lost.txt"
    names.write_text("# stolen bag, ticket 4800\nann   # called back\n\nghost#typo?\nben\n")
    return names


def _untouched(desk: SupportDesk) -> None:
    assert desk.methods("ann") != []  # the authenticator is still there
    assert desk.support.audit.query() == []
    assert desk.outbox.messages() == []


@pytest.mark.backends("engine")
def test_dry_run_lists_and_changes_nothing(desk: SupportDesk, lost: Path) -> None:
    result = cli(desk, "users", "reset-mfa", "--from-file", str(lost), "-r", "x", "--dry-run")
    assert result.exit_code == 1  # ghost would fail
    out = result.stdout
    assert "Dry run: 2 would be reset, 1 would fail; nothing was changed or audited" in out
    assert "ann" in out and "totp" in out and "none (nothing to remove)" in out
    assert "ghost" in out and "User does not exist." in out
    assert "called back" not in out and "typo" not in out
    _untouched(desk)


@pytest.mark.backends("engine")
def test_dry_run_as_json(desk: SupportDesk, lost: Path) -> None:
    args = ("users", "reset-mfa", "--from-file", str(lost), "-r", "x", "--dry-run", "--json")
    result = cli(desk, *args)
    rows = json.loads(result.stdout)
    assert [(r["target"], r["ok"], r["dry_run"]) for r in rows] == [
        ("ann", True, True),
        ("ben", True, True),
        ("ghost", False, True),
    ]
    assert rows[0]["mfa_methods"] == ["totp"] and rows[1]["mfa_methods"] == []
    assert rows[2]["error"] == "UserNotFoundException"
    _untouched(desk)


@pytest.mark.backends("engine")
def test_dry_run_of_one_user(desk: SupportDesk, lost: Path) -> None:
    result = cli(desk, "users", "reset-mfa", "ann", "-r", "x", "--dry-run")
    assert result.exit_code == 0 and "1 would be reset, 0 would fail" in result.stdout
    _untouched(desk)
    missing = cli(desk, "users", "reset-mfa", "ghost", "-r", "x", "--dry-run")
    assert missing.exit_code == 1 and "ghost" in missing.stdout
    assert desk.support.audit.query() == []


@pytest.mark.backends("engine")
def test_comments_anywhere_on_a_line_are_ignored(desk: SupportDesk, lost: Path) -> None:
    result = cli(desk, "users", "reset-mfa", "--from-file", str(lost), "-r", "theft")
    assert result.exit_code == 1
    assert "2 reset, 1 failed" in result.stdout
    assert "ghost" in result.stdout and "typo" not in result.stdout
    assert desk.methods("ann") == []
    assert sorted(e.target for e in desk.support.audit.query()) == ["ann", "ben", "ghost"]


@pytest.mark.backends("engine")
def test_a_file_of_only_comments_resets_nobody(desk: SupportDesk, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n   # still nothing\n")
    result = cli(desk, "users", "reset-mfa", "--from-file", str(empty), "-r", "x", "--dry-run")
    assert result.exit_code == 0 and "0 would be reset, 0 would fail" in result.stdout
    assert one_line_error(cli(desk, "users", "reset-mfa", "-r", "x", "--dry-run")) == (
        "Error: give a username or --from-file"
    )
