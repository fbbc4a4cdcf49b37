"""Email MFA codes (spec §6): generation, templates, masking, and the EMAIL_OTP challenge."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.mail import MemoryMailer, Message
from mfa_portal.pool import email_otp, totp
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.ids import numeric_code
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.pools import load_pool, save_pool
from mfa_portal.pool.users import load_user_by_id
from tests.support.cognito_errors import raises_cognito
from tests.support.engine_calls import confirmed_user

IAM = "test"
PASSWORD = "Passw0rd!x"
EMAIL_MFA = {"Message": "Your sign-in code is {####}. It expires soon.", "Subject": "Sign-in code"}


class FixedRandom:
    def __init__(self, byte: int) -> None:
        self.byte = byte

    def token_bytes(self, n: int) -> bytes:
        return bytes([self.byte]) * n


def test_code_is_eight_digits_zero_padded(tmp_path: Path, clock: FakeClock) -> None:
    engine = Engine(
        tmp_path,
        clock=clock,
        rng=FixedRandom(0xFF),
        hasher=PasswordHasher(memory_kib=1024, time_cost=1),
    )
    # 2**64 - 1 = 18446744073709551615 → its last eight digits
    assert numeric_code(Context(engine, clock.now(), None), email_otp.CODE_DIGITS) == "09551615"
    engine.db.close()


def test_codes_vary_and_only_a_salted_digest_is_kept(engine: Engine) -> None:
    ctx = Context(engine, engine.clock.now(), None)
    codes = {numeric_code(ctx, email_otp.CODE_DIGITS) for _ in range(20)}
    assert len(codes) > 15 and all(re.fullmatch(r"\d{8}", c) for c in codes)
    code = codes.pop()
    data = email_otp.seal_code(ctx, code, "jane@example.com")
    assert code not in json.dumps(data)
    assert email_otp.check_code(data, code)
    assert not email_otp.check_code(data, "00000000" if code != "00000000" else "11111111")
    assert not email_otp.check_code({}, code)


@pytest.mark.parametrize(
    ("email", "masked"),
    [("jane@example.com", "j***@e***"), ("j@x.io", "j***@x***")],
)
def test_destination_is_masked(email: str, masked: str) -> None:
    assert email_otp.mask_email(email) == masked


def test_message_uses_the_pool_templates() -> None:
    msg = email_otp.code_message(
        {"EmailMfaConfiguration": EMAIL_MFA}, "jane@example.com", "12345678"
    )
    assert msg == Message(
        "jane@example.com", "Sign-in code", "Your sign-in code is 12345678. It expires soon."
    )
    fallback = email_otp.code_message(
        {"EmailMfaConfiguration": {"Message": "no placeholder"}}, "jane@example.com", "12345678"
    )
    assert "12345678" in fallback.body


# --- the EMAIL_OTP challenge ---------------------------------------------------------------------


class EmailRig:
    def __init__(self, engine: Engine, mfa: str, recovery: list[str] | None = None) -> None:
        self.engine = engine
        pool: dict[str, Any] = {"PoolName": "p"}
        if recovery:
            pool["AccountRecoverySetting"] = {
                "RecoveryMechanisms": [
                    {"Name": n, "Priority": i + 1} for i, n in enumerate(recovery)
                ]
            }
        self.pool_id = engine.call("CreateUserPool", pool, iam_principal=IAM)["UserPool"]["Id"]
        with engine.db.transaction() as conn:
            stored = load_pool(conn, self.pool_id)
            stored.mfa = {
                "MfaConfiguration": mfa,
                "EmailMfaConfiguration": EMAIL_MFA,
                "SoftwareTokenMfaConfiguration": {"Enabled": False},
            }
            save_pool(conn, stored)
        self.client_id = engine.call(
            "CreateUserPoolClient",
            {
                "UserPoolId": self.pool_id,
                "ClientName": "c",
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
            },
            iam_principal=IAM,
        )["UserPoolClient"]["ClientId"]
        attrs = [{"Name": "email", "Value": "jane@example.com"}]
        confirmed_user(engine, self.pool_id, "jane", PASSWORD, attrs)

    @property
    def mailer(self) -> MemoryMailer:
        assert isinstance(self.engine.mailer, MemoryMailer)
        return self.engine.mailer

    def login(self) -> dict[str, Any]:
        return self.engine.call(
            "InitiateAuth",
            {
                "ClientId": self.client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "jane", "PASSWORD": PASSWORD},
            },
        )

    def answer(self, session: str, code: str) -> dict[str, Any]:
        return self.engine.call(
            "RespondToAuthChallenge",
            {
                "ClientId": self.client_id,
                "ChallengeName": "EMAIL_OTP",
                "Session": session,
                "ChallengeResponses": {"USERNAME": "jane", "EMAIL_OTP_CODE": code},
            },
        )

    def mailed_code(self) -> str:
        last = self.mailer.last_to("jane@example.com")
        assert last is not None and last.subject == "Sign-in code"
        found = re.search(r"\b(\d{8})\b", last.body)
        assert found is not None
        return found.group(1)

    def attribute(self, name: str) -> str | None:
        user = self.engine.call(
            "AdminGetUser", {"UserPoolId": self.pool_id, "Username": "jane"}, iam_principal=IAM
        )
        values = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        return values.get(name)


def test_required_pool_sends_an_email_code_and_accepts_it(engine: Engine) -> None:
    rig = EmailRig(engine, "ON", recovery=["admin_only"])
    challenge = rig.login()
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
        "CODE_DELIVERY_DESTINATION": "j***@e***",
    }
    code = rig.mailed_code()
    with engine.db.read() as conn:
        rows = [r[0] for r in conn.execute("SELECT data FROM auth_sessions")]
    assert rows and all(code not in data for data in rows)  # only a digest is stored
    with raises_cognito("CodeMismatchException", "Invalid code or auth state for the user."):
        rig.answer(challenge["Session"], "00000000" if code != "00000000" else "11111111")
    result = rig.answer(challenge["Session"], code)
    assert "AccessToken" in result["AuthenticationResult"]
    assert rig.attribute("email_verified") == "true"  # marked verified after first success (§6)
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        rig.answer(challenge["Session"], code)


def test_optional_pool_uses_email_only_when_activated(engine: Engine) -> None:
    rig = EmailRig(engine, "OPTIONAL")
    assert "AuthenticationResult" in rig.login()
    engine.call(
        "AdminSetUserMFAPreference",
        {"UserPoolId": rig.pool_id, "Username": "jane", "EmailMfaSettings": {"Enabled": True}},
        iam_principal=IAM,
    )
    challenge = rig.login()
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert "AuthenticationResult" in rig.answer(challenge["Session"], rig.mailed_code())


def test_email_code_expires_with_its_session(engine: Engine, clock: FakeClock) -> None:
    rig = EmailRig(engine, "ON", recovery=["admin_only"])
    challenge = rig.login()
    code = rig.mailed_code()
    clock.advance(3 * 60)
    with raises_cognito(
        "NotAuthorizedException", "Invalid session for the user, session is expired."
    ):
        rig.answer(challenge["Session"], code)


def test_each_sign_in_gets_a_new_code(engine: Engine) -> None:
    rig = EmailRig(engine, "ON", recovery=["admin_only"])
    first = rig.login()
    old = rig.mailed_code()
    second = rig.login()
    new = rig.mailed_code()
    assert len(rig.mailer.messages) == 2
    assert old != new  # 8 random digits: equal with probability 1e-8
    with raises_cognito("CodeMismatchException"):
        rig.answer(second["Session"], old)
    assert "AuthenticationResult" in rig.answer(second["Session"], new)
    with raises_cognito("CodeMismatchException"):
        rig.answer(first["Session"], new)


def test_delivery_failure_is_reported(engine: Engine) -> None:
    rig = EmailRig(engine, "ON", recovery=["admin_only"])

    class Broken:
        def send(self, message: Message) -> None:
            raise OSError("smtp down")

    engine.mailer = Broken()
    with raises_cognito("CodeDeliveryFailureException"):
        rig.login()


def test_choosing_email_in_select_mfa_type_sends_the_code(engine: Engine, clock: FakeClock) -> None:
    rig = EmailRig(engine, "OPTIONAL")
    with engine.db.transaction() as conn:
        user_id = conn.execute("SELECT id FROM users WHERE username = 'jane'").fetchone()[0]
        ctx = Context(engine, clock.now(), None)
        secret = totp.start_association(ctx, conn, user_id)
        user = load_user_by_id(conn, user_id)
        code = totp.code_at(secret, totp.step_at(ctx.now))
        assert totp.verify_association(ctx, conn, user, code, "p") is totp.Verdict.ACCEPTED
        conn.execute(
            "UPDATE users SET mfa_enabled = ? WHERE id = ?",
            (json.dumps(["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]), user_id),
        )
    select = rig.login()
    assert select["ChallengeName"] == "SELECT_MFA_TYPE"
    assert rig.mailer.messages == []  # nothing is sent before the user chooses email
    chosen = engine.call(
        "RespondToAuthChallenge",
        {
            "ClientId": rig.client_id,
            "ChallengeName": "SELECT_MFA_TYPE",
            "Session": select["Session"],
            "ChallengeResponses": {"USERNAME": "jane", "ANSWER": "EMAIL_OTP"},
        },
    )
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    assert chosen["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "j***@e***"
    assert "AuthenticationResult" in rig.answer(chosen["Session"], rig.mailed_code())
