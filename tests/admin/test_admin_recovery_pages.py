"""Recovery codes in the portal: offered after enrolment, shown once, and /recover spends one code
to remove the authenticator and send the user to enrol again."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from mfa_portal.admin.audit import AuditFilter, AuditLog
from mfa_portal.cognito_api.errors import InternalErrorException
from mfa_portal.web import routes_recovery
from mfa_portal.web.flow import Outcome
from mfa_portal.wiring.support import portal_store
from tests.support.portal import PASSWORD, Browser, PortalWorld

CODE = re.compile(r"<li><code>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})</code></li>")


def enrol_with_codes(world: PortalWorld, name: str) -> tuple[Browser, str, list[str]]:
    world.create_user(name, permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in(name, PASSWORD))
    secret = browser.secret()
    answer = browser.post("/mfa/setup", {"code": world.code(secret)})
    assert answer.headers["location"] == "/account/recovery-codes?offer=1"
    offer = browser.follow(answer)
    assert "Your authenticator is set up" in offer.text
    # No codes yet: no "0 codes" sentence; Continue is a button here too, the second one.
    assert "<strong>0</strong>" not in offer.text and 'id="remaining"' not in offer.text
    assert 'class="button secondary" id="continue"' in offer.text
    assert "You have no unused recovery codes." in browser.get("/account").text
    assert "You have no unused recovery codes." in browser.get("/account/recovery-codes").text
    page = browser.post("/account/recovery-codes")
    codes = CODE.findall(page.text)
    assert len(codes) == 10
    link = re.search(r'href="(data:text/plain;charset=utf-8,[^"]+)" download', page.text)
    assert link and all(c in unquote(link.group(1)) for c in codes)
    world.next_step()
    return browser, secret, codes


def recover(world: PortalWorld, name: str, code: str, password: str = PASSWORD) -> Browser:
    browser = world.browser()
    browser.get("/recover")
    browser.post("/recover", {"username": name, "password": password, "code": code})
    return browser


def test_recovery_code_sends_the_user_to_enrol_and_works_once(world: PortalWorld) -> None:
    _, secret, codes = enrol_with_codes(world, "alice")

    browser = recover(world, "alice", codes[0].lower())
    assert browser.last is not None and browser.last.status_code == 200
    assert "Your old authenticator was removed" in browser.last.text
    assert world.mfa_settings("alice") == []
    # The same request signed alice in again: the page leads straight on to set-up.
    assert 'href="/mfa/setup">Set up my new authenticator</a>' in browser.last.text
    assert 'name="password"' not in browser.last.text
    assert browser.get("/auth/verify").status_code == 401  # no access before the new factor
    browser.get("/mfa/setup")
    assert browser.post("/mfa/setup", {"code": world.code(secret)}).status_code == 400
    new_secret = browser.secret()
    done = browser.post("/mfa/setup", {"code": world.code(new_secret)}, follow=True)
    assert "You have <strong>9</strong> unused recovery codes" in done.text
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]

    again = recover(world, "alice", codes[0])
    assert again.last is not None and again.last.status_code == 400
    assert "The username, password or recovery code is not right." in again.last.text
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]


def test_wrong_password_or_unknown_user_get_the_same_answer(world: PortalWorld) -> None:
    _, _, codes = enrol_with_codes(world, "alice")
    texts = []
    for name, password, code in (
        ("alice", "Wrong-Password-1!", codes[0]),
        ("nobody", PASSWORD, codes[0]),
        ("alice", PASSWORD, "AAAA-AAAA-AAAA-AAAA"),
    ):
        page = recover(world, name, code, password).last
        assert page is not None and page.status_code == 400
        texts.append("The username, password or recovery code is not right." in page.text)
    assert texts == [True, True, True]
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]


def test_an_incomplete_form_asks_for_every_field(world: PortalWorld) -> None:
    _, _, codes = enrol_with_codes(world, "alice")
    for name, password, code in (("", "", ""), ("alice", PASSWORD, " "), ("", PASSWORD, codes[0])):
        page = recover(world, name, code, password).last
        assert page is not None and page.status_code == 400
        assert "Enter your username, password and a recovery code." in page.text
        assert "is not right" not in page.text
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]


def test_a_new_set_voids_the_old_one_and_needs_csrf(world: PortalWorld) -> None:
    browser, _, old = enrol_with_codes(world, "alice")
    page = browser.get("/account/recovery-codes")
    assert "You have <strong>10</strong> unused recovery codes" in page.text
    assert browser.post("/account/recovery-codes", csrf="").status_code == 403
    browser.get("/account/recovery-codes")
    new = CODE.findall(browser.post("/account/recovery-codes").text)
    assert len(new) == 10 and not set(new) & set(old)
    failed = recover(world, "alice", old[0]).last
    assert failed is not None and failed.status_code == 400
    assert recover(world, "alice", new[0]).last is not None
    assert world.mfa_settings("alice") == []


def test_codes_page_needs_a_full_sign_in(world: PortalWorld) -> None:
    browser = world.browser()
    assert browser.get("/account/recovery-codes").status_code == 303


def test_each_step_is_audited_and_notified(world: PortalWorld) -> None:
    _, _, codes = enrol_with_codes(world, "alice")
    recover(world, "alice", codes[0])
    browser = world.browser(mode="development")
    browser.follow(browser.sign_in("alice", PASSWORD))
    browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)

    trail = AuditLog(portal_store(world.data_dir, world.settings.database)).query(
        AuditFilter(target="alice")
    )
    assert [(e.actor, e.action, e.outcome) for e in reversed(trail)] == [
        ("self:alice", "enrol-authenticator", "success"),
        ("self:alice", "recovery-codes issue", "success"),
        ("self:alice", "recovery-reset", "success"),
        ("self:alice", "enrol-authenticator", "success"),
    ]
    outbox = Browser(browser.http.app, address="127.0.0.1").get("/dev/outbox").text  # type: ignore[arg-type]
    assert "alice@example.com" in outbox
    assert "a new authenticator app was set up" in outbox


def test_account_page_counts_unused_codes_and_the_code_page_offers_recovery(
    world: PortalWorld,
) -> None:
    browser, _, codes = enrol_with_codes(world, "alice")
    assert "Unused recovery codes: 10." in browser.get("/account").text
    other = world.browser()
    step = other.follow(other.sign_in("alice", PASSWORD))
    assert 'href="/recover"' in step.text  # the TOTP code page links to recovery
    recover(world, "alice", codes[0])
    assert world.mfa_settings("alice") == []


def test_too_many_attempts_get_429_and_the_same_sentence(world: PortalWorld) -> None:
    _, _, codes = enrol_with_codes(world, "alice")
    for _ in range(5):
        page = recover(world, "alice", codes[0], "Wrong-Password-1!").last
        assert page is not None and page.status_code == 400
    limited = recover(world, "alice", codes[0]).last  # the right password and code, too late
    assert limited is not None and limited.status_code == 429
    assert "The username, password or recovery code is not right." in limited.text
    assert 0 < int(limited.headers["Retry-After"]) <= 900
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]
    [burst] = AuditLog(portal_store(world.data_dir, world.settings.database)).query(
        AuditFilter(actor="anonymous")
    )
    assert burst.detail.startswith("5 failed attempts from testclient between ")


def test_after_a_replacement_going_on_is_the_main_action_not_voiding_the_codes(
    world: PortalWorld,
) -> None:
    """A user who saved codes and then replaced the authenticator must not be led to void them:
    "Continue" is the primary button, a new set the secondary one."""
    browser, secret, _ = enrol_with_codes(world, "alice")
    browser.post("/mfa/replace", {"password": PASSWORD, "code": world.code(secret)})
    browser.get("/mfa/setup")
    world.next_step()
    done = browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    assert "You have <strong>10</strong> unused recovery codes" in done.text
    assert re.search(r'<a class="button" id="continue" href="/">Continue</a>', done.text)
    assert '<button type="submit" class="secondary">Create a new set of recovery codes' in done.text
    world.create_user("bob", permanent=True)  # no codes yet: creating them is the main action
    fresh = world.browser()
    fresh.follow(fresh.sign_in("bob", PASSWORD))
    offer = fresh.post("/mfa/setup", {"code": world.code(fresh.secret())}, follow=True)
    assert '<button type="submit">Create recovery codes</button>' in offer.text
    # Continue is a button on both pages, the secondary one here (it was a bare link).
    assert '<a class="button secondary" id="continue" href="/">Continue</a>' in offer.text


def test_recovery_proves_the_new_enrolment_for_a_user_without_a_verified_email(
    world: PortalWorld,
) -> None:
    """With ``MFA_PORTAL_ENROLMENT_PROOF=email`` a user without a verified address could not get a
    set-up code: the spent recovery code is the proof, so they set up at once instead of being left
    with no factor (the first administrator of ``make run`` has no email)."""
    _, _, codes = enrol_with_codes(world, "alice")
    world.idp.call(
        "AdminDeleteUserAttributes",
        UserPoolId=world.pool_id,
        Username="alice",
        UserAttributeNames=["email"],
    )
    browser = world.browser(enrolment_proof="email", mode="development")
    browser.get("/recover")
    done = browser.post("/recover", {"username": "alice", "password": PASSWORD, "code": codes[1]})
    assert "Set up my new authenticator" in done.text
    setup = browser.get("/mfa/setup")
    assert "Email me a set-up code" not in setup.text and 'id="secret"' in setup.text
    world.next_step()
    page = browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    assert "Your authenticator is set up" in page.text
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]
    assert browser.get("/auth/verify").status_code == 200

    # The proof belongs to that sign-in: someone else who signs in with the password only, after
    # another reset, still has to prove the mailbox (which alice no longer has).
    other = world.browser(enrolment_proof="email", mode="development")
    other.get("/recover")
    other.post("/recover", {"username": "alice", "password": PASSWORD, "code": codes[2]})
    intruder = world.browser(enrolment_proof="email", mode="development")
    step = intruder.follow(intruder.sign_in("alice", PASSWORD))
    assert "Email me a set-up code" in step.text and 'id="secret"' not in step.text


def test_when_signing_in_again_fails_the_page_asks_for_the_password(
    world: PortalWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reset stands even when the sign-in after it fails (the pool refused it, or it was
    unreachable for that moment): the page says so and offers its own sign-in form."""
    _, _, codes = enrol_with_codes(world, "alice")
    browser = world.browser()
    calls = 0

    def second_step_fails(*args: object, **kwargs: object) -> Outcome:
        nonlocal calls
        calls += 1
        raise InternalErrorException("the pool was unreachable")

    monkeypatch.setattr(routes_recovery, "start_sign_in", second_step_fails)
    browser.get("/recover")
    done = browser.post("/recover", {"username": "alice", "password": PASSWORD, "code": codes[0]})
    assert calls == 1 and done.status_code == 200
    assert "Sign in again to set up" in done.text and 'name="password"' in done.text
    assert world.mfa_settings("alice") == []
    answer = browser.post("/signin", {"username": "alice", "password": PASSWORD, "next": "/"})
    assert answer.headers["location"] == "/mfa/setup"
