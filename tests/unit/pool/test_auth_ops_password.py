"""InitiateAuth / AdminInitiateAuth, the password step: flows, client checks, first-factor outcomes.

Refresh is here too: it is the flow that never reaches a challenge.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from mfa_portal.pool.engine import Engine
from mfa_portal.pool.tokens import TokenUse
from tests.support.auth_world import ALL_FLOWS, SignInRig, tokens_of, totp_rig
from tests.support.cognito_errors import raises_cognito
from tests.support.pool_rig import PASSWORD

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


@pytest.mark.parametrize("flow", ["CUSTOM_AUTH", "USER_AUTH"])
def test_flows_the_embedded_pool_does_not_support(engine: Engine, flow: str) -> None:
    rig = SignInRig(engine, flows=ALL_FLOWS + ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"])
    with raises_cognito("InvalidParameterException") as err:
        rig.login("alice", flow=flow)
    assert "not supported by the embedded user pool" in err.message


def test_admin_flow_on_the_public_operation_is_refused(engine: Engine) -> None:
    rig = SignInRig(engine)
    params = {
        "ClientId": rig.client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
    }
    with raises_cognito("InvalidParameterException", "Initiate Auth method not supported."):
        engine.call("InitiateAuth", params)


def test_flow_must_be_enabled_on_the_client(engine: Engine) -> None:
    rig = SignInRig(engine, flows=["ALLOW_REFRESH_TOKEN_AUTH"])
    rig.user("alice")
    with raises_cognito(
        "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"
    ):
        rig.login("alice")
    with raises_cognito("InvalidParameterException", "Auth flow not enabled for this client"):
        rig.login("alice", flow="ADMIN_USER_PASSWORD_AUTH")
    no_refresh = SignInRig(engine, flows=["ALLOW_USER_PASSWORD_AUTH"])
    params = {
        "ClientId": no_refresh.client_id,
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": "x" * 40},
    }
    with raises_cognito("InvalidParameterException", "Auth flow not enabled for this client"):
        engine.call("InitiateAuth", params)


def test_unknown_client_and_client_of_another_pool(engine: Engine) -> None:
    rig, other = SignInRig(engine), SignInRig(engine)
    params = {
        "ClientId": "1" * 26,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"},
    }
    with raises_cognito("ResourceNotFoundException"):
        engine.call("InitiateAuth", params)
    with raises_cognito("ResourceNotFoundException"):
        rig.admin(
            "AdminInitiateAuth",
            ClientId=other.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "a", "PASSWORD": "b"},
        )


def test_missing_password_is_named(engine: Engine) -> None:
    rig = SignInRig(engine)
    params = {
        "ClientId": rig.client_id,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice"},
    }
    with raises_cognito("InvalidParameterException", "Missing required parameter PASSWORD"):
        engine.call("InitiateAuth", params)


# --- first-factor outcomes -----------------------------------------------------------------------


def test_unknown_user_legacy_and_prevent_user_existence(engine: Engine) -> None:
    legacy, hidden = SignInRig(engine), SignInRig(engine, prevent=True)
    with raises_cognito("UserNotFoundException", "User does not exist."):
        legacy.login("nobody")
    with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
        hidden.login("nobody")
    with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
        hidden.login("nobody", flow="ADMIN_USER_PASSWORD_AUTH")


def test_wrong_password_is_refused_and_counted(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice")
    with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
        rig.login("alice", "Wrong-pass-1")
    assert rig.row("alice").failed_attempts == 1  # committed although the call failed


def test_a_sign_in_writes_nothing_to_the_user_and_keeps_its_last_modified_date(
    engine: Engine,
) -> None:
    """Signing in is not a change to the user: AdminGetUser's date stays, and no UPDATE runs.
    Forgetting earlier failures is one, so a sign-in after a wrong password does write."""
    rig = SignInRig(engine)
    rig.user("alice")

    def modified() -> object:
        return rig.admin("AdminGetUser", UserPoolId=rig.pool_id, Username="alice")[
            "UserLastModifiedDate"
        ]

    created = modified()
    statements: list[str] = []
    traced = engine.db.engine_name == "sqlite"
    if traced:
        with engine.db.transaction() as conn:  # the engine's one connection on this file
            conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
    rig.clock.advance(60)
    tokens_of(rig.login("alice"))
    assert modified() == created
    if traced:
        assert any(s.startswith("INSERT INTO token_families") for s in statements)
        assert not [s for s in statements if s.startswith("UPDATE users")], statements
    with raises_cognito("NotAuthorizedException"):
        rig.login("alice", "Wrong-Pass-123!")
    rig.clock.advance(60)
    tokens_of(rig.login("alice"))
    assert rig.row("alice").failed_attempts == 0
    assert modified() != created


def test_tokens_are_signed_after_the_sign_in_has_committed(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RSA signing is the dearest step after the hash: it must not run while the sign-in holds the
    write lock. Another thread therefore already sees the new token family when each token is
    signed, which it could not before the commit."""
    rig = SignInRig(engine)
    rig.user("alice")
    committed: list[tuple[str, bool]] = []
    real_sign = engine.signer.sign

    def visible_elsewhere(origin_jti: str) -> bool:
        with engine.db.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM token_families WHERE origin_jti = ?", (origin_jti,)
            ).fetchone()
        engine.db.close()  # this thread's connection
        return row is not None

    def sign(claims: dict[str, Any], use: TokenUse) -> str:
        with ThreadPoolExecutor(1) as other:
            seen = other.submit(visible_elsewhere, claims["origin_jti"]).result(timeout=30)
        committed.append((use, seen))
        return real_sign(claims, use)

    monkeypatch.setattr(engine.signer, "sign", sign)
    tokens_of(rig.login("alice"))
    assert committed == [("access", True), ("id", True)]


@pytest.mark.parametrize("operation", ["InitiateAuth", "GetTokensFromRefreshToken"])
def test_refreshed_tokens_are_signed_without_holding_the_write_lock(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    """A refresh also signs after its transaction: while each token is signed, another thread's
    write transaction goes through (it would wait for the lock if the refresh still held it)."""
    rig = SignInRig(engine)
    rig.user("alice")
    refresh_token = tokens_of(rig.login("alice"))["RefreshToken"]
    writes: list[tuple[str, bool]] = []
    real_sign = engine.signer.sign

    def write_elsewhere() -> None:
        with engine.db.transaction() as conn:
            conn.execute("UPDATE token_families SET revoked = revoked")
        engine.db.close()  # this thread's connection

    others = ThreadPoolExecutor(2)
    blocked: list[Future[None]] = []

    def sign(claims: dict[str, Any], use: TokenUse) -> str:
        write = others.submit(write_elsewhere)
        try:
            write.result(timeout=5)
            writes.append((use, True))
        except TimeoutError:  # blocked behind our own transaction: it goes on once we commit
            writes.append((use, False))
            blocked.append(write)
        return real_sign(claims, use)

    monkeypatch.setattr(engine.signer, "sign", sign)
    if operation == "InitiateAuth":
        params = {"REFRESH_TOKEN": refresh_token}
        engine.call(
            operation,
            {"ClientId": rig.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": params},
        )
    else:
        engine.call(operation, {"ClientId": rig.client_id, "RefreshToken": refresh_token})
    for write in blocked:  # done before the engine closes its connections under them
        write.result(timeout=60)
    others.shutdown()
    assert writes == [("access", True), ("id", True)]


def test_disabled_user(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice")
    rig.admin("AdminDisableUser", Username="alice")
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        rig.login("alice")


def test_unconfirmed_user(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice")
    rig.sql("UPDATE users SET status = 'UNCONFIRMED' WHERE username = 'alice'")
    with raises_cognito("UserNotConfirmedException", "User is not confirmed."):
        rig.login("alice")


def test_reset_required_user(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice")
    rig.sql("UPDATE users SET status = 'RESET_REQUIRED' WHERE username = 'alice'")
    with raises_cognito("PasswordResetRequiredException", "Password reset required for the user"):
        rig.login("alice")


def test_expired_temporary_password(engine: Engine) -> None:
    rig = SignInRig(engine)
    rig.user("alice", permanent=False)
    rig.clock.advance(7 * 86400 + 1)  # TemporaryPasswordValidityDays defaults to 7
    with raises_cognito(
        "NotAuthorizedException",
        "Temporary password has expired and must be reset by an administrator.",
    ):
        rig.login("alice", "Temp-pass-123")


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
    with raises_cognito("InvalidParameterException", "Missing required parameter REFRESH_TOKEN"):
        engine.call("InitiateAuth", params)
    params["AuthParameters"] = {"REFRESH_TOKEN": "not-a-token"}
    with raises_cognito("NotAuthorizedException"):
        engine.call("InitiateAuth", params)
