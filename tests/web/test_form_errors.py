"""Every portal form reports its errors the same way: one summary at the top (the same partial),
each field's message beside the field, tied to it with ``aria-describedby`` and ``aria-invalid``,
and linked from the summary; password forms list every broken rule at once and carry the hidden
username field password managers need."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from markupsafe import escape

from mfa_portal.web.strings import t
from tests.support.portal import PASSWORD, TEMP_PASSWORD, Browser, PortalWorld

ALL_RULES = (
    "password.rule.length",
    "password.rule.upper",
    "password.rule.number",
    "password.rule.symbol",
)


def check_errors(page: httpx.Response, fields: dict[str, str]) -> None:
    """``fields``: field id -> message key expected at that field (and linked from the summary)."""
    html = page.text
    assert page.status_code in (400, 429)
    assert html.count('class="error-summary"') == 1
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</div>", html.index('class="error-summary"')
        )
    ]
    for name, key in fields.items():
        assert f'<a href="#{name}">{escape(t(key))}</a>' in summary, (name, key)
        assert f'id="{name}-error"' in html, name
        assert re.search(rf'id="{re.escape(name)}"[^>]*>', html), name
        tag = re.search(rf'<input id="{re.escape(name)}"[^>]*>', html)
        assert tag is not None, name
        described = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
        assert described is not None and f"{name}-error" in described.group(1).split(), tag.group(0)
        assert 'aria-invalid="true"' in tag.group(0)
    # No field outside ``fields`` is marked invalid.
    invalid = re.findall(r'<input id="([^"]+)"[^>]*aria-invalid="true"', html)
    assert sorted(invalid) == sorted(fields), invalid


def _hidden_username(page: httpx.Response) -> str:
    found = re.search(
        r'<input type="text" name="username" value="([^"]*)" autocomplete="username" '
        r'class="visually-hidden" tabindex="-1" aria-hidden="true"',
        page.text,
    )
    assert found is not None, "no hidden username field"
    return found.group(1)


def _signed_in(world: PortalWorld, username: str = "ava") -> Browser:
    world.create_user(username, permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in(username, PASSWORD))
    browser.post("/mfa/setup", {"code": world.code(browser.secret())})
    browser.get("/account")
    return browser


def test_change_password_lists_every_rule_and_names_the_fields(world: PortalWorld) -> None:
    browser = _signed_in(world)
    assert _hidden_username(browser.get("/account")) == "ava"
    page = browser.post("/account/password", {"current": "", "password": "weak", "confirm": "x"})
    check_errors(
        page,
        {
            "current": "account.password.current_missing",
            "password": "password.policy",
            "confirm": "newpw.mismatch",
        },
    )
    for rule in ALL_RULES:
        assert page.text.count(t(rule)) == 2  # in the summary and at the field
    page = browser.post(
        "/account/password",
        {
            "current": "Wrong-Pass-1!",
            "password": "Battery-Staple-7?",
            "confirm": "Battery-Staple-7?",
        },
    )
    check_errors(page, {"current": "account.password.wrong"})


def test_new_password_without_a_password(world: PortalWorld) -> None:
    world.create_user("bo")
    browser = world.browser()
    browser.follow(browser.sign_in("bo", TEMP_PASSWORD))
    check_errors(
        browser.post("/signin/new-password", {"password": "", "confirm": ""}),
        {"password": "newpw.missing"},
    )
    # The policy is met but the confirmation differs: only the confirmation is wrong.
    page = browser.post("/signin/new-password", {"password": "Battery-Staple-7?", "confirm": "x"})
    check_errors(page, {"confirm": "newpw.mismatch"})
    assert _hidden_username(page) == "bo"


def _open_sign_up(world: PortalWorld) -> None:
    world.idp.call(
        "UpdateUserPool",
        UserPoolId=world.pool_id,
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": False},
    )


def test_sign_up_names_every_field_and_rule_before_asking_cognito(world: PortalWorld) -> None:
    _open_sign_up(world)
    browser = world.browser()
    browser.get("/signup")
    page = browser.post(
        "/signup", {"username": "", "email": "", "password": "abc", "confirm": "abc"}
    )
    check_errors(
        page,
        {
            "username": "signup.username_missing",
            "email": "signup.email_missing",
            "password": "password.policy",
        },
    )
    for rule in ALL_RULES:
        assert t(rule) in page.text
    assert 'id="password-policy"' in page.text
    world.create_user("taken", permanent=True)
    page = browser.post(
        "/signup",
        {"username": "taken", "email": "t@example.com", "password": PASSWORD, "confirm": PASSWORD},
    )
    check_errors(page, {"username": "signup.taken"})


def test_the_set_up_page_ties_its_errors_to_the_code_and_the_device_name(
    world: PortalWorld,
) -> None:
    world.create_user("cy", permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in("cy", PASSWORD))
    check_errors(browser.post("/mfa/setup", {"code": "12"}), {"code": "code.format"})
    check_errors(
        browser.post("/mfa/setup", {"code": "123456", "device_name": "a\u202eb"}),
        {"device_name": "setup.device_invalid"},
    )
    world.next_step()
    wrong = f"{(int(world.code(browser.secret())) + 1) % 10**6:06d}"
    check_errors(browser.post("/mfa/setup", {"code": wrong}), {"code": "setup.wrong"})


def test_the_email_change_ties_its_errors_to_its_fields(world: PortalWorld) -> None:
    browser = _signed_in(world, "di")
    check_errors(
        browser.post("/account/email", {"email": ""}), {"new-email": "account.email.missing"}
    )


@pytest.mark.parametrize(
    ("path", "form", "fields"),
    [
        ("/signin", {"username": "", "password": "x"}, {"username": "signin.username_missing"}),
        ("/password/forgot", {"username": ""}, {"username": "reset.username_missing"}),
    ],
)
def test_anonymous_forms(
    world: PortalWorld, path: str, form: dict[str, str], fields: dict[str, str]
) -> None:
    browser = world.browser()
    browser.get(path)
    check_errors(browser.post(path, form), fields)


def test_the_recover_page_uses_the_one_summary(world: PortalWorld) -> None:
    browser = world.browser()
    browser.get("/recover")
    page = browser.post("/recover", {"username": "x", "password": "", "code": ""})
    assert page.status_code == 400
    assert page.text.count('class="error-summary"') == 1
    assert t("recovery.recover.missing") in page.text
    assert 'aria-describedby="code-hint error-summary-list"' in page.text


def test_the_replace_page_has_the_hidden_username(world: PortalWorld) -> None:
    browser = _signed_in(world, "ed")
    page: Callable[[], httpx.Response] = lambda: browser.get("/mfa/replace")  # noqa: E731
    assert _hidden_username(page()) == "ed"
    refused = browser.post("/mfa/replace", {"password": "Wrong-Pass-1!", "code": "123456"})
    assert refused.status_code == 400 and refused.text.count('class="error-summary"') == 1
    assert _hidden_username(refused) == "ed"
