"""SECRET_HASH (spec §4.2): the formula, and where clients with a secret must send it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api.secret_hash import compute_secret_hash
from mfa_portal.pool import totp
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import AppClient, load_pool, save_pool
from mfa_portal.pool.secret_hash import check_secret_hash
from mfa_portal.pool.users import find_user
from tests.support.cognito_errors import raises_cognito
from tests.support.engine_calls import confirmed_user

CLIENT_ID = "3n4b5urk1ft4fl3mg5e62d9ado"
SECRET = "c6ffu8ai7alq7nmuc9tcfb6ld5vkvdj7fbo7kd16ikp2s7rs4a8"
# Computed independently: printf '%s' "alice$CLIENT_ID" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
ALICE_HASH = "/ritxPEcnP8HfYw6UAsdw5MlIYAIjA3thh8i8nlr1Qg="
IAM = "test"
PASSWORD = "Passw0rd!x"


NOT_RECEIVED = re.compile("secret was not received")
UNVERIFIED = re.compile("Unable to verify secret hash")


def client(secret: str | None = SECRET) -> AppClient:
    return AppClient(CLIENT_ID, "us-east-1_x", "c", secret, {}, 0, 0)


def test_formula_matches_openssl() -> None:
    assert compute_secret_hash(SECRET, "alice", CLIENT_ID) == ALICE_HASH


def test_check_accepts_any_listed_username_and_ignores_public_clients() -> None:
    check_secret_hash(client(), ["bob", "alice"], ALICE_HASH)
    check_secret_hash(client(None), ["alice"], None)


@pytest.mark.parametrize(
    ("provided", "message"),
    [
        (None, f"Client {CLIENT_ID} is configured for secret but secret was not received"),
        ("", f"Client {CLIENT_ID} is configured for secret but secret was not received"),
        (ALICE_HASH[:-2] + "A=", f"Unable to verify secret hash for client {CLIENT_ID}"),
    ],
)
def test_check_refuses_missing_or_wrong_hash(provided: str | None, message: str) -> None:
    with raises_cognito("NotAuthorizedException", message) as err:
        check_secret_hash(client(), ["alice"], provided)
    assert provided is None or provided == "" or provided not in err.message


def test_hash_over_another_username_is_refused() -> None:
    unverified = f"Unable to verify secret hash for client {CLIENT_ID}"
    with raises_cognito("NotAuthorizedException", unverified):
        check_secret_hash(client(), ["bob"], ALICE_HASH)


# --- through the engine -------------------------------------------------------------------------


class SecretRig:
    def __init__(self, engine: Engine, mfa: str = "OFF") -> None:
        self.engine = engine
        self.pool_id = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal=IAM)[
            "UserPool"
        ]["Id"]
        with engine.db.transaction() as conn:
            pool = load_pool(conn, self.pool_id)
            pool.mfa = {"MfaConfiguration": mfa, "SoftwareTokenMfaConfiguration": {"Enabled": True}}
            save_pool(conn, pool)
        made = engine.call(
            "CreateUserPoolClient",
            {
                "UserPoolId": self.pool_id,
                "ClientName": "c",
                "GenerateSecret": True,
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            },
            iam_principal=IAM,
        )["UserPoolClient"]
        self.client_id, self.secret = made["ClientId"], made["ClientSecret"]
        confirmed_user(engine, self.pool_id, "alice", PASSWORD)

    def hash(self, name: str) -> str:
        return compute_secret_hash(self.secret, name, self.client_id)

    def call(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, {"ClientId": self.client_id, **params})

    def login(self, **extra: str) -> dict[str, Any]:
        return self.call(
            "InitiateAuth",
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD, **extra},
        )


def test_password_sign_in_needs_the_hash(engine: Engine) -> None:
    rig = SecretRig(engine)
    missing = f"Client {rig.client_id} is configured for secret but secret was not received"
    with raises_cognito("NotAuthorizedException", missing):
        rig.login()
    unverified = f"Unable to verify secret hash for client {rig.client_id}"
    with raises_cognito("NotAuthorizedException", unverified):
        rig.login(SECRET_HASH=rig.hash("bob"))
    assert "AuthenticationResult" in rig.login(SECRET_HASH=rig.hash("alice"))


def test_every_challenge_response_needs_the_hash(engine: Engine, clock: FakeClock) -> None:
    rig = SecretRig(engine, mfa="OPTIONAL")
    with engine.db.transaction() as conn:
        user = find_user(conn, load_pool(conn, rig.pool_id), "alice")
        assert user is not None
        ctx = Context(engine, engine.clock.now(), None)
        secret = totp.start_association(ctx, conn, user.id)
        totp.verify_association(ctx, conn, user, totp.code_at(secret, totp.step_at(ctx.now)), "p")
        conn.execute("UPDATE users SET mfa_enabled = '[\"SOFTWARE_TOKEN_MFA\"]'")
    clock.advance(30)
    session = rig.login(SECRET_HASH=rig.hash("alice"))["Session"]
    code = totp.code_at(secret, totp.step_at(engine.clock.now()))

    def answer(**extra: str) -> dict[str, Any]:
        return rig.call(
            "RespondToAuthChallenge",
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code, **extra},
        )

    with raises_cognito("NotAuthorizedException", NOT_RECEIVED):
        answer()
    with raises_cognito("NotAuthorizedException", UNVERIFIED):
        answer(SECRET_HASH=rig.hash("mallory"))
    result = answer(SECRET_HASH=rig.hash("alice"))
    refresh = result["AuthenticationResult"]["RefreshToken"]

    def renew(**extra: str) -> dict[str, Any]:
        return rig.call(
            "InitiateAuth",
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh, **extra},
        )

    with raises_cognito("NotAuthorizedException", NOT_RECEIVED):
        renew()
    with raises_cognito("NotAuthorizedException", UNVERIFIED):
        renew(SECRET_HASH=rig.hash("mallory"))
    assert "AccessToken" in renew(SECRET_HASH=rig.hash("alice"))["AuthenticationResult"]
    assert "AccessToken" in renew(SECRET_HASH=rig.hash(user.sub))["AuthenticationResult"]
