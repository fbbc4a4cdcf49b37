"""An abandoned "Replace authenticator" must not hand the account to someone with only the password.

Amazon Cognito stops asking an OPTIONAL pool's user for TOTP while a newer AssociateSoftwareToken is
unverified (spec §3.3). The embedded pool is deliberately stricter and keeps asking; the
``CognitoSkipsTotp`` client below reproduces Cognito's documented behaviour, so the portal is shown
safe on both.
"""

from __future__ import annotations

from typing import Any

import pyotp

from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.cognito_api.secret_hash import compute_secret_hash
from mfa_portal.web import (
    routes_account,
    routes_admin,
    routes_enrol,
    routes_recovery,
    routes_signin,
)
from tests.support.portal import PASSWORD, Browser, EnrolledUser, PortalWorld

ASSOCIATE = "AssociateSoftwareToken"
READ_ONLY = ("Get", "List", "Describe", "AdminGet", "AdminList")


class Recording:
    """Remembers every Cognito operation the portal calls."""

    def __init__(self, inner: CognitoClient) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        self.calls.append(operation)
        return self.inner.call(operation, **params)

    def supports(self, operation: str) -> bool:
        return self.inner.supports(operation)


class CognitoSkipsTotp(Recording):
    """Amazon Cognito's behaviour while a new association is pending: the password alone signs in.

    The embedded pool asks for the verified token; this answers that challenge behind the portal's
    back (with the victim's authenticator, which only the test holds), so the portal receives
    tokens straight after the password, exactly as from Cognito.
    """

    def __init__(self, inner: CognitoClient, world: PortalWorld, secret: str) -> None:
        super().__init__(inner)
        self.world, self.secret, self.pending = world, secret, False

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        result = super().call(operation, **params)
        if operation == ASSOCIATE:
            self.pending = True
        password_step = (  # the password flow, or the SRP claim that ends the SRP flow
            operation == "InitiateAuth" and params.get("AuthFlow") == "USER_PASSWORD_AUTH"
        ) or (
            operation == "RespondToAuthChallenge"
            and params.get("ChallengeName") == "PASSWORD_VERIFIER"
        )
        if self.pending and password_step and result.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
            self.world.next_step()
            code = str(pyotp.TOTP(self.secret).at(self.world.clock.now()))
            username = result["ChallengeParameters"]["USER_ID_FOR_SRP"]
            client_secret = self.world.settings.client_secret
            assert client_secret is not None  # the portal's client is confidential
            result = self.inner.call(
                "RespondToAuthChallenge",
                ClientId=params["ClientId"],
                ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=result["Session"],
                ChallengeResponses={
                    "USERNAME": username,
                    "SOFTWARE_TOKEN_MFA_CODE": code,
                    "SECRET_HASH": compute_secret_hash(
                        client_secret.get_secret_value(), username, params["ClientId"]
                    ),
                },
            )
        return result


def _start_replacement(world: PortalWorld, victim: Browser, secret: str) -> None:
    """The victim re-proves password and code, gets a new key shown, and walks away."""
    world.next_step()
    answer = victim.post("/mfa/replace", {"password": PASSWORD, "code": world.code(secret)})
    assert answer.headers["location"] == "/mfa/setup"
    assert 'id="secret"' in victim.get("/mfa/setup").text


def _attacker_gets_nothing(world: PortalWorld, attacker: Browser) -> None:
    answer = attacker.follow(attacker.sign_in("alice", PASSWORD))
    assert 'id="secret"' not in answer.text
    assert attacker.get("/auth/verify").status_code == 401
    setup = attacker.get("/mfa/setup")
    assert setup.status_code == 303 and setup.headers["location"].startswith("/signin")
    started = attacker.post("/mfa/setup/start")
    assert started.status_code == 303 and started.headers["location"].startswith("/signin")
    guess = attacker.follow(attacker.post("/mfa/setup", {"code": "123456"}))
    assert 'id="secret"' not in guess.text and "Your authenticator is set up" not in guess.text
    assert attacker.get("/auth/verify").status_code == 401
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]


def test_an_abandoned_replacement_gives_a_password_only_attacker_nothing(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    victim, secret = enrolled("alice")
    _start_replacement(world, victim, secret)
    attacker = world.browser()
    _attacker_gets_nothing(world, attacker)
    # The embedded pool still asks the attacker for the victim's authenticator.
    assert attacker.last is not None and 'name="code"' in attacker.get("/signin/code").text
    # The victim's own authenticator still signs in.
    world.next_step()
    owner = world.browser()
    owner.follow(owner.sign_in("alice", PASSWORD))
    page = owner.post("/signin/code", {"code": world.code(secret)}, follow=True)
    assert page.status_code == 200 and owner.get("/auth/verify").status_code == 200


def test_when_the_pool_skips_the_code_like_cognito_the_portal_refuses_the_session(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    _, secret = enrolled("alice")
    client = CognitoSkipsTotp(world.idp, world, secret)
    app = world.app(client=client)
    victim = Browser(app)
    world.next_step()
    victim.follow(victim.sign_in("alice", PASSWORD))
    victim.post("/signin/code", {"code": world.code(secret)}, follow=True)
    _start_replacement(world, victim, secret)
    assert client.pending

    attacker = Browser(app)
    attacker.get("/signin")
    before = len(client.calls)
    answer = attacker.post("/signin", {"username": "alice", "password": PASSWORD, "next": "/"})
    assert answer.status_code == 400
    assert "sign-in did not ask for its code" in answer.text
    assert ASSOCIATE not in client.calls[before:]
    _attacker_gets_nothing(world, attacker)


def test_get_routes_change_no_security_state(world: PortalWorld, enrolled: EnrolledUser) -> None:
    """Every GET page, for a fresh password-only session and for a signed-in admin, calls only
    Cognito operations that read."""
    world.create_user("newbie", permanent=True)
    client = Recording(world.idp)
    app = world.app(client=client)
    routers = (routes_signin, routes_enrol, routes_account, routes_admin, routes_recovery)
    paths = sorted(
        {
            route.path
            for module in routers
            for route in module.router.routes
            if "GET" in getattr(route, "methods", set()) and "{" not in getattr(route, "path", "{")
        }
    )
    assert "/mfa/setup" in paths and "/mfa/replace" in paths
    fresh = Browser(app)
    fresh.sign_in("newbie", PASSWORD)  # proof "none": this POST may create the key
    admin, _ = enrolled("root", groups=("admins",))
    admin_app_browser = Browser(app)
    admin_app_browser.http.cookies = admin.http.cookies
    assert admin_app_browser.get("/auth/verify").status_code == 200
    for browser in (fresh, admin_app_browser):
        for path in paths:
            client.calls.clear()
            browser.get(path)
            changed = [op for op in client.calls if not op.startswith(READ_ONLY)]
            assert all(op == "InitiateAuth" for op in changed), (path, changed)


def test_a_set_up_key_left_alone_expires(world: PortalWorld, enrolled: EnrolledUser) -> None:
    victim, secret = enrolled("alice")
    _start_replacement(world, victim, secret)
    pending = victim.secret()
    world.clock.advance(11 * 60)
    page = victim.get("/mfa/setup")
    assert 'id="secret"' not in page.text
    answer = victim.post("/mfa/setup", {"code": world.code(pending)})
    assert answer.status_code == 303
    world.next_step()
    other = world.browser()
    other.follow(other.sign_in("alice", PASSWORD))
    page = other.post("/signin/code", {"code": world.code(pending)})
    assert page.status_code == 400, "the abandoned key never became the authenticator"
