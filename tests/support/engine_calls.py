"""Calling the engine in unit tests: IAM calls whose responses are checked against the model."""

from __future__ import annotations

from typing import Any

from mfa_portal.pool.engine import Engine
from tests.support.shapes import assert_output_shape

IAM = "test"
SMS = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "ExternalId": "x"}


def call(engine: Engine, op: str, params: dict[str, Any]) -> dict[str, Any]:
    """Call an IAM operation and check its response against botocore's output shape."""
    response = engine.call(op, params, iam_principal=IAM)
    assert_output_shape(op, response)
    return response


def create_pool(engine: Engine, **params: Any) -> dict[str, Any]:
    return dict(call(engine, "CreateUserPool", {"PoolName": "portal", **params})["UserPool"])


def totp_pool(engine: Engine, name: str = "p") -> tuple[str, str]:
    """A pool with TOTP on (MFA OPTIONAL) and one app client for USER_PASSWORD_AUTH;
    returns ``(pool_id, client_id)``."""
    pool_id = str(create_pool(engine, PoolName=name)["Id"])
    totp_on = {"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": True}}
    call(engine, "SetUserPoolMfaConfig", {"UserPoolId": pool_id, **totp_on})
    client = {
        "UserPoolId": pool_id,
        "ClientName": "c",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
    }
    made = call(engine, "CreateUserPoolClient", client)
    return pool_id, str(made["UserPoolClient"]["ClientId"])


def confirmed_user(
    engine: Engine,
    pool_id: str,
    username: str,
    password: str,
    attributes: list[dict[str, str]] | None = None,
) -> None:
    """A user made by AdminCreateUser (no invitation) whose ``password`` is already permanent."""
    created: dict[str, Any] = {
        "UserPoolId": pool_id,
        "Username": username,
        "MessageAction": "SUPPRESS",
    }
    if attributes is not None:
        created["UserAttributes"] = attributes
    call(engine, "AdminCreateUser", {**created, "TemporaryPassword": "Temp-pass-1"})
    confirmed = {"UserPoolId": pool_id, "Username": username, "Password": password}
    call(engine, "AdminSetUserPassword", {**confirmed, "Permanent": True})


def respond_to_totp(
    engine: Engine, client_id: str, session: str, code: str, *, username: str = "alice"
) -> dict[str, Any]:
    """Answer a SOFTWARE_TOKEN_MFA challenge (no shape check: racing threads call it too)."""
    return engine.call(
        "RespondToAuthChallenge",
        {
            "ClientId": client_id,
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": session,
            "ChallengeResponses": {"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
        },
    )


def pool_with_signed_in_user(
    engine: Engine, name: str, usernames: tuple[str, ...], password: str
) -> tuple[str, str, dict[str, Any]]:
    """A pool, a password-flow client and confirmed users; the first one signed in. Returns
    ``(pool_id, client_id, AuthenticationResult)``."""
    pool_id = str(create_pool(engine, PoolName=name)["Id"])
    client = {
        "UserPoolId": pool_id,
        "ClientName": "c",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }
    client_id = str(call(engine, "CreateUserPoolClient", client)["UserPoolClient"]["ClientId"])
    for username in usernames:
        confirmed_user(engine, pool_id, username, password)
    signed_in = engine.call(
        "InitiateAuth",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": usernames[0], "PASSWORD": password},
        },
    )
    return pool_id, client_id, dict(signed_in["AuthenticationResult"])
