"""The account page: MFA status, password change, replacing the authenticator, signing out."""

from __future__ import annotations

from tests.support.portal import PASSWORD, Browser, EnrolledUser, PortalWorld

NEW_PASSWORD = "Battery-Staple-7?"


def test_account_page_shows_mfa_status(world: PortalWorld, enrolled: EnrolledUser) -> None:
    browser, _ = enrolled("alice")
    page = browser.get("/account")
    assert page.status_code == 200
    assert '<dd id="mfa-status">On</dd>' in page.text
    assert '<dd id="mfa-preferred">Authenticator app</dd>' in page.text
    assert 'href="/mfa/replace"' in page.text


def test_change_password_errors_and_success(world: PortalWorld, enrolled: EnrolledUser) -> None:
    browser, _ = enrolled("alice")
    browser.get("/account")
    page = browser.post("/account/password", {"current": PASSWORD, "password": "", "confirm": ""})
    assert page.status_code == 400 and "Enter a new password." in page.text
    page = browser.post(
        "/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": "x"}
    )
    assert "The two passwords do not match." in page.text
    page = browser.post(
        "/account/password",
        {"current": "Wrong-Pass-1!", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert page.status_code == 400 and "Your current password is not right." in page.text
    page = browser.post(
        "/account/password", {"current": PASSWORD, "password": "weak", "confirm": "weak"}
    )
    assert "Your password does not meet the password policy:" in page.text
    page = browser.post(
        "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert page.status_code == 200 and "Your password has been changed." in page.text
    assert "Incorrect username or password." in world.browser().sign_in("alice", PASSWORD).text
    assert world.browser().sign_in("alice", NEW_PASSWORD).headers["location"] == "/signin/code"


def _two_sessions(world: PortalWorld, enrolled: EnrolledUser) -> tuple[Browser, Browser]:
    """alice enrolled in one browser and fully signed in, with her code, in a second."""
    first, secret = enrolled("alice")
    world.next_step()
    second = world.browser()
    second.follow(second.sign_in("alice", PASSWORD))
    second.post("/signin/code", {"code": world.code(secret)})
    assert second.get("/auth/verify").status_code == 200
    return first, second


def test_a_password_change_ends_the_other_sessions_at_once_and_keeps_this_one(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    """Whoever held a copy of another session (or signed in with the old password) is out on
    their next request, told why; the session that changed the password goes on."""
    first, second = _two_sessions(world, enrolled)

    first.get("/account")
    changed = first.post(
        "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 200 and "Your password has been changed." in changed.text
    assert second.get("/auth/verify").status_code == 401  # no wait for Cognito's re-check
    ended = second.get("/account")
    assert ended.headers["location"].startswith("/signin")
    assert "Your password was changed, so you were signed out here." in second.follow(ended).text
    assert first.get("/auth/verify").status_code == 200
    assert first.get("/account").status_code == 200


def test_sign_out_everywhere_ends_other_sessions(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    first, second = _two_sessions(world, enrolled)

    first.get("/account")
    page = first.post("/account/signout-everywhere", follow=True)
    assert "You have been signed out on every device." in page.text
    assert first.get("/").headers["location"].startswith("/signin")

    world.clock.advance(61)  # the other session is re-checked with Cognito at most once a minute
    assert second.get("/auth/verify").status_code == 401
    assert second.get("/").headers["location"].startswith("/signin")


def test_replacing_the_authenticator_needs_password_and_current_code(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    browser, old_secret = enrolled("alice")
    # Going straight to set-up does not start a new association.
    assert browser.get("/mfa/setup").headers["location"] == "/mfa/replace"
    page = browser.get("/mfa/replace")
    assert page.status_code == 200 and 'name="code"' in page.text and 'name="password"' in page.text

    world.next_step()
    page = browser.post(
        "/mfa/replace", {"password": "Wrong-Pass-1!", "code": world.code(old_secret)}
    )
    assert page.status_code == 400 and "Those details are not right." in page.text
    page = browser.post("/mfa/replace", {"password": PASSWORD, "code": "12"})
    assert page.status_code == 400 and "Those details are not right." in page.text
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]

    world.next_step()
    answer = browser.post("/mfa/replace", {"password": PASSWORD, "code": world.code(old_secret)})
    assert answer.status_code == 303 and answer.headers["location"] == "/mfa/setup"
    page = browser.get("/mfa/setup")
    new_secret = browser.secret()
    assert new_secret != old_secret and "needs a second sign-in step" not in page.text
    world.next_step()  # the re-authentication spent this step for the user
    page = browser.post("/mfa/setup", {"code": world.code(new_secret)}, follow=True)
    assert "Your authenticator is set up" in page.text

    world.next_step()
    other = world.browser()
    other.follow(other.sign_in("alice", PASSWORD))
    page = other.post("/signin/code", {"code": world.code(old_secret)})
    assert page.status_code == 400, "the old authenticator must no longer work"


def test_wrong_first_code_keeps_the_same_secret(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in("alice", PASSWORD))
    secret = browser.secret()
    wrong = f"{(int(world.code(secret)) + 1) % 1_000_000:06d}"
    page = browser.post("/mfa/setup", {"code": wrong, "device_name": "Work phone"})
    assert page.status_code == 400
    assert "That code did not match." in page.text
    assert browser.secret() == secret and 'value="Work phone"' in page.text
    page = browser.post("/mfa/setup", {"code": "abc"})
    assert page.status_code == 400 and "Enter the 6-digit code, numbers only." in page.text
    page = browser.post("/mfa/setup", {"code": world.code(secret), "device_name": "x" * 65})
    assert page.status_code == 400
    assert "The device name is too long: use at most 64 characters." in page.text
    for bad in (
        "Work\x00phone",
        "Phone \u202egnp.exe",
        "Tab\there",
        "Zero\u200bwidth",
        "Iso\u2067x",
    ):
        page = browser.post("/mfa/setup", {"code": world.code(secret), "device_name": bad})
        assert page.status_code == 400, repr(bad)
        assert "no control or text-direction characters" in page.text, repr(bad)
        assert bad not in page.text, "a refused name is not echoed back"
    assert world.mfa_settings("alice") == []
    accented = {"code": world.code(secret), "device_name": "Téléphone de Zoë – 2"}
    page = browser.post("/mfa/setup", accented, follow=True)
    assert "Your authenticator is set up" in page.text


def test_setup_page_shows_qr_and_grouped_key(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = world.browser()
    page = browser.follow(browser.sign_in("alice", PASSWORD))
    assert "<svg" in page.text and 'class="qr"' in page.text
    grouped = page.text.split('id="secret">')[1].split("<")[0]
    assert all(len(group) == 4 for group in grouped.split(" ")[:-1])
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    # The secret is not shown anywhere else.
    secret = browser.secret()
    browser.post("/mfa/setup", {"code": world.code(secret)}, follow=True)
    for path in ("/", "/account", "/mfa/setup/done"):
        assert secret not in browser.get(path).text.replace(" ", "")


def test_forward_auth_headers(world: PortalWorld, enrolled: EnrolledUser) -> None:
    browser, _ = enrolled("root_user", groups=("admins",))
    answer = browser.get("/auth/verify")
    assert answer.status_code == 200
    assert answer.headers["x-auth-user"] == "root_user"
    assert answer.headers["x-auth-email"] == "root_user@example.com"
    assert answer.headers["x-auth-groups"] == "admins"
    plain, _ = enrolled("bob")
    assert plain.get("/auth/verify").headers["x-auth-groups"] == ""
    assert answer.headers["cache-control"] == "no-store"


def test_enrolment_leads_to_the_recovery_code_offer_and_the_account_shows_codes(
    world: PortalWorld,
) -> None:
    """The portal as served ships the recovery-code extension: offer after set-up, account section."""
    world.create_user("alice", permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in("alice", PASSWORD))
    answer = browser.post("/mfa/setup", {"code": world.code(browser.secret())})
    assert answer.headers["location"] == "/account/recovery-codes?offer=1"
    account = browser.get("/account")
    assert account.status_code == 200
    assert 'href="/account/recovery-codes"' in account.text


def test_setup_says_so_when_the_pool_has_no_totp(world: PortalWorld) -> None:
    world.idp.call("SetUserPoolMfaConfig", UserPoolId=world.pool_id, MfaConfiguration="OFF")
    world.create_user("alice", permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in("alice", PASSWORD))
    page = browser.post("/mfa/setup/start")  # the key is created by a POST, which finds it off
    assert page.status_code == 409
    assert "Authenticator apps are not enabled for this user pool." in page.text


def test_revoked_tokens_during_enrolment_end_the_session(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in("alice", PASSWORD))
    secret = browser.secret()
    world.idp.call("AdminUserGlobalSignOut", UserPoolId=world.pool_id, Username="alice")
    page = browser.post("/mfa/setup", {"code": world.code(secret)})
    assert page.status_code == 400
    assert "Your session has ended. Please sign in again." in page.text
    assert browser.get("/mfa/setup").headers["location"].startswith("/signin")
    assert world.mfa_settings("alice") == []
