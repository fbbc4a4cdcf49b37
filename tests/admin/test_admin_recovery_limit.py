"""The lost-phone reset's rate limit: per username and per address, decided by the shared store,
refused before the password is checked, and audited as one summary per burst of failures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.admin import self_service
from mfa_portal.admin.audit import AuditEntry, AuditFilter
from mfa_portal.admin.recovery_limit import MAX_ATTEMPTS, WINDOW_SECONDS, RecoveryLimit
from mfa_portal.admin.store import PortalStore
from mfa_portal.admin.support import ActionFailed
from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.cognito_api.password_auth import PasswordStep
from tests.support.backends import PASSWORD
from tests.support.race import run_together
from tests.support.support_desk import SupportDesk

ATTACKER = "203.0.113.9"
WRONG = "Wrong-Password-1!"
T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class CountingClient:
    """The seam, counting password checks (each one costs the server an argon2 verification)."""

    def __init__(self, inner: CognitoClient) -> None:
        self.inner = inner
        self.password_checks = 0

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        # One password check: USER_PASSWORD_AUTH, or the SRP claim (PASSWORD_VERIFIER).
        if (operation == "InitiateAuth" and params["AuthFlow"] == "USER_PASSWORD_AUTH") or (
            operation == "RespondToAuthChallenge" and params["ChallengeName"] == "PASSWORD_VERIFIER"
        ):
            self.password_checks += 1
        return self.inner.call(operation, **params)

    def supports(self, operation: str) -> bool:
        return self.inner.supports(operation)


@pytest.fixture
def limit_clock(desk: SupportDesk, store: PortalStore) -> Clock:
    fake = Clock()
    desk.support.recovery_limit = RecoveryLimit(store, clock=fake)
    return fake


def _recover(
    desk: SupportDesk,
    code: str,
    *,
    user: str = "bob",
    password: str = PASSWORD,
    source: str = ATTACKER,
) -> str:
    return self_service.recover_with_code(
        desk.support,
        password_step=PasswordStep(
            desk.support.client, pool_id=desk.pool_id, client_id=desk.client_id
        ),
        username=user,
        password=password,
        code=code,
        source=source,
    ).message


def _failure(desk: SupportDesk, code: str, **kw: Any) -> ActionFailed:
    with pytest.raises(ActionFailed) as caught:
        _recover(desk, code, **kw)
    return caught.value


def _anonymous(desk: SupportDesk) -> list[AuditEntry]:
    return desk.support.audit.query(AuditFilter(actor="anonymous"))


def _bob(desk: SupportDesk) -> list[str]:
    desk.add_user("bob")
    desk.enrol_totp("bob")
    return self_service.issue_codes(desk.support, "bob")


@pytest.mark.backends("engine")
def test_an_address_is_refused_after_five_attempts_without_a_password_check(
    desk: SupportDesk, limit_clock: Clock
) -> None:
    codes = _bob(desk)
    counting = CountingClient(desk.support.client)
    desk.support.client = counting
    typed = [f"=cmd|{n}" for n in range(MAX_ATTEMPTS)]  # attacker-chosen usernames
    for name in typed:
        limit_clock.now += 10
        assert _failure(desk, codes[0], user=name, password=WRONG).code == "UserNotFoundException"
    assert counting.password_checks == MAX_ATTEMPTS

    refused = _failure(desk, codes[0])  # even the right password and code
    assert isinstance(refused, self_service.RecoveryLimited) and refused.code == "RateLimited"
    assert counting.password_checks == MAX_ATTEMPTS  # no argon2 work for a refused attempt
    assert desk.methods("bob") == ["SOFTWARE_TOKEN_MFA"]
    assert self_service.remaining_codes(desk.support, "bob") == 10

    [summary] = _anonymous(desk)  # one entry for the burst, none per attempt
    assert summary.detail == (
        "5 failed attempts from 203.0.113.9 between 2027-01-15T08:00:10Z and 2027-01-15T08:00:50Z;"
        " further attempts refused until 2027-01-15T08:15:10Z"
    )
    assert summary.source == ATTACKER and summary.action == "recovery-reset"
    trail = desk.support.audit.query()
    assert not any(name in repr(entry) for name in typed for entry in trail)
    assert not any(WRONG in repr(entry) for entry in trail)

    limit_clock.now += WINDOW_SECONDS  # the window is over: the real user gets through
    assert _recover(desk, codes[0]).startswith("authenticator removed")
    assert len(_anonymous(desk)) == 1  # the summarised burst is not audited twice


@pytest.mark.backends("engine")
def test_a_username_is_refused_after_five_attempts_from_any_addresses(
    desk: SupportDesk, limit_clock: Clock
) -> None:
    codes = _bob(desk)
    for n in range(MAX_ATTEMPTS):
        failed = _failure(desk, codes[0], password=WRONG, source=f"198.51.100.{n}")
        assert failed.code == "NotAuthorizedException"
    refused = _failure(desk, codes[0], source="192.0.2.1")
    assert refused.code == "RateLimited"
    assert isinstance(refused, self_service.RecoveryLimited)
    assert 0 < refused.retry_after <= WINDOW_SECONDS
    assert desk.methods("bob") == ["SOFTWARE_TOKEN_MFA"]
    # Someone else, from a fresh address, is not affected.
    desk.add_user("carol")
    desk.enrol_totp("carol")
    carol = self_service.issue_codes(desk.support, "carol")
    assert _recover(desk, carol[0], user="carol", source="192.0.2.1").startswith("authenticator")


@pytest.mark.backends("engine")
def test_a_short_burst_is_audited_once_after_its_window(
    desk: SupportDesk, limit_clock: Clock
) -> None:
    codes = _bob(desk)
    _failure(desk, codes[0], password=WRONG)
    limit_clock.now += 60
    _failure(desk, codes[0], user="nobody", password=WRONG)
    assert _anonymous(desk) == []  # still counting

    limit_clock.now += WINDOW_SECONDS  # the next request, from anyone, closes the ended window
    _recover(desk, codes[0], source="192.0.2.7")
    [summary] = _anonymous(desk)
    assert summary.detail == (
        "2 failed attempts from 203.0.113.9 between 2027-01-15T08:00:00Z and 2027-01-15T08:01:00Z"
    )


@pytest.mark.backends("engine")
def test_a_wrong_recovery_code_counts_and_stays_audited_by_name(
    desk: SupportDesk, limit_clock: Clock
) -> None:
    _bob(desk)
    for _ in range(MAX_ATTEMPTS):
        assert _failure(desk, "AAAA-AAAA-AAAA-AAAA").code == "RecoveryCodeRejected"
    assert _failure(desk, "AAAA-AAAA-AAAA-AAAA").code == "RateLimited"
    rejected = desk.support.audit.query(AuditFilter(target="bob", outcome="failure"))
    assert len(rejected) == MAX_ATTEMPTS  # the right password: the real user's own trail
    assert _anonymous(desk) == []


def test_processes_sharing_the_store_agree_and_a_race_admits_exactly_the_limit(
    store: PortalStore, tmp_path: Path, database_url: str | None
) -> None:
    other = PortalStore.in_data_dir(tmp_path / "portal", database_url)  # another portal process
    try:
        clock = Clock()
        first, second = RecoveryLimit(store, clock=clock), RecoveryLimit(other, clock=clock)
        assert first.admit(ATTACKER, "a").allowed and second.admit(ATTACKER, "b").allowed

        def attempt(n: int) -> Callable[[], bool]:
            return lambda: second.admit(ATTACKER, f"u{n}").allowed

        outcomes = run_together([attempt(n) for n in range(8)], after_each=other.close)
        assert outcomes.count(True) == MAX_ATTEMPTS - 2
        assert not first.admit(ATTACKER, "c").allowed
        assert first.admit("192.0.2.1", "fresh").allowed  # another address, another count
    finally:
        other.close_all()
