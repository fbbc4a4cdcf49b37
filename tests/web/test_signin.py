"""Sign-in pages and every error message a person can meet on them."""

from __future__ import annotations

import re

import pytest

from tests.support.portal import PASSWORD, TEMP_PASSWORD, Browser, EnrolledUser, PortalWorld

CodePage = tuple[Browser, str]

INCORRECT = "Incorrect username or password."


def test_sign_in_page_is_an_accessible_form(world: PortalWorld) -> None:
    page = world.browser().get("/signin")
    assert page.status_code == 200
    assert '<label for="username">' in page.text and '<label for="password">' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert 'name="csrf_token"' in page.text


def test_missing_fields_are_reported(world: PortalWorld) -> None:
    browser = world.browser()
    browser.get("/signin")
    page = browser.post("/signin", {"username": "", "password": ""})
    assert page.status_code == 400
    assert "There is a problem" in page.text
    # Each missing field is named, linked from the summary and tied to its input.
    assert '<a href="#username">Enter your username or email address.</a>' in page.text
    assert '<a href="#password">Enter your password.</a>' in page.text
    assert 'aria-describedby="username-error" aria-invalid="true"' in page.text
    assert 'aria-describedby="password-error" aria-invalid="true"' in page.text
    page = browser.post("/signin", {"username": "alice", "password": ""})
    assert "#username" not in page.text and 'value="alice"' in page.text


def test_unknown_user_and_wrong_password_look_identical(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = world.browser()
    wrong = browser.sign_in("alice", "Not-The-Password-1!")
    unknown = browser.sign_in("nobody", "Not-The-Password-1!")
    assert wrong.status_code == unknown.status_code == 400
    assert INCORRECT in wrong.text and INCORRECT in unknown.text
    strip = [page.text.replace("alice", "X").replace("nobody", "X") for page in (wrong, unknown)]
    assert strip[0].split("<main")[1] == strip[1].split("<main")[1]


def test_the_lockout_page_looks_identical_for_unknown_and_real_names(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    pages = {}
    for name in ("alice", "nobody"):
        browser = world.browser()
        for _ in range(5):
            assert INCORRECT in browser.sign_in(name, "Not-The-Password-1!").text
        pages[name] = browser.sign_in(name, "Not-The-Password-1!")
    assert pages["alice"].status_code == pages["nobody"].status_code
    assert "Too many failed attempts. Wait a few minutes" in pages["nobody"].text
    token = re.compile(r'value="[A-Za-z0-9_-]{32,}"')  # each browser has its own CSRF token
    strip = [token.sub("", pages[n].text.replace(n, "X")) for n in ("alice", "nobody")]
    assert strip[0].split("<main")[1] == strip[1].split("<main")[1]


def test_email_alias_and_any_case_sign_in(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True, email="alice@example.com")
    for name in ("ALICE", "alice@example.com"):
        answer = world.browser().sign_in(name, PASSWORD)
        assert answer.status_code == 303 and answer.headers["location"] == "/mfa/setup", name


def test_disabled_user_is_told(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    world.idp.call("AdminDisableUser", UserPoolId=world.pool_id, Username="alice")
    page = world.browser().sign_in("alice", PASSWORD)
    assert page.status_code == 400
    assert "This account is disabled." in page.text


def test_lockout_says_wait(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = world.browser()
    for _ in range(5):
        assert INCORRECT in browser.sign_in("alice", "Wrong-Password-1!").text
    page = browser.sign_in("alice", PASSWORD)
    assert "Too many failed attempts. Wait a few minutes" in page.text


def test_password_reset_required_is_explained(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    world.idp.call("AdminResetUserPassword", UserPoolId=world.pool_id, Username="alice")
    browser = world.browser()
    answer = browser.sign_in("alice", PASSWORD)
    assert answer.headers["location"] == "/password/reset?notice=required"
    page = browser.get(answer.headers["location"])
    assert "Your password must be reset" in page.text and "administrator" not in page.text


def test_new_password_errors(world: PortalWorld) -> None:
    world.create_user("alice")
    browser = world.browser()
    browser.follow(browser.sign_in("alice", TEMP_PASSWORD))
    page = browser.post("/signin/new-password", {"password": "", "confirm": ""})
    assert page.status_code == 400 and "Enter a new password." in page.text
    page = browser.post("/signin/new-password", {"password": PASSWORD, "confirm": PASSWORD + "x"})
    assert "The two passwords do not match." in page.text
    page = browser.post("/signin/new-password", {"password": "short", "confirm": "short"})
    assert page.status_code == 400
    assert "Your password does not meet the password policy:" in page.text
    assert "It is not long enough." in page.text
    page = browser.post(
        "/signin/new-password", {"password": "longenough1!", "confirm": "longenough1!"}
    )
    assert "It needs an uppercase letter." in page.text


def test_broken_password_rules_are_listed_under_the_policy_message(world: PortalWorld) -> None:
    """Every broken rule at once (checked against the pool's policy before Cognito is asked, which
    names only the first), under "does not meet the password policy:" in the summary and at the
    field, not beside it as a second error."""
    world.create_user("alice")
    browser = world.browser()
    browser.follow(browser.sign_in("alice", TEMP_PASSWORD))
    page = browser.post("/signin/new-password", {"password": "short", "confirm": "short"})
    flat = re.sub(r"\s+", " ", page.text)
    rules = (
        "<li>It is not long enough.</li><li>It needs an uppercase letter.</li>"
        "<li>It needs a number.</li><li>It needs a symbol.</li>"
    )
    assert (
        '<li><a href="#password">Your password does not meet the password policy:</a> '
        f'<ul class="rules"> {rules} </ul></li>'
    ) in flat, flat
    assert (
        f'<p>Your password does not meet the password policy:</p> <ul class="rules">{rules}</ul>'
        in flat
    )
    assert 'aria-describedby="password-policy password-error" aria-invalid="true"' in flat
    # The hidden username field lets a password manager file the new password under alice.
    assert re.search(
        r'<input type="text" name="username" value="alice" autocomplete="username" class="visually-hidden"',
        flat,
    )


def test_challenge_pages_without_a_challenge_go_to_sign_in(world: PortalWorld) -> None:
    browser = world.browser()
    for path in ("/signin/new-password", "/signin/code", "/signin/select"):
        answer = browser.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/signin", path


@pytest.fixture
def at_code_page(world: PortalWorld, enrolled: EnrolledUser) -> CodePage:
    """A fresh browser of an enrolled user, sitting on the TOTP code page."""
    _, secret = enrolled("alice")
    world.next_step()
    browser = world.browser()
    assert browser.sign_in("alice", PASSWORD).headers["location"] == "/signin/code"
    page = browser.get("/signin/code")
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    return browser, secret


def test_code_must_be_six_digits(world: PortalWorld, at_code_page: CodePage) -> None:
    browser, _ = at_code_page
    page = browser.post("/signin/code", {"code": "12ab"})
    assert page.status_code == 400 and "Enter the 6-digit code, numbers only." in page.text


def test_wrong_code_can_be_retried(world: PortalWorld, at_code_page: CodePage) -> None:
    browser, secret = at_code_page
    good = world.code(secret)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    page = browser.post("/signin/code", {"code": wrong})
    assert page.status_code == 400 and "That code is not right" in page.text
    answer = browser.post("/signin/code", {"code": good})
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_expired_challenge_says_start_again(world: PortalWorld, at_code_page: CodePage) -> None:
    browser, secret = at_code_page
    world.clock.advance(4 * 60)  # past Cognito's 3-minute AuthSessionValidity
    page = browser.post("/signin/code", {"code": world.code(secret)})
    assert page.status_code == 400
    assert "Your sign-in took too long and has expired. Please sign in again." in page.text
    assert browser.get("/signin/code").headers["location"] == "/signin"


def test_signed_in_user_skips_the_sign_in_page(world: PortalWorld, enrolled: EnrolledUser) -> None:
    browser, _ = enrolled("alice")
    answer = browser.get("/signin?next=/account")
    assert answer.status_code == 303 and answer.headers["location"] == "/account"


def test_next_is_kept_through_sign_in(world: PortalWorld, enrolled: EnrolledUser) -> None:
    _, secret = enrolled("alice")
    world.next_step()
    browser = world.browser()
    browser.follow(browser.sign_in("alice", PASSWORD, next="/account"))
    answer = browser.post("/signin/code", {"code": world.code(secret)})
    assert answer.headers["location"] == "/account"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_never_leaves_the_site(
    engine_world: PortalWorld, enrolled_engine: Browser, target: str
) -> None:
    browser = enrolled_engine
    answer = browser.get("/signin", params={"next": target})
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_sign_out_ends_the_session(world: PortalWorld, enrolled: EnrolledUser) -> None:
    browser, _ = enrolled("alice")
    page = browser.post("/signout", follow=True)
    assert "You have been signed out." in page.text
    assert browser.get("/").headers["location"].startswith("/signin")
    assert browser.get("/auth/verify").status_code == 401


def test_too_many_wrong_codes_lock_the_account(world: PortalWorld, at_code_page: CodePage) -> None:
    browser, secret = at_code_page
    wrong = f"{(int(world.code(secret)) + 1) % 1_000_000:06d}"
    seen: set[str] = set()
    for _ in range(12):
        page = browser.post("/signin/code", {"code": wrong})
        assert page.status_code == 400
        if "Too many wrong codes. Wait a few minutes" in page.text:
            break
        if "That code is not right" in page.text:
            seen.add("wrong")
        else:  # Cognito ended this challenge session: the page says so, and we start again
            assert "Please sign in again." in page.text
            seen.add("restart")
            assert browser.sign_in("alice", PASSWORD).headers["location"] == "/signin/code"
    else:
        pytest.fail("no lockout after 12 wrong codes")
    assert "wrong" in seen
    assert browser.get("/signin/code").headers["location"] == "/signin"


def test_expired_temporary_password_is_explained(world: PortalWorld) -> None:
    world.create_user("alice")
    world.clock.advance(8 * 86400)  # past the default 7-day TemporaryPasswordValidityDays
    page = world.browser().sign_in("alice", TEMP_PASSWORD)
    assert page.status_code == 400
    assert "Your temporary password has expired." in page.text
