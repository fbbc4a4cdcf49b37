"""The sign-in page stops an address whose password steps keep failing (password spraying, floods of
made-up names), refusing it unchecked with 429 until its window ends; successes cost nothing, and
other addresses are not affected. Said once in the security log and in the audit trail."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from mfa_portal.admin.signin_limit import WINDOW_SECONDS
from mfa_portal.web import signin_address_limit
from mfa_portal.wiring.support import build_support
from tests.support.cognito_errors import Refusing
from tests.support.pool_process import portal_serve
from tests.support.portal import PASSWORD, Browser, PortalWorld
from tests.support.signin_forms import CSRF

ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.20"
LIMIT = 3
INCORRECT = "Incorrect username or password."
LIMITED = "Too many failed sign-ins came from your network address."
ADMIN_PASSWORD = "Adm1n-Start-Pass!"


def _limited_trail(world: PortalWorld) -> list[tuple[str, str, str]]:
    support = build_support(world.settings, world.idp, world.pool_id)
    return [
        (e.actor, e.source, e.detail)
        for e in support.audit.query()
        if e.action == "sign-in.address-limited"
    ]


def test_an_address_that_keeps_failing_is_refused_unchecked(
    world: PortalWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world.create_user("alice", permanent=True)
    app = world.app(signin_failures_per_address=LIMIT)
    attacker, office = Browser(app, address=ATTACKER), Browser(app, address=OFFICE)
    for name in ("alice", "bob", "carol"):  # one password tried on several names
        page = attacker.sign_in(name, "Spring-2026-Password!")
        assert page.status_code == 400 and INCORRECT in page.text
    caplog.set_level(logging.WARNING, logger="mfa_portal.security")
    refused = attacker.sign_in("alice", PASSWORD)  # even the right password is not checked now
    assert refused.status_code == 429
    assert LIMITED in refused.text and INCORRECT not in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= WINDOW_SECONDS
    assert 'value="alice"' in refused.text  # what was typed is kept for the next try
    for _ in range(8):  # had the pool checked these, alice would now be locked out
        assert attacker.sign_in("alice", "Wrong-Password-1!").status_code == 429
    signed_in = office.sign_in("alice", PASSWORD)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/mfa/setup"

    events = [
        r for r in caplog.records if getattr(r, "security_event", "") == "sign-in.address-limited"
    ]
    assert len(events) == 1, "said once, not once per refusal"
    assert f"ip={ATTACKER}" in events[0].getMessage() and "failures=3" in events[0].getMessage()
    trail = _limited_trail(world)
    assert len(trail) == 1
    actor, source, detail = trail[0]
    assert (actor, source) == ("visitor", ATTACKER)
    assert detail.startswith(f"3 failed password steps from {ATTACKER} between ")
    assert "further sign-ins from this address refused until" in detail


def test_successful_sign_ins_from_one_address_are_free(world: PortalWorld) -> None:
    for name in ("alice", "bob"):
        world.create_user(name, permanent=True)
    app = world.app(signin_failures_per_address=LIMIT)
    for _ in range(2 * LIMIT):  # an office behind one address
        for name in ("alice", "bob"):
            assert Browser(app, address=OFFICE).sign_in(name, PASSWORD).status_code == 303
    office = Browser(app, address=OFFICE)
    for _ in range(LIMIT):
        assert office.sign_in("alice", "Typo-Password-1!").status_code == 400
    assert office.sign_in("alice", PASSWORD).status_code == 429
    assert _limited_trail(world) != []


def test_refusals_that_are_no_guess_do_not_count(world: PortalWorld) -> None:
    """A pool that is down says nothing about the password: the step is released, uncounted."""
    world.create_user("alice", permanent=True)
    down = Refusing(world.idp, "InitiateAuth", "InternalErrorException", "the pool is down")
    visitor = Browser(world.app(client=down, signin_failures_per_address=1), address=ATTACKER)
    for _ in range(3):
        page = visitor.sign_in("alice", PASSWORD)
        assert page.status_code == 400 and "Sign-in is unavailable right now." in page.text
    again = Browser(world.app(signin_failures_per_address=1), address=ATTACKER)
    assert again.sign_in("alice", PASSWORD).status_code == 303


def test_a_proxy_that_is_not_trusted_is_named_once_in_the_log(
    world: PortalWorld, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a proxy whose ``X-Forwarded-For`` the server ignores, every visitor shares the proxy's
    address, and one guesser could stop them all: the operator is told, once."""
    monkeypatch.setattr(signin_address_limit, "_warned_untrusted_proxy", False)
    app = world.app(signin_failures_per_address=LIMIT)
    behind = Browser(app, address="10.0.0.5")  # the proxy, as the server sees it
    behind.http.headers["X-Forwarded-For"] = ATTACKER
    caplog.set_level(logging.WARNING, logger="mfa_portal.web")
    for _ in range(2):
        assert behind.sign_in("nobody", "Wrong-Password-1!").status_code == 400
    warnings = [r.getMessage() for r in caplog.records if "not trusted" in r.getMessage()]
    assert len(warnings) == 1 and "10.0.0.5" in warnings[0]
    assert "FORWARDED_ALLOW_IPS" in warnings[0]


def test_zero_turns_the_limit_off(world: PortalWorld) -> None:
    app = world.app(signin_failures_per_address=0)
    attacker = Browser(app, address=ATTACKER)
    for n in range(12):
        assert attacker.sign_in(f"user{n}", "Wrong-Password-1!").status_code == 400
    assert _limited_trail(world) == []


def test_a_real_server_counts_the_address_its_trusted_proxy_names(tmp_path: Path) -> None:
    """``mfa-portal serve`` behind a proxy on loopback: the limit is the browser's, from
    ``X-Forwarded-For``, not the proxy's own address that every visitor shares."""
    env = {
        "MFA_PORTAL_INITIAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "MFA_PORTAL_SIGNIN_FAILURES_PER_ADDRESS": "2",
    }
    with portal_serve(tmp_path / "data", env) as server:

        def attempt(address: str, password: str) -> httpx.Response:
            headers = {"X-Forwarded-For": address}
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as http:
                token = CSRF.search(http.get("/signin").text)
                assert token
                form = {"csrf_token": token.group(1), "username": "admin", "password": password}
                return http.post("/signin", data=form)

        assert [attempt(ATTACKER, "Wrong-Password-1!").status_code for _ in range(3)] == [
            400,
            400,
            429,
        ]
        assert attempt(OFFICE, "Wrong-Password-1!").status_code == 400  # checked, not limited
        assert attempt(OFFICE, ADMIN_PASSWORD).status_code == 303
        log = server.log.read_text(encoding="utf-8")
    lines = [line for line in log.splitlines() if "event=sign-in.address-limited" in line]
    assert len(lines) == 1 and f"ip={ATTACKER}" in lines[0], log[-2000:]
    assert ADMIN_PASSWORD not in log and "Wrong-Password-1!" not in log
    assert "not trusted" not in log  # loopback's X-Forwarded-For is taken
