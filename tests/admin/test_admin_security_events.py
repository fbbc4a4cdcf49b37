"""Security events from support and the portal: support actions, enrolment, recovery-code use and
failure, each with the acting address and without a password, code or temporary password."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.admin import actions, self_service
from mfa_portal.admin.support import ActionFailed, Actor
from mfa_portal.cognito_api.password_auth import PasswordStep
from mfa_portal.security_events import LOGGER_NAME
from tests.admin.test_admin_recovery_pages import enrol_with_codes, recover
from tests.support.backends import PASSWORD
from tests.support.portal import PortalWorld, isolated_world
from tests.support.support_desk import SupportDesk
from tests.support.wire import MakeWireServer

CONSOLE = Actor("admin:carol", "10.0.0.5")


def events(caplog: pytest.LogCaptureFixture) -> list[tuple[str, dict[str, Any]]]:
    return [
        (r.security_event, r.security_fields)  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == LOGGER_NAME
    ]


@pytest.mark.backends("engine")
def test_support_actions_are_logged_with_the_admin_and_address(
    desk: SupportDesk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="mfa_portal")
    desk.add_user("bob")
    desk.enrol_totp("bob")
    actions.reset_mfa(desk.support, CONSOLE, "bob", "lost phone")
    actions.disable_user(desk.support, CONSOLE, "bob", "left")
    created = actions.create_user(desk.support, CONSOLE, "dave", "dave@example.com", "new hire")
    actions.delete_user(desk.support, CONSOLE, "bob", "left", confirm="bob")
    logged = [e for e in events(caplog) if e[0].startswith("support.")]
    assert [name for name, _ in logged] == [
        "support.reset-mfa",
        "support.disable",
        "support.create",
        "support.delete",
    ]
    assert logged[0][1] == {
        "user": "bob",
        "actor": "admin:carol",
        "ip": "10.0.0.5",
        "outcome": "success",
    }
    assert created.secret and created.secret not in caplog.text


@pytest.mark.backends("engine")
def test_recovery_use_and_failure_are_logged(
    desk: SupportDesk, caplog: pytest.LogCaptureFixture
) -> None:
    desk.add_user("bob")
    desk.enrol_totp("bob")
    codes = self_service.issue_codes(desk.support, "bob", source="198.51.100.7")
    caplog.set_level("INFO", logger="mfa_portal")

    def attempt(code: str, password: str = PASSWORD) -> None:
        self_service.recover_with_code(
            desk.support,
            password_step=PasswordStep(
                desk.support.client, pool_id=desk.pool_id, client_id=desk.client_id
            ),
            username="bob",
            password=password,
            code=code,
            source="198.51.100.7",
        )

    with pytest.raises(ActionFailed):
        attempt(codes[0], password="Wrong-Password-1!")
    with pytest.raises(ActionFailed):
        attempt("AAAA-AAAA-AAAA-AAAA")
    attempt(codes[1])
    mine = [e for e in events(caplog) if e[0].startswith("recovery.")]
    assert mine == [
        ("recovery.failed", {"user": "bob", "ip": "198.51.100.7", "outcome": "failure",
                             "reason": "NotAuthorizedException"}),
        ("recovery.failed", {"user": "bob", "ip": "198.51.100.7", "outcome": "failure",
                             "reason": "RecoveryCodeRejected"}),
        ("recovery.used", {"user": "bob", "ip": "198.51.100.7", "outcome": "success",
                           "remaining": 9}),
    ]  # fmt: skip
    for secret in ("Wrong-Password-1!", PASSWORD, codes[1], "AAAA-AAAA-AAAA-AAAA"):
        assert secret not in caplog.text


@pytest.fixture
def engine_pw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_wire_server: MakeWireServer
) -> Iterator[PortalWorld]:
    yield from isolated_world("engine", tmp_path, monkeypatch, make_wire_server)


def test_the_portal_logs_enrolment_and_recovery_with_the_browsers_address(
    engine_pw: PortalWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="mfa_portal")
    _, _, codes = enrol_with_codes(engine_pw, "alice")
    recover(engine_pw, "alice", codes[0])
    found = dict(events(caplog))
    assert found["mfa.enrolled"]["user"] == "alice"
    assert found["recovery-codes.issued"]["count"] == 10
    assert found["recovery.used"] == {
        "user": "alice",
        "ip": "testclient",  # the browser's address as the portal sees it
        "outcome": "success",
        "remaining": 9,
    }
    assert all(code not in caplog.text for code in codes)
