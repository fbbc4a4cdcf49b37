"""InitiateAuth / AdminInitiateAuth, the password step: flows, client checks, first-factor outcomes.

Refresh is here too: it is the flow that never reaches a challenge.
"""

from __future__ import annotations

import pytest

from mfa_portal.pool.engine import Engine
from tests.support.auth_world import ALL_FLOWS, SignInRig, tokens_of, totp_rig
from tests.support.pool_rig import PASSWORD, fails

# --- flows and client checks ---------------------------------------------------------------------


def test_password_sign_in_in_an_off_pool_returns_tokens(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice")
    auth = tokens_of(rig.login("alice"))
    assert auth["TokenType"] == "Bearer"


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flows(engine: Engine, flow: str) -> None:
    rig = SignInRig(engine)
    rig.user("alice")
    tokens_of(rig.login("alice", flow=flow))


@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH"])
def test_flows_the_embedded_pool_does_not_support(engine: Engine, flow: str) -> None:
    rig = SignInRig(engine, flows=ALL_FLOWS + ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"])
    err = fails(lambda: rig.login("alice", flow=flow), "InvalidParameterException")
    assert "not supported by the embedded user pool" in err.message


def test_admin_flow_on_the_public_operation_is_refused(engine: Engine) -> None:
    rig = SignInRig(engine)
    params = {
        "ClientId": rig.client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
    }
    fails(
        lambda: engine.call("InitiateAuth", params),
        "InvalidParameterException",
        "Initiate Auth method not supported.",
    )


def test_flow_must_be_enabled_on_the_client(engine: Engine) -> None:
    rig = SignInRig(engine, flows=["ALLOW_REFRESH_TOKEN_AUTH"])
    rig.user("alice")
    fails(
        lambda: rig.login("alice"),
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )
    fails(
        lambda: rig.login("alice", flow="ADMIN_USER_PASSWORD_AUTH"),
        "InvalidParameterException",
        "Auth flow not enabled for this client",
    )
    no_refresh = SignInRig(engine, flows=["ALLOW_USER_PASSWORD_AUTH"])
    params = {
        "ClientId": no_refresh.client_id,
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": "x" * 40},
    }
    fails(
        lambda: engine.call("InitiateAuth", params),
        "InvalidParameterException",
        "Auth flow not enabled for this client",
    )


def test_unknown_client_and_client_of_another_pool(engine: Engine) -> None:
    rig, other = SignInRig(engine), SignInRig(engine)
    params = {
        "ClientId": "1" * 26,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"},
    }
    fails(lambda: engine.call("InitiateAuth", params), "ResourceNotFoundException")
    fails(
        lambda: rig.admin(
            "AdminInitiateAuth",
            ClientId=other.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "a", "PASSWORD": "b"},
        ),
        "ResourceNotFoundException",
    )


def test_missing_password_is_named(engine: Engine) -> None:
    rig = SignInRig(engine)
    params = {
        "ClientId": rig.client_id,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice"},
    }
    fails(
        lambda: engine.call("InitiateAuth", params),
        "InvalidParameterException",
        "Missing required parameter PASSWORD",
    )


# --- first-factor outcomes -----------------------------------------------------------------------


def test_unknown_user_legacy_and_prevent_user_existence(engine: Engine) -> None:
    legacy, hidden = SignInRig(engine), SignInRig(engine, prevent=True)
    fails(lambda: legacy.login("nobody"), "UserNotFoundException", "User does not exist.")
    fails(
        lambda: hidden.login("nobody"), "NotAuthorizedException", "Incorrect username or password."
    )
    fails(
        lambda: hidden.login("nobody", flow="ADMIN_USER_PASSWORD_AUTH"),
        "NotAuthorizedException",
        "Incorrect username or password.",
    )


def test_wrong_password_is_refused_and_counted(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice")
    fails(
        lambda: rig.login("alice", "Wrong-pass-1"),
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    assert rig.row("alice").failed_attempts == 1  # committed although the call failed


def test_disabled_user(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice")
    rig.admin("AdminDisableUser", Username="alice")
    fails(lambda: rig.login("alice"), "NotAuthorizedException", "User is disabled.")


def test_unconfirmed_user(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice")
    rig.sql("UPDATE users SET status = 'UNCONFIRMED' WHERE username = 'alice'")
    fails(lambda: rig.login("alice"), "UserNotConfirmedException", "User is not confirmed.")


def test_reset_required_user(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice")
    rig.sql("UPDATE users SET status = 'RESET_REQUIRED' WHERE username = 'alice'")
    fails(
        lambda: rig.login("alice"),
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )


def test_expired_temporary_password(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice", permanent=False)
    rig.clock.advance(7 * 86400 + 1)  # TemporaryPasswordValidityDays defaults to 7
    fails(
        lambda: rig.login("alice", "Temp-pass-123"),
        "NotAuthorizedException",
        "Temporary password has expired and must be reset by an administrator.",
    )


# --- refresh --------------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"])
def test_refresh_does_not_trigger_mfa(engine: Engine, flow: str) -> None:
    rig, secret = totp_rig(engine, mfa="ON")
    challenge = rig.login("alice")
    refresh = tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            challenge["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )["RefreshToken"]
    result = engine.call(
        "InitiateAuth",
        {"ClientId": rig.client_id, "AuthFlow": flow, "AuthParameters": {"REFRESH_TOKEN": refresh}},
    )
    assert "AccessToken" in result["AuthenticationResult"]
    admin = rig.admin(
        "AdminInitiateAuth",
        ClientId=rig.client_id,
        AuthFlow=flow,
        AuthParameters={"REFRESH_TOKEN": refresh},
    )
    assert "IdToken" in admin["AuthenticationResult"]


def test_refresh_requires_the_token(engine: Engine) -> None:
    rig = SignInRig(engine)
    params = {"ClientId": rig.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {}}
    fails(
        lambda: engine.call("InitiateAuth", params),
        "InvalidParameterException",
        "Missing required parameter REFRESH_TOKEN",
    )
    params["AuthParameters"] = {"REFRESH_TOKEN": "not-a-token"}
    fails(lambda: engine.call("InitiateAuth", params), "NotAuthorizedException")
