"""SetUserMFAPreference and AdminSetUserMFAPreference through the engine."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.pool import totp
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_client, load_pool, save_pool
from mfa_portal.pool.token_store import start_family
from mfa_portal.pool.users import get_user
from tests.support.cognito_errors import raises_cognito

IAM = "test"
OPTIONAL_TOTP = {
    "MfaConfiguration": "OPTIONAL",
    "SoftwareTokenMfaConfiguration": {"Enabled": True},
    "EmailMfaConfiguration": {},
}
TOTP_ON = {"Enabled": True, "PreferredMfa": True}


def no_delivery(factor: str) -> str:
    return f"User does not have delivery config set to turn on {factor}"


@dataclass
class World:
    engine: Engine
    clock: FakeClock
    pool_id: str
    client_id: str

    def call(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, params)

    def admin(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, {"UserPoolId": self.pool_id, **params}, iam_principal=IAM)

    def set_mfa(self, mfa: dict[str, Any]) -> None:
        with self.engine.db.transaction() as conn:
            pool = load_pool(conn, self.pool_id)
            pool.mfa = mfa
            save_pool(conn, pool)

    def access_token(self, username: str = "alice") -> str:
        ctx = Context(self.engine, self.clock.now(), None)
        with self.engine.db.transaction() as conn:
            pool, client = load_pool(conn, self.pool_id), load_client(conn, self.client_id)
            user = get_user(conn, pool, username)
            return str(
                start_family(ctx, conn, pool, client, user).sign(ctx.engine.signer)["AccessToken"]
            )

    def enrol(self, username: str = "alice") -> str:
        """Associate and verify a TOTP token with an access token (TOTP not yet activated)."""
        token = self.access_token(username)
        secret = self.call("AssociateSoftwareToken", AccessToken=token)["SecretCode"]
        step = totp.step_at(self.clock.now())
        self.call("VerifySoftwareToken", AccessToken=token, UserCode=totp.code_at(secret, step))
        return str(secret)

    def mfa(self, username: str = "alice") -> tuple[list[str], str | None]:
        got = self.admin("AdminGetUser", Username=username)
        return got.get("UserMFASettingList", []), got.get("PreferredMfaSetting")

    def prefer(self, username: str = "alice", **blocks: Any) -> dict[str, Any]:
        return self.admin("AdminSetUserMFAPreference", Username=username, **blocks)


@pytest.fixture
def world(engine: Engine, clock: FakeClock) -> World:
    pool_id = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal=IAM)["UserPool"]["Id"]
    client = engine.call(
        "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "web"}, iam_principal=IAM
    )["UserPoolClient"]
    w = World(engine, clock, pool_id, client["ClientId"])
    for name, attributes in [
        ("alice", [{"Name": "email", "Value": "alice@example.com"}]),
        ("bob", []),
    ]:
        w.admin(
            "AdminCreateUser", Username=name, MessageAction="SUPPRESS", UserAttributes=attributes
        )
        w.admin("AdminSetUserPassword", Username=name, Password="Correct-horse-9!", Permanent=True)
    w.set_mfa(OPTIONAL_TOTP)
    return w


# --- activation and its prerequisites ----------------------------------------------------------


def test_the_user_activates_a_verified_token(world: World) -> None:
    world.enrol()
    token = world.access_token()
    assert (
        world.call("SetUserMFAPreference", AccessToken=token, SoftwareTokenMfaSettings=TOTP_ON)
        == {}
    )
    assert world.mfa() == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    got = world.call("GetUser", AccessToken=token)
    assert got["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert got["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"


@pytest.mark.parametrize("public", [True, False])
def test_totp_cannot_be_turned_on_without_a_verified_token(world: World, public: bool) -> None:
    with raises_cognito("InvalidParameterException", no_delivery("SOFTWARE_TOKEN_MFA")):
        if public:
            world.call(
                "SetUserMFAPreference",
                AccessToken=world.access_token(),
                SoftwareTokenMfaSettings={"Enabled": True},
            )
        else:
            world.prefer(SoftwareTokenMfaSettings={"Enabled": True})
    assert world.mfa() == ([], None)


def test_totp_cannot_be_turned_on_while_a_new_association_is_pending(world: World) -> None:
    world.enrol()
    world.call("AssociateSoftwareToken", AccessToken=world.access_token())
    with raises_cognito("InvalidParameterException", no_delivery("SOFTWARE_TOKEN_MFA")):
        world.prefer(SoftwareTokenMfaSettings=TOTP_ON)


@pytest.mark.parametrize(
    "mfa",
    [
        {"MfaConfiguration": "OFF"},
        {
            "MfaConfiguration": "OPTIONAL",
            "SoftwareTokenMfaConfiguration": {"Enabled": False},
            "EmailMfaConfiguration": {},
        },
    ],
)
def test_totp_cannot_be_turned_on_when_the_pool_has_it_off(
    world: World, mfa: dict[str, Any]
) -> None:
    world.enrol()
    world.set_mfa(mfa)
    with raises_cognito("InvalidParameterException", no_delivery("SOFTWARE_TOKEN_MFA")):
        world.prefer(SoftwareTokenMfaSettings={"Enabled": True})


def test_email_needs_an_email_address(world: World) -> None:
    with raises_cognito("InvalidParameterException", no_delivery("EMAIL_OTP")):
        world.prefer("bob", EmailMfaSettings={"Enabled": True})
    world.prefer("alice", EmailMfaSettings={"Enabled": True})
    assert world.mfa("alice") == (["EMAIL_OTP"], None)


def test_sms_needs_a_phone_number(world: World) -> None:
    with raises_cognito("InvalidParameterException", no_delivery("SMS_MFA")):
        world.prefer("bob", SMSMfaSettings={"Enabled": True})
    world.admin(
        "AdminUpdateUserAttributes",
        Username="bob",
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}],
    )
    world.prefer("bob", SMSMfaSettings={"Enabled": True})
    assert world.mfa("bob") == (["SMS_MFA"], None)  # recorded; the embedded pool never sends SMS


def test_webauthn_mfa_is_refused_but_turning_it_off_is_harmless(world: World) -> None:
    with raises_cognito(
        "InvalidParameterException", "WebAuthn MFA is not supported by the embedded user pool."
    ):
        world.prefer(WebAuthnMfaSettings={"Enabled": True})
    assert world.prefer(WebAuthnMfaSettings={"Enabled": False}) == {}


# --- preference rules -------------------------------------------------------------------------


def test_only_one_factor_can_be_preferred(world: World) -> None:
    world.enrol()
    with raises_cognito(
        "InvalidParameterException", "Only one MFA method can be set as preferred."
    ):
        world.prefer(SoftwareTokenMfaSettings=TOTP_ON, EmailMfaSettings=TOTP_ON)
    assert world.mfa() == ([], None)


def test_preferring_one_factor_replaces_the_other_preference(world: World) -> None:
    world.enrol()
    world.prefer(EmailMfaSettings=TOTP_ON)
    world.prefer(SoftwareTokenMfaSettings=TOTP_ON)
    assert world.mfa() == (["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")


def test_a_disabled_factor_cannot_be_preferred(world: World) -> None:
    message = "EMAIL_OTP cannot be the preferred MFA method while it is disabled."
    with raises_cognito("InvalidParameterException", message):
        world.prefer(EmailMfaSettings={"Enabled": False, "PreferredMfa": True})
    with raises_cognito("InvalidParameterException", message):
        world.prefer(EmailMfaSettings={"PreferredMfa": True})  # not enabled before either
    world.prefer(EmailMfaSettings={"Enabled": True})
    world.prefer(EmailMfaSettings={"PreferredMfa": True})  # enabled now: only the preference moves
    assert world.mfa() == (["EMAIL_OTP"], "EMAIL_OTP")


def test_omitted_blocks_and_fields_are_left_unchanged(world: World) -> None:
    world.enrol()
    world.prefer(EmailMfaSettings=TOTP_ON)
    world.prefer(SoftwareTokenMfaSettings={"Enabled": True})
    assert world.mfa() == (["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"], "EMAIL_OTP")
    world.prefer(EmailMfaSettings={"PreferredMfa": False})
    assert world.mfa() == (["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"], None)
    world.prefer(SoftwareTokenMfaSettings={"PreferredMfa": False})  # not preferred: no change
    assert world.mfa() == (["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"], None)


def test_disabling_drops_the_preference_but_keeps_the_secret(world: World) -> None:
    world.enrol()
    world.prefer(SoftwareTokenMfaSettings=TOTP_ON, EmailMfaSettings={"Enabled": True})
    world.prefer(SoftwareTokenMfaSettings={"Enabled": False})
    assert world.mfa() == (["EMAIL_OTP"], None)
    with world.engine.db.read() as conn:
        user = get_user(conn, load_pool(conn, world.pool_id), "alice")
        assert totp.has_verified_token(conn, user.id)
    world.prefer(SoftwareTokenMfaSettings=TOTP_ON)  # no new verification needed (Cognito's way)
    assert world.mfa() == (["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")


def test_a_failed_request_changes_nothing(world: World) -> None:
    with raises_cognito("InvalidParameterException", no_delivery("SOFTWARE_TOKEN_MFA")):
        world.prefer(EmailMfaSettings=TOTP_ON, SoftwareTokenMfaSettings={"Enabled": True})
    assert world.mfa() == ([], None)


# --- required (ON) pools ----------------------------------------------------------------------


def test_required_pools_refuse_disabling(world: World) -> None:
    world.enrol()
    world.prefer(SoftwareTokenMfaSettings=TOTP_ON)
    world.set_mfa({**OPTIONAL_TOTP, "MfaConfiguration": "ON"})
    with raises_cognito("InvalidParameterException", re.compile("cannot be disabled")):
        world.prefer(SoftwareTokenMfaSettings={"Enabled": False})
    with raises_cognito("InvalidParameterException", re.compile("cannot be disabled")):
        world.call(
            "SetUserMFAPreference",
            AccessToken=world.access_token(),
            EmailMfaSettings={"Enabled": False},
        )
    assert world.mfa() == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")


def test_required_pools_honour_preference_changes(world: World) -> None:
    world.enrol()
    world.prefer(SoftwareTokenMfaSettings=TOTP_ON)
    world.set_mfa({**OPTIONAL_TOTP, "MfaConfiguration": "ON"})
    world.prefer(EmailMfaSettings=TOTP_ON)  # Amplify's PREFERRED payload
    assert world.mfa() == (["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"], "EMAIL_OTP")
    world.prefer(SoftwareTokenMfaSettings={"PreferredMfa": True})
    assert world.mfa() == (["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"], "SOFTWARE_TOKEN_MFA")


# --- who may call -----------------------------------------------------------------------------


def test_caller_errors(world: World) -> None:
    with raises_cognito("NotAuthorizedException", "Invalid Access Token"):
        world.call(
            "SetUserMFAPreference", AccessToken="eyJ" + "a" * 40, EmailMfaSettings={"Enabled": True}
        )
    with raises_cognito("UserNotFoundException", "User does not exist."):
        world.prefer("nobody", EmailMfaSettings={"Enabled": True})
    with raises_cognito("ResourceNotFoundException"):
        world.engine.call(
            "AdminSetUserMFAPreference",
            {"UserPoolId": "us-east-1_nothere1", "Username": "alice"},
            iam_principal=IAM,
        )
    with raises_cognito("MissingAuthenticationTokenException"):
        world.call("AdminSetUserMFAPreference", UserPoolId=world.pool_id, Username="alice")
