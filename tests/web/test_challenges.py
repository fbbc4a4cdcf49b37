"""Pools in ON mode (MFA_SETUP with the Session chain) and users with a choice of factors."""

from __future__ import annotations

from dataclasses import replace

from mfa_portal.cognito_api.id_tokens import IdTokenVerifier
from mfa_portal.settings import Settings
from mfa_portal.wiring.backend import engine_verifier
from tests.support.portal import PASSWORD, TEMP_PASSWORD, PortalWorld, enrol


def _pool_on(world: PortalWorld) -> None:
    world.idp.call(
        "SetUserPoolMfaConfig",
        UserPoolId=world.pool_id,
        MfaConfiguration="ON",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )


def test_on_pool_sets_up_through_the_mfa_setup_challenge(world: PortalWorld) -> None:
    _pool_on(world)
    world.create_user("erin")
    browser = world.browser()
    assert browser.sign_in("erin", TEMP_PASSWORD).headers["location"] == "/signin/new-password"
    browser.get("/signin/new-password")
    answer = browser.post("/signin/new-password", {"password": PASSWORD, "confirm": PASSWORD})
    assert answer.headers["location"] == "/mfa/setup"
    page = browser.get("/mfa/setup")
    assert "Set up your authenticator" in page.text
    secret = browser.secret()
    assert browser.get("/").headers["location"].startswith("/signin"), "no tokens yet"

    wrong = f"{(int(world.code(secret)) + 1) % 1_000_000:06d}"
    page = browser.post("/mfa/setup", {"code": wrong})
    assert page.status_code == 400 and "That code did not match." in page.text

    answer = browser.post("/mfa/setup", {"code": world.code(secret), "device_name": "phone"})
    assert answer.status_code == 303
    if answer.headers["location"] == "/signin/code":  # Cognito asked for a code after setup
        world.next_step()
        answer = browser.post("/signin/code", {"code": world.code(secret)})
        assert answer.headers["location"] in ("/", "/account/recovery-codes?offer=1")
    else:
        assert answer.headers["location"] == "/account/recovery-codes?offer=1"
    assert browser.get("/auth/verify").status_code == 200
    assert world.mfa_settings("erin") == ["SOFTWARE_TOKEN_MFA"]

    world.next_step()
    again = world.browser()
    assert again.sign_in("erin", PASSWORD).headers["location"] == "/signin/code"


def test_expired_mfa_setup_session_says_start_again(world: PortalWorld) -> None:
    _pool_on(world)
    world.create_user("erin", permanent=True)
    browser = world.browser()
    assert browser.sign_in("erin", PASSWORD).headers["location"] == "/mfa/setup"
    browser.get("/mfa/setup")
    secret = browser.secret()
    world.clock.advance(4 * 60)
    page = browser.post("/mfa/setup", {"code": world.code(secret)})
    assert page.status_code == 400
    assert "Your sign-in took too long and has expired." in page.text


def test_select_mfa_type_offers_the_user_a_choice(engine_world: PortalWorld) -> None:
    base = engine_world
    pool_id = base.idp.call(
        "CreateUserPool",
        PoolName="with-email",
        UsernameConfiguration={"CaseSensitive": False},
        EmailConfiguration={
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
            "From": "portal@example.com",
        },
    )["UserPool"]["Id"]
    base.idp.call(
        "SetUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Code"},
    )
    client_id = base.idp.call(
        "CreateUserPoolClient",
        UserPoolId=pool_id,
        ClientName="portal",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    assert isinstance(base.verifier, IdTokenVerifier)
    engine = base.idp._engine  # type: ignore[attr-defined]
    world = replace(
        base,
        pool_id=pool_id,
        client_id=client_id,
        settings=Settings.model_validate(
            {**base.settings.model_dump(), "user_pool_id": pool_id, "client_id": client_id}
        ),
        verifier=engine_verifier(engine, pool_id=pool_id, client_id=client_id),
    )
    browser, secret = enrol(world, "fay")
    world.idp.call(
        "AdminSetUserMFAPreference",
        UserPoolId=pool_id,
        Username="fay",
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False},
        EmailMfaSettings={"Enabled": True, "PreferredMfa": False},
    )
    world.next_step()
    other = world.browser()
    answer = other.sign_in("fay", PASSWORD)
    assert answer.headers["location"] == "/signin/select"
    page = other.get("/signin/select")
    assert "Authenticator app" in page.text and "Code by email" in page.text
    page = other.post("/signin/select", {"answer": "SMS_MFA"})
    assert page.status_code == 400 and "Choose a verification method." in page.text
    answer = other.post("/signin/select", {"answer": "SOFTWARE_TOKEN_MFA"})
    assert answer.headers["location"] == "/signin/code"
    other.get("/signin/code")
    answer = other.post("/signin/code", {"code": world.code(secret)})
    assert answer.headers["location"] == "/"
    assert other.get("/auth/verify").status_code == 200

    # Choosing email: the code page says where the code went.
    world.next_step()
    third = world.browser()
    third.sign_in("fay", PASSWORD)
    third.get("/signin/select")
    assert third.post("/signin/select", {"answer": "EMAIL_OTP"}).headers["location"] == (
        "/signin/code"
    )
    page = third.get("/signin/code")
    assert "We sent a code to" in page.text
