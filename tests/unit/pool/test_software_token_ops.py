"""AssociateSoftwareToken, VerifySoftwareToken and AdminDeleteSoftwareToken through the engine."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import auth_sessions, totp
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_client, load_pool, save_pool
from mfa_portal.pool.token_store import start_family
from mfa_portal.pool.users import User, get_user
from mfa_portal.storage import Connection
from tests.support.cognito_errors import raises_cognito
from tests.support.race import run_together

OPTIONAL_TOTP = {"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": True}}
IAM = "test"


@dataclass
class World:
    """One pool with TOTP enabled, one app client and one confirmed user, ``alice``."""

    engine: Engine
    clock: FakeClock
    pool_id: str
    client_id: str
    username: str = "alice"

    def call(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, params)

    def admin(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, {"UserPoolId": self.pool_id, **params}, iam_principal=IAM)

    def ctx(self) -> Context:
        return Context(self.engine, self.clock.now(), None)

    def user(self, conn: Connection | None = None) -> User:
        if conn is None:
            with self.engine.db.read() as fresh:
                return self.user(fresh)
        return get_user(conn, load_pool(conn, self.pool_id), self.username)

    def set_mfa(self, mfa: dict[str, Any]) -> None:
        with self.engine.db.transaction() as conn:
            pool = load_pool(conn, self.pool_id)
            pool.mfa = mfa
            save_pool(conn, pool)

    def access_token(self) -> str:
        with self.engine.db.transaction() as conn:
            pool, client = load_pool(conn, self.pool_id), load_client(conn, self.client_id)
            user = self.user(conn)
            tokens = start_family(self.ctx(), conn, pool, client, user)
            return str(tokens.sign(self.engine.signer)["AccessToken"])

    def setup_session(
        self,
        stage: auth_sessions.SessionStage = auth_sessions.SessionStage.PASSWORD_OK,
        challenge: str = "MFA_SETUP",
    ) -> str:
        """An MFA_SETUP session as the sign-in flow would issue it."""
        with self.engine.db.transaction() as conn:
            return auth_sessions.create_session(
                self.ctx(),
                conn,
                pool_id=self.pool_id,
                client_id=self.client_id,
                user_id=self.user(conn).id,
                stage=stage,
                challenge=challenge,
                ttl_seconds=180,
            )

    def code(self, secret: str, offset: int = 0) -> str:
        return totp.code_at(secret, totp.step_at(self.clock.now()) + offset)

    def mfa(self) -> tuple[list[str], str | None]:
        got = self.admin("AdminGetUser", Username=self.username)
        return got.get("UserMFASettingList", []), got.get("PreferredMfaSetting")


@pytest.fixture
def world(engine: Engine, clock: FakeClock) -> World:
    pool_id = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal=IAM)["UserPool"]["Id"]
    client = engine.call(
        "CreateUserPoolClient",
        {"UserPoolId": pool_id, "ClientName": "web", "AuthSessionValidity": 5},
        iam_principal=IAM,
    )["UserPoolClient"]
    w = World(engine, clock, pool_id, client["ClientId"])
    w.admin(
        "AdminCreateUser",
        Username="alice",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    w.admin("AdminSetUserPassword", Username="alice", Password="Correct-horse-9!", Permanent=True)
    w.set_mfa(OPTIONAL_TOTP)
    return w


def enrol_with_token(w: World, name: str = "phone") -> str:
    token = w.access_token()
    secret = str(w.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"])
    w.call(
        "VerifySoftwareToken", AccessToken=token, UserCode=w.code(secret), FriendlyDeviceName=name
    )
    return secret


def has(w: World, check: Any) -> bool:
    with w.engine.db.read() as conn:
        return bool(check(conn, w.user(conn).id))


def pending_association(conn: Connection, user_id: int) -> bool:
    return totp.association(conn, user_id).pending


# --- AssociateSoftwareToken -------------------------------------------------------------------


def test_associate_with_an_access_token_returns_a_pending_secret(world: World) -> None:
    got = world.call("AssociateSoftwareToken", AccessToken=world.access_token())
    assert set(got) == {"SecretCode"}
    assert len(got["SecretCode"]) == 32 and got["SecretCode"].isalnum()
    assert has(world, pending_association)
    assert not has(world, totp.has_verified_token)


@pytest.mark.parametrize(
    "stage", [auth_sessions.SessionStage.PASSWORD_OK, auth_sessions.SessionStage.NEW_PASSWORD_SET]
)
def test_associate_with_a_setup_session_chains_a_new_session(
    world: World, stage: auth_sessions.SessionStage
) -> None:
    first = world.setup_session(stage)
    got = world.call("AssociateSoftwareToken", Session=first)
    assert got["Session"] != first and len(got["SecretCode"]) == 32
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        world.call("AssociateSoftwareToken", Session=first)  # spent
    with world.engine.db.read() as conn:
        nxt = auth_sessions.load_session(world.ctx(), conn, got["Session"])
    assert (nxt.stage, nxt.challenge, nxt.user_id) == (
        auth_sessions.SessionStage.SETUP_ASSOCIATED,
        "MFA_SETUP",
        world.user().id,
    )
    assert nxt.expires_at == world.clock.now() + 5 * 60  # the client's AuthSessionValidity


def test_the_next_session_expires_with_the_clients_auth_session_validity(world: World) -> None:
    got = world.call("AssociateSoftwareToken", Session=world.setup_session())
    world.clock.advance(5 * 60 + 1)
    with raises_cognito("NotAuthorizedException", re.compile("session is expired")):
        world.call("VerifySoftwareToken", Session=got["Session"], UserCode="123456")


@pytest.mark.parametrize(
    ("stage", "challenge"),
    [
        (auth_sessions.SessionStage.SETUP_ASSOCIATED, "MFA_SETUP"),
        (auth_sessions.SessionStage.SETUP_VERIFIED, "MFA_SETUP"),
        (auth_sessions.SessionStage.PASSWORD_OK, "SOFTWARE_TOKEN_MFA"),
        (auth_sessions.SessionStage.PASSWORD_OK, "NEW_PASSWORD_REQUIRED"),
    ],
)
def test_associate_refuses_other_sessions(
    world: World, stage: auth_sessions.SessionStage, challenge: str
) -> None:
    session = world.setup_session(stage, challenge)
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        world.call("AssociateSoftwareToken", Session=session)
    assert not has(world, pending_association)
    with world.engine.db.read() as conn:  # a refused session is not consumed
        auth_sessions.load_session(world.ctx(), conn, session)


def test_associate_with_an_unknown_or_expired_session(world: World) -> None:
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        world.call("AssociateSoftwareToken", Session="AYAB" + "x" * 40)
    session = world.setup_session()
    world.clock.advance(181)
    with raises_cognito("NotAuthorizedException", re.compile("session is expired")):
        world.call("AssociateSoftwareToken", Session=session)


@pytest.mark.parametrize("op", ["AssociateSoftwareToken", "VerifySoftwareToken"])
def test_exactly_one_of_access_token_and_session(world: World, op: str) -> None:
    code = {"UserCode": "123456"} if op == "VerifySoftwareToken" else {}
    with raises_cognito("InvalidParameterException", re.compile("Exactly one of")):
        world.call(op, **code)
    with raises_cognito("InvalidParameterException", re.compile("Exactly one of")):
        world.call(op, AccessToken=world.access_token(), Session=world.setup_session(), **code)


@pytest.mark.parametrize(
    "mfa",
    [
        {
            "MfaConfiguration": "OPTIONAL",
            "SoftwareTokenMfaConfiguration": {"Enabled": False},
            "EmailMfaConfiguration": {},
        },
        {"MfaConfiguration": "OFF"},
    ],
)
def test_associate_when_the_pool_has_totp_off(world: World, mfa: dict[str, Any]) -> None:
    world.set_mfa(mfa)
    with raises_cognito(
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA has not been enabled by the userPool",
    ):
        world.call("AssociateSoftwareToken", AccessToken=world.access_token())


def test_associate_with_a_bad_access_token(world: World) -> None:
    with raises_cognito("NotAuthorizedException", "Invalid Access Token"):
        world.call("AssociateSoftwareToken", AccessToken="eyJ" + "a" * 40)


def test_associate_with_a_revoked_access_token(world: World) -> None:
    token = world.access_token()
    world.clock.advance(2)
    world.admin("AdminUserGlobalSignOut", Username="alice")
    with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
        world.call("AssociateSoftwareToken", AccessToken=token)


def test_a_second_associate_replaces_the_pending_secret(world: World) -> None:
    token = world.access_token()
    first = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    second = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    with raises_cognito("EnableSoftwareTokenMFAException"):
        world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(first))
    got = world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(second))
    assert got == {"Status": "SUCCESS"}


# --- VerifySoftwareToken ----------------------------------------------------------------------


def test_verify_with_an_access_token_registers_but_does_not_activate(world: World) -> None:
    secret = enrol_with_token(world)
    assert has(world, totp.has_verified_token)
    assert not has(world, pending_association)
    with world.engine.db.read() as conn:
        assert totp.friendly_name(conn, world.user(conn).id) == "phone"
    assert world.mfa() == ([], None)  # SetUserMFAPreference activates it (spec §3.1)
    world.clock.advance(30)
    with world.engine.db.transaction() as conn:
        assert totp.verify_signin_code(world.ctx(), conn, world.user(conn), world.code(secret))


def test_the_enrolment_code_cannot_sign_in(world: World) -> None:
    token = world.access_token()
    secret = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    code = world.code(secret)
    world.call("VerifySoftwareToken", AccessToken=token, UserCode=code)
    with world.engine.db.transaction() as conn:
        assert not totp.verify_signin_code(world.ctx(), conn, world.user(conn), code)


def test_a_wrong_code_fails_counts_and_can_be_retried(world: World) -> None:
    token = world.access_token()
    secret = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    wrong = world.code(secret, offset=5)
    with raises_cognito(
        "EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA"
    ):
        world.call("VerifySoftwareToken", AccessToken=token, UserCode=wrong)
    assert world.user().failed_attempts == 1  # committed although the call failed
    assert has(world, pending_association)
    assert world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(secret)) == {
        "Status": "SUCCESS"
    }
    assert world.user().failed_attempts == 0


def test_verify_codes_outside_the_window_fail(world: World) -> None:
    token = world.access_token()
    secret = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    for offset in (-2, 2):
        with raises_cognito("EnableSoftwareTokenMFAException"):
            world.call(
                "VerifySoftwareToken", AccessToken=token, UserCode=world.code(secret, offset)
            )
    got = world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(secret, -1))
    assert got["Status"] == "SUCCESS"


def test_verify_refuses_a_step_already_used(world: World) -> None:
    """Re-enrolling inside the same 30 s: the new secret's code for a used step is a replay."""
    token = world.access_token()
    enrol_with_token(world)
    new = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    with raises_cognito("EnableSoftwareTokenMFAException"):
        world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(new))
    world.clock.advance(30)
    assert world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(new)) == {
        "Status": "SUCCESS"
    }


def test_verify_replaces_the_old_token(world: World) -> None:
    token = world.access_token()
    old = enrol_with_token(world, "phone")
    world.clock.advance(60)
    new = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    world.call(
        "VerifySoftwareToken",
        AccessToken=token,
        UserCode=world.code(new),
        FriendlyDeviceName="tablet",
    )
    world.clock.advance(30)
    with world.engine.db.transaction() as conn:
        assert not totp.verify_signin_code(world.ctx(), conn, world.user(conn), world.code(old))
        assert totp.friendly_name(conn, world.user(conn).id) == "tablet"


def test_verify_without_an_association(world: World) -> None:
    with pytest.raises(
        errors.SoftwareTokenMFANotFoundException, match="AssociateSoftwareToken first"
    ):
        world.call("VerifySoftwareToken", AccessToken=world.access_token(), UserCode="123456")
    assert world.user().failed_attempts == 0


def test_verify_when_the_pool_turned_totp_off(world: World) -> None:
    token = world.access_token()
    secret = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    world.set_mfa({"MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": {}})
    with raises_cognito("SoftwareTokenMFANotFoundException", re.compile("not been enabled")):
        world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(secret))


def test_verify_rejects_malformed_codes_at_validation(world: World) -> None:
    token = world.access_token()
    world.call("AssociateSoftwareToken", AccessToken=token)
    with raises_cognito("InvalidParameterException", re.compile("userCode")):
        world.call("VerifySoftwareToken", AccessToken=token, UserCode="12ab56")


def test_wrong_codes_lock_the_user_out(world: World) -> None:
    token = world.access_token()
    secret = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    for _ in range(5):
        with raises_cognito("EnableSoftwareTokenMFAException"):
            world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(secret, 7))
    with raises_cognito("NotAuthorizedException", "Password attempts exceeded"):
        world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(secret))
    world.clock.advance(2)
    got = world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(secret))
    assert got["Status"] == "SUCCESS"


def test_the_setup_session_chain_activates_totp(world: World) -> None:
    associated = world.call("AssociateSoftwareToken", Session=world.setup_session())
    secret, session = associated["SecretCode"], associated["Session"]
    got = world.call(
        "VerifySoftwareToken",
        Session=session,
        UserCode=world.code(secret),
        FriendlyDeviceName="phone",
    )
    assert got["Status"] == "SUCCESS" and got["Session"] != session
    with world.engine.db.read() as conn:
        verified = auth_sessions.load_session(world.ctx(), conn, got["Session"])
    assert (verified.stage, verified.challenge) == (
        auth_sessions.SessionStage.SETUP_VERIFIED,
        "MFA_SETUP",
    )
    assert world.mfa() == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        world.call("VerifySoftwareToken", Session=session, UserCode=world.code(secret, 1))


def test_setup_keeps_an_existing_preference(world: World) -> None:
    world.admin(
        "AdminSetUserMFAPreference",
        Username="alice",
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    associated = world.call("AssociateSoftwareToken", Session=world.setup_session())
    world.call(
        "VerifySoftwareToken",
        Session=associated["Session"],
        UserCode=world.code(associated["SecretCode"]),
    )
    assert world.mfa() == (["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"], "EMAIL_OTP")


def test_a_wrong_code_keeps_the_setup_session_for_a_retry(world: World) -> None:
    associated = world.call("AssociateSoftwareToken", Session=world.setup_session())
    secret, session = associated["SecretCode"], associated["Session"]
    with raises_cognito("EnableSoftwareTokenMFAException"):
        world.call("VerifySoftwareToken", Session=session, UserCode=world.code(secret, 3))
    assert world.user().failed_attempts == 1
    assert world.mfa() == ([], None)
    got = world.call("VerifySoftwareToken", Session=session, UserCode=world.code(secret))
    assert got["Status"] == "SUCCESS" and "Session" in got


def test_verify_refuses_a_session_that_has_not_associated(world: World) -> None:
    token = world.access_token()
    secret = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        world.call(
            "VerifySoftwareToken", Session=world.setup_session(), UserCode=world.code(secret)
        )
    assert has(world, pending_association)


def test_racing_verifications_of_one_code_exactly_one_wins(world: World) -> None:
    token = world.access_token()
    secret = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    code = world.code(secret)

    def attempt() -> str:
        return str(world.call("VerifySoftwareToken", AccessToken=token, UserCode=code)["Status"])

    results = run_together([attempt, attempt], after_each=world.engine.db.close)
    outcomes = [r.code if isinstance(r, errors.CognitoError) else r for r in results]
    assert sorted(outcomes) == ["SUCCESS", "SoftwareTokenMFANotFoundException"]


# --- AdminDeleteSoftwareToken -----------------------------------------------------------------


def test_admin_delete_removes_the_token_and_only_the_totp_preference(world: World) -> None:
    enrol_with_token(world)
    world.admin(
        "AdminSetUserMFAPreference",
        Username="alice",
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        EmailMfaSettings={"Enabled": True},
    )
    assert world.admin("AdminDeleteSoftwareToken", Username="alice") == {}
    assert not has(world, totp.has_verified_token)
    assert world.mfa() == (["EMAIL_OTP"], None)


def test_admin_delete_without_a_token(world: World) -> None:
    with raises_cognito("ResourceNotFoundException", re.compile("does not have a software token")):
        world.admin("AdminDeleteSoftwareToken", Username="alice")


def test_admin_delete_clears_a_pending_association(world: World) -> None:
    world.call("AssociateSoftwareToken", AccessToken=world.access_token())
    world.admin("AdminDeleteSoftwareToken", Username="alice")
    assert not has(world, pending_association)
    with raises_cognito("ResourceNotFoundException"):
        world.admin("AdminDeleteSoftwareToken", Username="alice")


def test_admin_delete_keeps_old_codes_dead(world: World) -> None:
    """The replay guard survives the reset: a re-enrolment cannot reuse a step already accepted."""
    token = world.access_token()
    enrol_with_token(world)
    world.admin("AdminDeleteSoftwareToken", Username="alice")
    new = world.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    with raises_cognito("EnableSoftwareTokenMFAException"):
        world.call("VerifySoftwareToken", AccessToken=token, UserCode=world.code(new))


def test_admin_delete_ends_pending_challenges(world: World) -> None:
    enrol_with_token(world)
    session = world.setup_session(auth_sessions.SessionStage.PASSWORD_OK, "SOFTWARE_TOKEN_MFA")
    world.admin("AdminDeleteSoftwareToken", Username="alice")
    with world.engine.db.read() as conn, raises_cognito("NotAuthorizedException"):
        auth_sessions.load_session(world.ctx(), conn, session)


def test_admin_delete_errors(world: World) -> None:
    with raises_cognito("UserNotFoundException"):
        world.admin("AdminDeleteSoftwareToken", Username="nobody")
    with raises_cognito("MissingAuthenticationTokenException"):
        world.call("AdminDeleteSoftwareToken", UserPoolId=world.pool_id, Username="alice")
    with raises_cognito("ResourceNotFoundException", re.compile("does not exist")):
        world.engine.call(
            "AdminDeleteSoftwareToken",
            {"UserPoolId": "us-east-1_nothere1", "Username": "alice"},
            iam_principal=IAM,
        )


# --- end to end, through the sign-in flow -----------------------------------------------------

PASSWORD = "Correct-horse-9!"


def password_sign_in(w: World) -> dict[str, Any]:
    return w.call(
        "InitiateAuth",
        ClientId=w.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )


def answer(w: World, name: str, session: str, **responses: str) -> dict[str, Any]:
    return w.call(
        "RespondToAuthChallenge",
        ClientId=w.client_id,
        ChallengeName=name,
        Session=session,
        ChallengeResponses={"USERNAME": "alice", **responses},
    )


@pytest.fixture
def signing_world(world: World) -> World:
    world.engine.call(
        "UpdateUserPoolClient",
        {
            "UserPoolId": world.pool_id,
            "ClientId": world.client_id,
            "AuthSessionValidity": 5,
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
        iam_principal=IAM,
    )
    return world


def test_mfa_setup_in_a_required_pool_then_sign_in_with_totp(signing_world: World) -> None:
    w = signing_world
    w.set_mfa({**OPTIONAL_TOTP, "MfaConfiguration": "ON"})
    setup = password_sign_in(w)
    assert setup["ChallengeName"] == "MFA_SETUP"
    associated = w.call("AssociateSoftwareToken", Session=setup["Session"])
    secret = associated["SecretCode"]
    enrolment_code = w.code(secret)
    verified = w.call(
        "VerifySoftwareToken",
        Session=associated["Session"],
        UserCode=enrolment_code,
        FriendlyDeviceName="phone",
    )
    done = answer(w, "MFA_SETUP", verified["Session"])
    assert "AccessToken" in done["AuthenticationResult"]

    challenge = password_sign_in(w)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"] == "phone"
    with raises_cognito("CodeMismatchException", "Invalid code or auth state for the user."):
        answer(
            w, "SOFTWARE_TOKEN_MFA", challenge["Session"], SOFTWARE_TOKEN_MFA_CODE=enrolment_code
        )
    w.clock.advance(30)
    code = w.code(secret)
    ok = answer(w, "SOFTWARE_TOKEN_MFA", challenge["Session"], SOFTWARE_TOKEN_MFA_CODE=code)
    assert "AccessToken" in ok["AuthenticationResult"]
    again = password_sign_in(w)
    with raises_cognito("CodeMismatchException", "Invalid code or auth state for the user."):
        answer(w, "SOFTWARE_TOKEN_MFA", again["Session"], SOFTWARE_TOKEN_MFA_CODE=code)


def test_optional_pool_enrolment_activation_and_abandoned_re_enrolment(
    signing_world: World,
) -> None:
    w = signing_world
    assert "AuthenticationResult" in password_sign_in(w)  # no factor yet: tokens
    enrol_with_token(w)
    assert "AuthenticationResult" in password_sign_in(w)  # verified but not activated
    token = w.access_token()
    w.call("SetUserMFAPreference", AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True})
    assert password_sign_in(w)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    w.call("AssociateSoftwareToken", AccessToken=token)  # spec §15 pitfall 3
    # Safer than Cognito (docs/compatibility.md): the verified token is still asked for.
    assert password_sign_in(w)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert w.mfa()[0] == ["SOFTWARE_TOKEN_MFA"]


def test_an_abandoned_association_expires_and_cannot_be_verified_later(
    signing_world: World,
) -> None:
    w = signing_world
    enrol_with_token(w)
    token = w.access_token()
    pending = w.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
    w.clock.advance(16 * 60)
    token = w.access_token()
    with raises_cognito(
        "SoftwareTokenMFANotFoundException", messages.SOFTWARE_TOKEN_NOT_ASSOCIATED
    ):
        w.call("VerifySoftwareToken", AccessToken=token, UserCode=w.code(pending))
    assert not has(w, pending_association)


@pytest.mark.parametrize(("mode", "expected"), [("ON", "MFA_SETUP"), ("OPTIONAL", None)])
def test_after_the_support_reset(signing_world: World, mode: str, expected: str | None) -> None:
    w = signing_world
    enrol_with_token(w)
    w.call(
        "SetUserMFAPreference",
        AccessToken=w.access_token(),
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    w.set_mfa({**OPTIONAL_TOTP, "MfaConfiguration": mode})
    assert password_sign_in(w)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    w.admin("AdminDeleteSoftwareToken", Username="alice")
    after = password_sign_in(w)
    assert after.get("ChallengeName") == expected
    assert ("AuthenticationResult" in after) == (expected is None)
