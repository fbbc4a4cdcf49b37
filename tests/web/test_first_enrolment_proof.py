"""With the default enrolment proof (email), a first start still works: replacing the temporary
password is the proof; a support reset (password unchanged) still asks for the emailed code."""

from __future__ import annotations

from tests.support.portal import PASSWORD, TEMP_PASSWORD, PortalWorld


def test_a_new_user_enrols_right_after_replacing_the_temporary_password(
    world: PortalWorld,
) -> None:
    world.create_user("root")  # like the first admin: a temporary password handed over once
    browser = world.browser(enrolment_proof="email", mode="development")
    answer = browser.sign_in("root", TEMP_PASSWORD)
    assert answer.headers["location"] == "/signin/new-password"
    browser.get("/signin/new-password")
    done = browser.post("/signin/new-password", {"password": PASSWORD, "confirm": PASSWORD})
    assert done.headers["location"] == "/mfa/setup"
    page = browser.get("/mfa/setup")
    assert 'id="secret"' in page.text  # the key is there at once: no code to ask for
    browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    assert browser.get("/auth/verify").status_code == 200


def test_after_a_password_sign_in_alone_the_emailed_code_is_still_required(
    world: PortalWorld,
) -> None:
    world.create_user("bob", permanent=True)  # e.g. after a support reset: the password is old
    browser = world.browser(enrolment_proof="email", mode="development")
    assert browser.sign_in("bob", PASSWORD).headers["location"] == "/mfa/setup"
    page = browser.get("/mfa/setup")
    assert 'id="secret"' not in page.text
