"""``MFA_PORTAL_ENROLMENT_PROOF=email``: a session that proved only the password must also prove the
account's mailbox before it may bind an authenticator (a first enrolment, or one after a reset)."""

from __future__ import annotations

import re

from mfa_portal.admin.notify import Outbox
from mfa_portal.wiring.support import portal_store
from tests.support.portal import PASSWORD, Browser, EnrolledUser, PortalWorld

CODE = re.compile(r"Your set-up code: ([0-9]{8})")
REFUSED = "That set-up code did not work."


def _codes(world: PortalWorld) -> list[str]:
    """Set-up codes in the development outbox, newest first."""
    messages = Outbox(portal_store(world.data_dir, world.settings.database), echo=False).messages()
    return [m.group(1) for m in (CODE.search(msg.body) for msg in messages) if m]


def _signed_in(world: PortalWorld, name: str = "alice") -> Browser:
    browser = world.browser(enrolment_proof="email", mode="development")
    page = browser.follow(browser.sign_in(name, PASSWORD))
    assert "Email me a set-up code" in page.text and 'id="secret"' not in page.text
    return browser


def _enrol_with(world: PortalWorld, browser: Browser, code: str) -> None:
    page = browser.post("/mfa/setup/start", {"proof": code}, follow=True)
    assert page.status_code == 200, page.text
    world.next_step()  # the replay guard is per user: a step spent before stays spent
    page = browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    assert "Your authenticator is set up" in page.text


def test_first_enrolment_needs_the_code_mailed_to_the_verified_address(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = _signed_in(world)
    refused = browser.post("/mfa/setup/start", {"proof": ""})
    assert refused.status_code == 400 and REFUSED in refused.text
    assert 'id="secret"' not in browser.get("/mfa/setup").text
    sent = browser.post("/mfa/setup/send-code", follow=True)
    assert "We sent a set-up code" in sent.text
    # Sent: the code field leads, a new code is the second action, and no button says "show".
    assert "Send a new code" in sent.text and "Email me a set-up code" not in sent.text
    assert (
        "8-digit set-up code from the email" in sent.text and "Show my set-up key" not in sent.text
    )
    [code] = _codes(world)
    assert code not in sent.text
    wrong = "00000000" if code != "00000000" else "11111111"
    assert REFUSED in browser.post("/mfa/setup/start", {"proof": wrong}).text
    _enrol_with(world, browser, code)
    assert browser.get("/auth/verify").status_code == 200


def test_a_used_expired_or_over_guessed_code_is_refused(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    first = _signed_in(world)
    first.post("/mfa/setup/send-code")
    [code] = _codes(world)
    assert first.post("/mfa/setup/start", {"proof": code}).status_code == 303
    replay = _signed_in(world)
    assert REFUSED in replay.post("/mfa/setup/start", {"proof": code}).text  # single use

    replay.post("/mfa/setup/send-code")
    fresh = _codes(world)[0]
    world.clock.advance(11 * 60)
    assert REFUSED in replay.post("/mfa/setup/start", {"proof": fresh}).text  # expired

    replay.post("/mfa/setup/send-code")
    latest = _codes(world)[0]
    for _ in range(5):
        replay.post(
            "/mfa/setup/start", {"proof": "12345678" if latest != "12345678" else "87654321"}
        )
    assert REFUSED in replay.post("/mfa/setup/start", {"proof": latest}).text  # five wrong: spent
    assert 'id="secret"' not in replay.get("/mfa/setup").text


def test_sending_codes_is_rate_limited(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = _signed_in(world)
    for _ in range(3):
        assert browser.post("/mfa/setup/send-code").status_code == 303
    limited = browser.post("/mfa/setup/send-code")
    assert limited.status_code == 400 and "Too many set-up codes" in limited.text
    assert len(_codes(world)) == 3


def test_after_a_support_reset_the_password_alone_cannot_bind_a_new_authenticator(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    enrolled("alice")
    world.idp.call("AdminDeleteSoftwareToken", UserPoolId=world.pool_id, Username="alice")
    world.idp.call("AdminUserGlobalSignOut", UserPoolId=world.pool_id, Username="alice")
    attacker = _signed_in(world)
    for path in ("/mfa/setup/start", "/mfa/setup"):
        attacker.post(path, {"proof": "", "code": "123456"})
    assert 'id="secret"' not in attacker.get("/mfa/setup").text
    assert attacker.get("/auth/verify").status_code == 401
    assert world.mfa_settings("alice") == []
    owner = _signed_in(world)  # the owner reads the mailbox
    owner.post("/mfa/setup/send-code")
    _enrol_with(world, owner, _codes(world)[0])
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]


def test_without_a_verified_email_the_page_says_to_contact_support(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    world.idp.call(
        "AdminUpdateUserAttributes",
        UserPoolId=world.pool_id,
        Username="alice",
        UserAttributes=[{"Name": "email_verified", "Value": "false"}],
    )
    browser = _signed_in(world)
    page = browser.post("/mfa/setup/send-code")
    assert page.status_code == 400 and "no verified email address" in page.text
    assert _codes(world) == []
