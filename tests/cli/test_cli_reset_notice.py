"""A reset of a user who has no authenticator: support is told there was nothing to remove, and
the user gets no "your authenticator was removed" email for a change that did not happen."""

from __future__ import annotations

import pytest
from typer.testing import Result

from mfa_portal.admin.actions import NOTHING_REMOVED
from tests.cli.test_cli_users import cli
from tests.support.support_desk import SupportDesk


def cli_reset(desk: SupportDesk, name: str) -> Result:
    return cli(desk, "users", "reset-mfa", name, "-r", "ticket 5")


@pytest.mark.backends("engine")
def test_a_user_without_an_authenticator_is_not_told_it_was_removed(desk: SupportDesk) -> None:
    """No "your authenticator was removed" mail for a change that did not happen; support is told."""
    desk.add_user("gail", "gail@corp.example")
    result = cli_reset(desk, "gail")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "gail: nothing to remove (no authenticator registered); all sessions signed out"
    )
    assert "note: no email sent: there was no authenticator to remove" in result.stdout
    assert desk.outbox.messages() == []
    [entry] = desk.support.audit.query()
    assert entry.outcome == "success" and NOTHING_REMOVED in entry.detail
    desk.enrol_totp("gail")  # with an authenticator, the notice still goes out
    assert "authenticator removed" in cli_reset(desk, "gail").stdout
    assert len(desk.outbox.messages()) == 1
