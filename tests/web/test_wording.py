"""Pages say what is wrong and what is expected: 404, bad requests, account, new password."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from mfa_portal.cognito_api import errors
from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.web import password_policy, pool_info
from tests.support.portal import TEMP_PASSWORD, Browser, EnrolledUser, PortalWorld


def test_not_found_page_says_what_to_do(world: PortalWorld) -> None:
    page = world.browser().get("/no/such/page")
    assert page.status_code == 404
    assert "Page not found" in page.text
    assert "Check the address, or go back to the home page." in page.text
    assert "Please try again later." not in page.text


def test_account_status_label_does_not_repeat_the_heading(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    browser, _ = enrolled("alice")
    page = browser.get("/account")
    assert '<h2 id="mfa-title">Two-step sign-in</h2>' in page.text
    assert "<dt>Status</dt>" in page.text and "<dt>Two-step sign-in</dt>" not in page.text


class CountingClient:
    """Counts DescribeUserPool calls; ``deny`` answers like Cognito without the IAM permission."""

    def __init__(self, inner: CognitoClient, *, deny: bool = False) -> None:
        self.inner = inner
        self.deny = deny
        self.describes = 0

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        if operation == "DescribeUserPool":
            self.describes += 1
            if self.deny:
                raise errors.error("AccessDeniedException", "not authorized to DescribeUserPool")
        return self.inner.call(operation, **params)

    def supports(self, operation: str) -> bool:
        return self.inner.supports(operation)


def _app(world: PortalWorld, client: CognitoClient) -> FastAPI:
    return world.app(client=client)


def _new_password_page(world: PortalWorld, app: FastAPI, name: str) -> str:
    world.create_user(name)
    browser = Browser(app)
    page = browser.follow(browser.sign_in(name, TEMP_PASSWORD))
    assert "Choose a new password" in page.text
    return page.text


def test_new_password_page_states_the_pools_policy(world: PortalWorld) -> None:
    client = CountingClient(world.idp)
    app = _app(world, client)
    text = _new_password_page(world, app, "alice")
    sentence = "At least 8 characters, with an uppercase letter, a lowercase letter, a number and a symbol."
    assert f'<p class="hint" id="password-policy">{sentence}</p>' in text
    assert 'aria-describedby="password-policy"' in text
    # A stricter pool shows its own numbers once the short cache has passed.
    world.idp.call(
        "UpdateUserPool",
        UserPoolId=world.pool_id,
        Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireNumbers": True}},
        AutoVerifiedAttributes=["email"],
    )
    assert sentence in _new_password_page(world, app, "bob")
    assert client.describes == 1, "read once, then cached"
    app.state.password_policy = (0.0, None)  # the caches have expired
    app.state.portal.pool_description = None
    refused = Browser(app)
    refused.follow(refused.sign_in("bob", TEMP_PASSWORD))
    short = refused.post("/signin/new-password", {"password": "x", "confirm": "y"})
    assert "At least 12 characters, with a number." in short.text


def test_policy_sentence_is_left_out_without_permission(
    world: PortalWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = CountingClient(world.idp, deny=True)
    app = _app(world, client)
    text = _new_password_page(world, app, "alice")
    assert 'id="password-policy"' not in text and "At least" not in text
    _new_password_page(world, app, "bob")
    assert client.describes == 1, "a refusal is cached too: no call per page view"
    monkeypatch.setattr(password_policy, "CACHE_SECONDS", 0.0)
    monkeypatch.setattr(pool_info, "CACHE_SECONDS", -1.0)
    _new_password_page(world, app, "carl")
    assert client.describes > 1, "asked again once the cache has passed"


def test_policy_sentence_lists_only_the_rules_set() -> None:
    assert password_policy.describe({"MinimumLength": 6}) == "At least 6 characters."
    assert password_policy.describe({"MinimumLength": 10, "RequireSymbols": True}) == (
        "At least 10 characters, with a symbol."
    )
    assert password_policy.describe(
        {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True}
    ) == ("At least 8 characters, with an uppercase letter and a lowercase letter.")
