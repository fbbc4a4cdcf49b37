"""InitiateAuth / AdminInitiateAuth / (Admin)RespondToAuthChallenge against the embedded engine."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from mfa_portal.pool import totp
from mfa_portal.pool.clock import FakeClock
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.errors import CognitoError
from mfa_portal.pool.pools import load_pool, save_pool
from mfa_portal.pool.users import User, find_user

IAM = "test"
PASSWORD = "Passw0rd!x"
ALL_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]
INVALID = "Invalid session for the user."


class Rig:
    """One pool and app client made through the Cognito API, plus shortcuts for sign-in calls."""

    def __init__(
        self,
        engine: Engine,
        *,
        mfa: str = "OFF",
        totp_enabled: bool = True,
        email_mfa: bool = False,
        flows: list[str] | None = None,
        secret: bool = False,
        prevent: bool = False,
        session_minutes: int = 3,
        recovery: list[str] | None = None,
    ) -> None:
        self.engine = engine
        pool: dict[str, Any] = {"PoolName": "p"}
        if recovery is not None:
            pool["AccountRecoverySetting"] = {
                "RecoveryMechanisms": [
                    {"Name": name, "Priority": i + 1} for i, name in enumerate(recovery)
                ]
            }
        self.pool_id = engine.call("CreateUserPool", pool, iam_principal=IAM)["UserPool"]["Id"]
        self.set_mfa(mfa, totp_enabled=totp_enabled, email_mfa=email_mfa)
        client: dict[str, Any] = {
            "UserPoolId": self.pool_id,
            "ClientName": "c",
            "GenerateSecret": secret,
            "ExplicitAuthFlows": ALL_FLOWS if flows is None else flows,
            "AuthSessionValidity": session_minutes,
            "PreventUserExistenceErrors": "ENABLED" if prevent else "LEGACY",
        }
        made = engine.call("CreateUserPoolClient", client, iam_principal=IAM)["UserPoolClient"]
        self.client_id: str = made["ClientId"]
        self.secret: str | None = made.get("ClientSecret")

    @property
    def clock(self) -> FakeClock:
        assert isinstance(self.engine.clock, FakeClock)
        return self.engine.clock

    def set_mfa(self, mode: str, *, totp_enabled: bool = True, email_mfa: bool = False) -> None:
        """Written directly: the pool's stored SetUserPoolMfaConfig document."""
        doc: dict[str, Any] = {"MfaConfiguration": mode}
        if mode != "OFF":
            doc["SoftwareTokenMfaConfiguration"] = {"Enabled": totp_enabled}
            if email_mfa:
                doc["EmailMfaConfiguration"] = {"Message": "Your code is {####}", "Subject": "Code"}
        with self.engine.db.transaction() as conn:
            pool = load_pool(conn, self.pool_id)
            pool.mfa = doc
            save_pool(conn, pool)

    def user(
        self, name: str, *, email: str | None = None, verified: bool = False, permanent: bool = True
    ) -> None:
        attrs = [] if email is None else [{"Name": "email", "Value": email}]
        if verified:
            attrs.append({"Name": "email_verified", "Value": "true"})
        self.admin(
            "AdminCreateUser",
            Username=name,
            UserAttributes=attrs,
            MessageAction="SUPPRESS",
            TemporaryPassword="Temp-pass-123",
        )
        if permanent:
            self.admin("AdminSetUserPassword", Username=name, Password=PASSWORD, Permanent=True)

    def admin(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, {"UserPoolId": self.pool_id, **params}, iam_principal=IAM)

    def sql(self, statement: str, *args: Any) -> None:
        with self.engine.db.transaction() as conn:
            conn.execute(statement, args)

    def row(self, name: str) -> User:
        with self.engine.db.read() as conn:
            pool = load_pool(conn, self.pool_id)
            found = find_user(conn, pool, name)
        assert found is not None
        return found

    def login(
        self, name: str, password: str = PASSWORD, *, flow: str = "USER_PASSWORD_AUTH", **extra: str
    ) -> dict[str, Any]:
        params = {"USERNAME": name, "PASSWORD": password, **extra}
        if flow.startswith("ADMIN"):
            return self.admin(
                "AdminInitiateAuth", ClientId=self.client_id, AuthFlow=flow, AuthParameters=params
            )
        return self.engine.call(
            "InitiateAuth", {"ClientId": self.client_id, "AuthFlow": flow, "AuthParameters": params}
        )

    def respond(
        self, challenge: str, session: str | None, client_id: str | None = None, **responses: str
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "ClientId": client_id or self.client_id,
            "ChallengeName": challenge,
            "ChallengeResponses": responses,
        }
        if session is not None:
            params["Session"] = session
        return self.engine.call("RespondToAuthChallenge", params)

    def enrol_totp(self, name: str, *, prefer: bool = True) -> str:
        """Associate + verify a token for ``name``, activate it; step past the enrolment code."""
        user = self.row(name)
        ctx = Context(self.engine, self.clock.now(), None)
        with self.engine.db.transaction() as conn:
            secret = totp.start_association(ctx, conn, user.id)
            code = totp.code_at(secret, totp.step_at(ctx.now))
            assert totp.verify_association(ctx, conn, user, code, "phone") is totp.Verdict.ACCEPTED
        self.activate(name, ["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA" if prefer else None)
        self.clock.advance(30)
        return secret

    def activate(self, name: str, factors: list[str], preferred: str | None) -> None:
        self.sql(
            "UPDATE users SET mfa_enabled = ?, preferred_mfa = ? WHERE username = ?",
            json.dumps(factors),
            preferred,
            name,
        )

    def code(self, secret: str) -> str:
        return totp.code_at(secret, totp.step_at(self.clock.now()))


def fails(call: Any, code: str, message: str | None = None) -> CognitoError:
    with pytest.raises(CognitoError) as caught:
        call()
    assert caught.value.code == code, caught.value
    if message is not None:
        assert caught.value.message == message
    return caught.value


def tokens_of(result: dict[str, Any]) -> dict[str, Any]:
    assert result["ChallengeParameters"] == {}
    auth: dict[str, Any] = result["AuthenticationResult"]
    assert {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"} <= set(auth)
    return auth


# --- flows and client checks ---------------------------------------------------------------------


def test_password_sign_in_in_an_off_pool_returns_tokens(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice")
    auth = tokens_of(rig.login("alice"))
    assert auth["TokenType"] == "Bearer"


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flows(engine: Engine, flow: str) -> None:
    rig = Rig(engine)
    rig.user("alice")
    tokens_of(rig.login("alice", flow=flow))


@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH"])
def test_flows_the_embedded_pool_does_not_support(engine: Engine, flow: str) -> None:
    rig = Rig(engine, flows=ALL_FLOWS + ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"])
    err = fails(lambda: rig.login("alice", flow=flow), "InvalidParameterException")
    assert "not supported by the embedded user pool" in err.message


def test_admin_flow_on_the_public_operation_is_refused(engine: Engine) -> None:
    rig = Rig(engine)
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
    rig = Rig(engine, flows=["ALLOW_REFRESH_TOKEN_AUTH"])
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
    no_refresh = Rig(engine, flows=["ALLOW_USER_PASSWORD_AUTH"])
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
    rig, other = Rig(engine), Rig(engine)
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
    rig = Rig(engine)
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
    legacy, hidden = Rig(engine), Rig(engine, prevent=True)
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
    rig = Rig(engine)
    rig.user("alice")
    fails(
        lambda: rig.login("alice", "Wrong-pass-1"),
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    assert rig.row("alice").failed_attempts == 1  # committed although the call failed


def test_disabled_user(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice")
    rig.admin("AdminDisableUser", Username="alice")
    fails(lambda: rig.login("alice"), "NotAuthorizedException", "User is disabled.")


def test_unconfirmed_user(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice")
    rig.sql("UPDATE users SET status = 'UNCONFIRMED' WHERE username = 'alice'")
    fails(lambda: rig.login("alice"), "UserNotConfirmedException", "User is not confirmed.")


def test_reset_required_user(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice")
    rig.sql("UPDATE users SET status = 'RESET_REQUIRED' WHERE username = 'alice'")
    fails(
        lambda: rig.login("alice"),
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )


def test_expired_temporary_password(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", permanent=False)
    rig.clock.advance(7 * 86400 + 1)  # TemporaryPasswordValidityDays defaults to 7
    fails(
        lambda: rig.login("alice", "Temp-pass-123"),
        "NotAuthorizedException",
        "Temporary password has expired and must be reset by an administrator.",
    )


def test_new_password_required_then_tokens(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com", permanent=False)
    first = rig.login("alice", "Temp-pass-123")
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    params = first["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "alice"
    assert params["requiredAttributes"] == "[]"
    assert json.loads(params["userAttributes"]) == {"email": "alice@example.com"}
    fails(
        lambda: rig.respond(
            "NEW_PASSWORD_REQUIRED", first["Session"], USERNAME="alice", NEW_PASSWORD="short"
        ),
        "InvalidPasswordException",
    )
    tokens_of(
        rig.respond(
            "NEW_PASSWORD_REQUIRED",
            first["Session"],
            USERNAME="alice",
            NEW_PASSWORD="Brand-new-pass-1",
        )
    )
    assert rig.row("alice").status == "CONFIRMED"
    fails(lambda: rig.login("alice", "Temp-pass-123"), "NotAuthorizedException")
    tokens_of(rig.login("alice", "Brand-new-pass-1"))


def test_new_password_required_refuses_attribute_updates(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", permanent=False)
    first = rig.login("alice", "Temp-pass-123")
    responses = {
        "USERNAME": "alice",
        "NEW_PASSWORD": "Brand-new-pass-1",
        "userAttributes.name": "Alice",
    }
    fails(
        lambda: rig.respond("NEW_PASSWORD_REQUIRED", first["Session"], **responses),
        "InvalidParameterException",
    )


def test_on_pool_new_password_then_mfa_setup_then_tokens(engine: Engine) -> None:
    """Spec §4.4 step 7 and 8: NEW_PASSWORD_REQUIRED → MFA_SETUP → Associate → Verify → tokens."""
    rig = Rig(engine, mfa="ON")
    rig.user("alice", permanent=False)
    first = rig.login("alice", "Temp-pass-123")
    setup = rig.respond(
        "NEW_PASSWORD_REQUIRED", first["Session"], USERNAME="alice", NEW_PASSWORD="Brand-new-pass-1"
    )
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert setup["ChallengeParameters"]["MFAS_CAN_SETUP"] == '["SOFTWARE_TOKEN_MFA"]'
    # The MFA_SETUP session itself cannot complete the challenge.
    fails(
        lambda: rig.respond("MFA_SETUP", setup["Session"], USERNAME="alice"),
        "NotAuthorizedException",
        INVALID,
    )
    assoc = engine.call("AssociateSoftwareToken", {"Session": setup["Session"]})
    verified = engine.call(
        "VerifySoftwareToken",
        {
            "Session": assoc["Session"],
            "UserCode": rig.code(assoc["SecretCode"]),
            "FriendlyDeviceName": "phone",
        },
    )
    fails(
        lambda: rig.respond("MFA_SETUP", assoc["Session"], USERNAME="alice"),
        "NotAuthorizedException",
        INVALID,
    )  # only Verify's session completes MFA_SETUP
    tokens_of(rig.respond("MFA_SETUP", verified["Session"], USERNAME="alice"))
    fails(
        lambda: rig.respond("MFA_SETUP", verified["Session"], USERNAME="alice"),
        "NotAuthorizedException",
        INVALID,
    )  # spent
    rig.clock.advance(30)
    again = rig.login("alice", "Brand-new-pass-1")
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_on_pool_without_a_factor_gets_mfa_setup_after_the_password(engine: Engine) -> None:
    rig = Rig(engine, mfa="ON")
    rig.user("alice", email="alice@example.com", verified=True)
    setup = rig.login("alice")
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]


def test_on_pool_email_only_recovery_channel_has_no_method(engine: Engine) -> None:
    rig = Rig(engine, mfa="ON", totp_enabled=False, email_mfa=True, recovery=["verified_email"])
    rig.user("alice", email="alice@example.com", verified=True)
    fails(lambda: rig.login("alice"), "MFAMethodNotFoundException")


# --- SOFTWARE_TOKEN_MFA ---------------------------------------------------------------------------


def totp_rig(engine: Engine, mfa: str = "OPTIONAL", **kw: Any) -> tuple[Rig, str]:
    rig = Rig(engine, mfa=mfa, **kw)
    rig.user("alice", email="alice@example.com")
    return rig, rig.enrol_totp("alice")


def test_software_token_challenge_and_answer(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    challenge = rig.login("alice")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"] == {
        "FRIENDLY_DEVICE_NAME": "phone",
        "USER_ID_FOR_SRP": "alice",
    }
    assert 20 <= len(challenge["Session"]) <= 4096
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            challenge["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )


def test_admin_respond_completes_the_challenge(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    challenge = rig.login("alice", flow="ADMIN_USER_PASSWORD_AUTH")
    result = rig.admin(
        "AdminRespondToAuthChallenge",
        ClientId=rig.client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": rig.code(secret)},
    )
    tokens_of(result)


def test_wrong_code_keeps_the_session_for_a_retry(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    fails(
        lambda: rig.respond(
            "SOFTWARE_TOKEN_MFA", session, USERNAME="alice", SOFTWARE_TOKEN_MFA_CODE="000000"
        ),
        "CodeMismatchException",
        "Invalid code or auth state for the user.",
    )
    assert rig.row("alice").failed_attempts == 1
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )
    assert rig.row("alice").failed_attempts == 0  # a completed sign-in resets the lockout


def test_three_wrong_codes_end_the_session(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    for _ in range(3):
        fails(
            lambda: rig.respond(
                "SOFTWARE_TOKEN_MFA", session, USERNAME="alice", SOFTWARE_TOKEN_MFA_CODE="000000"
            ),
            "CodeMismatchException",
        )
    fails(
        lambda: rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        ),
        "NotAuthorizedException",
        INVALID,
    )


def test_a_code_is_accepted_once(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    code = rig.code(secret)
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            rig.login("alice")["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=code,
        )
    )
    fails(
        lambda: rig.respond(
            "SOFTWARE_TOKEN_MFA",
            rig.login("alice")["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=code,
        ),
        "CodeMismatchException",
    )


def test_session_cannot_be_replayed_after_success(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )
    rig.clock.advance(30)
    fails(
        lambda: rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        ),
        "NotAuthorizedException",
        INVALID,
    )


def test_session_expires_after_auth_session_validity(engine: Engine) -> None:
    rig, secret = totp_rig(engine, session_minutes=5)
    session = rig.login("alice")["Session"]
    rig.clock.advance(4 * 60)
    late = rig.login("alice")["Session"]
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )
    rig.clock.advance(5 * 60)
    fails(
        lambda: rig.respond(
            "SOFTWARE_TOKEN_MFA", late, USERNAME="alice", SOFTWARE_TOKEN_MFA_CODE=rig.code(secret)
        ),
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )


def test_mallory_cannot_finish_her_session_as_alice(engine: Engine) -> None:
    rig, _ = totp_rig(engine)
    rig.user("mallory")
    mallory_secret = rig.enrol_totp("mallory")
    session = rig.login("mallory")["Session"]
    fails(
        lambda: rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(mallory_secret),
        ),
        "NotAuthorizedException",
        INVALID,
    )
    # The session still belongs to mallory, and finishes as mallory only.
    result = rig.respond(
        "SOFTWARE_TOKEN_MFA",
        session,
        USERNAME=rig.row("mallory").sub,
        SOFTWARE_TOKEN_MFA_CODE=rig.code(mallory_secret),
    )
    tokens_of(result)


def test_session_is_bound_to_its_client_and_pool(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    second = engine.call(
        "CreateUserPoolClient",
        {"UserPoolId": rig.pool_id, "ClientName": "d", "ExplicitAuthFlows": ALL_FLOWS},
        iam_principal=IAM,
    )["UserPoolClient"]["ClientId"]
    other = Rig(engine)
    session = rig.login("alice")["Session"]
    fails(
        lambda: rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            client_id=second,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        ),
        "NotAuthorizedException",
        INVALID,
    )
    fails(
        lambda: other.admin(
            "AdminRespondToAuthChallenge",
            ClientId=other.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": rig.code(secret)},
        ),
        "NotAuthorizedException",
        INVALID,
    )
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )


def test_challenge_name_must_match_the_session(engine: Engine) -> None:
    rig, _ = totp_rig(engine)
    session = rig.login("alice")["Session"]
    fails(
        lambda: rig.respond("EMAIL_OTP", session, USERNAME="alice", EMAIL_OTP_CODE="12345678"),
        "NotAuthorizedException",
        INVALID,
    )


@pytest.mark.parametrize(
    ("challenge", "session", "responses", "message"),
    [
        ("SOFTWARE_TOKEN_MFA", None, {"USERNAME": "alice"}, "Missing required parameter Session"),
        ("SOFTWARE_TOKEN_MFA", "S" * 40, {}, "Missing required parameter USERNAME"),
        ("PASSWORD_VERIFIER", "S" * 40, {"USERNAME": "alice"}, None),
    ],
)
def test_malformed_challenge_responses(
    engine: Engine,
    challenge: str,
    session: str | None,
    responses: dict[str, str],
    message: str | None,
) -> None:
    rig = Rig(engine)
    fails(
        lambda: rig.respond(challenge, session, **responses), "InvalidParameterException", message
    )


def test_missing_code_is_named_and_not_counted(engine: Engine) -> None:
    rig, _ = totp_rig(engine)
    session = rig.login("alice")["Session"]
    fails(
        lambda: rig.respond("SOFTWARE_TOKEN_MFA", session, USERNAME="alice"),
        "InvalidParameterException",
        "Missing required parameter SOFTWARE_TOKEN_MFA_CODE",
    )
    assert rig.row("alice").failed_attempts == 0


def test_token_removed_mid_flow(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    rig.sql("UPDATE software_tokens SET secret = NULL")
    fails(
        lambda: rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        ),
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA does not exist for the user.",
    )


def test_user_disabled_mid_flow_cannot_finish(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    rig.admin("AdminDisableUser", Username="alice")
    fails(
        lambda: rig.respond(
            "SOFTWARE_TOKEN_MFA",
            session,
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        ),
        "NotAuthorizedException",
    )


def test_pending_association_disables_totp_in_optional_and_forces_setup_in_on(
    engine: Engine,
) -> None:
    rig, secret = totp_rig(engine)
    challenge = rig.login("alice")
    access = tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            challenge["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )["AccessToken"]
    engine.call("AssociateSoftwareToken", {"AccessToken": access})
    tokens_of(rig.login("alice"))  # OPTIONAL: the abandoned re-enrolment drops TOTP (spec §3.3)
    rig.set_mfa("ON")
    assert rig.login("alice")["ChallengeName"] == "MFA_SETUP"


def test_two_threads_racing_with_one_correct_code(engine: Engine) -> None:
    rig, secret = totp_rig(engine)
    session = rig.login("alice")["Session"]
    code = rig.code(secret)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def answer() -> None:
        barrier.wait()
        try:
            rig.respond(
                "SOFTWARE_TOKEN_MFA", session, USERNAME="alice", SOFTWARE_TOKEN_MFA_CODE=code
            )
            result = "tokens"
        except CognitoError as exc:
            result = exc.code
        finally:
            engine.db.close()  # this thread's connection
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["NotAuthorizedException", "tokens"]


# --- SELECT_MFA_TYPE and refresh --------------------------------------------------------------------


def test_select_mfa_type_then_the_chosen_factor(engine: Engine) -> None:
    rig = Rig(engine, mfa="OPTIONAL", email_mfa=True)
    rig.user("alice", email="alice@example.com")
    secret = rig.enrol_totp("alice")
    rig.activate("alice", ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"], None)
    select = rig.login("alice")
    assert select["ChallengeName"] == "SELECT_MFA_TYPE"
    assert select["ChallengeParameters"] == {
        "MFAS_CAN_CHOOSE": '["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'
    }
    fails(
        lambda: rig.respond(
            "SELECT_MFA_TYPE", select["Session"], USERNAME="alice", ANSWER="SMS_MFA"
        ),
        "InvalidParameterException",
    )
    chosen = rig.respond(
        "SELECT_MFA_TYPE", select["Session"], USERNAME="alice", ANSWER="SOFTWARE_TOKEN_MFA"
    )
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    fails(
        lambda: rig.respond(
            "SELECT_MFA_TYPE", select["Session"], USERNAME="alice", ANSWER="SOFTWARE_TOKEN_MFA"
        ),
        "NotAuthorizedException",
        INVALID,
    )
    tokens_of(
        rig.respond(
            "SOFTWARE_TOKEN_MFA",
            chosen["Session"],
            USERNAME="alice",
            SOFTWARE_TOKEN_MFA_CODE=rig.code(secret),
        )
    )


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
    rig = Rig(engine)
    params = {"ClientId": rig.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {}}
    fails(
        lambda: engine.call("InitiateAuth", params),
        "InvalidParameterException",
        "Missing required parameter REFRESH_TOKEN",
    )
    params["AuthParameters"] = {"REFRESH_TOKEN": "not-a-token"}
    fails(lambda: engine.call("InitiateAuth", params), "NotAuthorizedException")
