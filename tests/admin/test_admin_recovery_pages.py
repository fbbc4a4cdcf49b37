"""Recovery codes in the portal: offered after enrolment, shown once, and /recover spends one code
to remove the authenticator and send the user to enrol again."""

from __future__ import annotations

import re
from urllib.parse import unquote

from mfa_portal.admin.audit import AuditFilter, AuditLog
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
    assert "You have <strong>0</strong> unused recovery codes" in offer.text
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
    # The page's own form signs in and lands on set-up.
    answer = browser.post("/signin", {"username": "alice", "password": PASSWORD, "next": "/"})
    assert answer.headers["location"] == "/mfa/setup"
    browser.follow(answer)
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
    outbox = browser.get("/dev/outbox").text
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
    assert 'id="continue"' not in offer.text
