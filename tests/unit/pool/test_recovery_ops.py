"""ForgotPassword / ConfirmForgotPassword / AdminResetUserPassword through ``engine.call``."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.pool import totp
from mfa_portal.pool.clock import FakeClock
from mfa_portal.pool.delivery import MemoryMailer, Message
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.errors import CognitoError
from mfa_portal.pool.ops.recovery_ops import (
    CODE_MISMATCH,
    CONTACT_ADMIN,
    EXPIRED_CODE,
    NO_DESTINATION,
    NOT_FOUND,
)
from mfa_portal.pool.pools import load_pool, save_pool
from mfa_portal.pool.secret_hash import compute_secret_hash

IAM = "test"
PASSWORD = "Passw0rd!x"
NEW_PASSWORD = "N3w-passw0rd!"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
LIMIT = "Attempt limit exceeded, please try after some time."
HOUR = 3600.0


class Rig:
    """A pool and client made through the API, users with chosen channels, and recovery calls."""

    def __init__(
        self,
        engine: Engine,
        *,
        recovery: list[str] | None = None,
        prevent: bool = False,
        secret: bool = False,
        pool_extra: dict[str, Any] | None = None,
    ) -> None:
        self.engine = engine
        pool: dict[str, Any] = {"PoolName": "p", **(pool_extra or {})}
        if recovery is not None:
            pool["AccountRecoverySetting"] = {
                "RecoveryMechanisms": [
                    {"Name": name, "Priority": i + 1} for i, name in enumerate(recovery)
                ]
            }
        self.pool_id: str = self.admin("CreateUserPool", pool_id=False, **pool)["UserPool"]["Id"]
        made = self.admin(
            "CreateUserPoolClient",
            ClientName="c",
            GenerateSecret=secret,
            ExplicitAuthFlows=FLOWS,
            PreventUserExistenceErrors="ENABLED" if prevent else "LEGACY",
        )["UserPoolClient"]
        self.client_id: str = made["ClientId"]
        self.secret: str | None = made.get("ClientSecret")

    @property
    def clock(self) -> FakeClock:
        assert isinstance(self.engine.clock, FakeClock)
        return self.engine.clock

    @property
    def mailer(self) -> MemoryMailer:
        assert isinstance(self.engine.mailer, MemoryMailer)
        return self.engine.mailer

    def admin(self, op: str, *, pool_id: bool = True, **params: Any) -> dict[str, Any]:
        if pool_id:
            params = {"UserPoolId": self.pool_id, **params}
        return self.engine.call(op, params, iam_principal=IAM)

    def user(
        self,
        name: str,
        *,
        email: str | None = None,
        email_verified: bool = True,
        phone: str | None = None,
        permanent: bool = True,
    ) -> None:
        attrs = []
        if email is not None:
            attrs += [{"Name": "email", "Value": email}]
            attrs += [{"Name": "email_verified", "Value": str(email_verified).lower()}]
        if phone is not None:
            attrs += [
                {"Name": "phone_number", "Value": phone},
                {"Name": "phone_number_verified", "Value": "true"},
            ]
        self.admin(
            "AdminCreateUser",
            Username=name,
            UserAttributes=attrs,
            MessageAction="SUPPRESS",
            TemporaryPassword="Temp-pass-123",
        )
        if permanent:
            self.admin("AdminSetUserPassword", Username=name, Password=PASSWORD, Permanent=True)

    def set_mfa(self, doc: dict[str, Any]) -> None:
        """Written directly: the pool's stored SetUserPoolMfaConfig document."""
        with self.engine.db.transaction() as conn:
            pool = load_pool(conn, self.pool_id)
            pool.mfa = doc
            save_pool(conn, pool)

    def _client_params(self, name: str) -> dict[str, Any]:
        params: dict[str, Any] = {"ClientId": self.client_id, "Username": name}
        if self.secret is not None:
            params["SecretHash"] = compute_secret_hash(self.secret, name, self.client_id)
        return params

    def forgot(self, name: str, **extra: Any) -> dict[str, Any]:
        return self.engine.call("ForgotPassword", {**self._client_params(name), **extra})

    def confirm(
        self, name: str, code: str, password: str = NEW_PASSWORD, **extra: Any
    ) -> dict[str, Any]:
        params = {**self._client_params(name), "ConfirmationCode": code, "Password": password}
        return self.engine.call("ConfirmForgotPassword", {**params, **extra})

    def login(self, name: str, password: str = PASSWORD) -> dict[str, Any]:
        auth = {"USERNAME": name, "PASSWORD": password}
        if self.secret is not None:
            auth["SECRET_HASH"] = compute_secret_hash(self.secret, name, self.client_id)
        return self.engine.call(
            "InitiateAuth",
            {"ClientId": self.client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": auth},
        )

    def code_sent_to(self, address: str) -> str:
        message = self.mailer.last_to(address)
        assert message is not None, f"no mail to {address}"
        found = re.search(r"\b(\d{6})\b", message.body)
        assert found is not None, message.body
        return found.group(1)

    def status(self, name: str) -> str:
        return str(self.admin("AdminGetUser", Username=name)["UserStatus"])


def fails(call: Any, code: str, message: str | None = None) -> CognitoError:
    with pytest.raises(CognitoError) as caught:
        call()
    assert caught.value.code == code, caught.value
    if message is not None:
        assert caught.value.message == message
    return caught.value


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def reset_rows(engine: Engine) -> int:
    with engine.db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM reset_codes").fetchone()[0])


# --- ForgotPassword: the happy path and the destination ----------------------------------------------


def test_forgot_password_mails_a_six_digit_code_and_confirm_sets_the_password(
    engine: Engine,
) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    result = rig.forgot("alice")
    assert result == {
        "CodeDeliveryDetails": {
            "Destination": "a***@e***",
            "DeliveryMedium": "EMAIL",
            "AttributeName": "email",
        }
    }
    code = rig.code_sent_to("alice@example.com")
    assert rig.confirm("alice", code) == {}
    assert rig.status("alice") == "CONFIRMED"
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)
    fails(lambda: rig.login("alice"), "NotAuthorizedException", "Incorrect username or password.")


def test_the_pools_verification_template_is_used(engine: Engine) -> None:
    template = {"EmailMessage": "Reset with {####} now", "EmailSubject": "Reset"}
    rig = Rig(engine, pool_extra={"VerificationMessageTemplate": template})
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    message = rig.mailer.last_to("alice@example.com")
    assert message is not None
    assert message.subject == "Reset"
    assert re.fullmatch(r"Reset with \d{6} now", message.body)


def test_unknown_client(engine: Engine) -> None:
    params = {"ClientId": "1" * 26, "Username": "alice"}
    fails(lambda: engine.call("ForgotPassword", params), "ResourceNotFoundException")
    confirm = {**params, "ConfirmationCode": "123456", "Password": NEW_PASSWORD}
    fails(lambda: engine.call("ConfirmForgotPassword", confirm), "ResourceNotFoundException")


def test_secret_client_needs_a_valid_secret_hash(engine: Engine) -> None:
    rig = Rig(engine, secret=True)
    rig.user("alice", email="alice@example.com")
    base = {"ClientId": rig.client_id, "Username": "alice"}
    err = fails(lambda: engine.call("ForgotPassword", base), "NotAuthorizedException")
    assert err.message.endswith("is configured for secret but secret was not received")
    bad = {**base, "SecretHash": compute_secret_hash("not-the-secret", "alice", rig.client_id)}
    err = fails(lambda: engine.call("ForgotPassword", bad), "NotAuthorizedException")
    assert err.message.startswith("Unable to verify secret hash")
    assert rig.mailer.messages == []
    rig.forgot("alice")  # with the right hash
    code = rig.code_sent_to("alice@example.com")
    confirm = {**bad, "ConfirmationCode": code, "Password": NEW_PASSWORD}
    fails(lambda: engine.call("ConfirmForgotPassword", confirm), "NotAuthorizedException")
    rig.confirm("alice", code)
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)


@pytest.mark.parametrize("prevent", [False, True])
def test_admin_only_pools_refuse_self_service(engine: Engine, prevent: bool) -> None:
    rig = Rig(engine, recovery=["admin_only"], prevent=prevent)
    rig.user("alice", email="alice@example.com")
    fails(lambda: rig.forgot("alice"), "NotAuthorizedException", CONTACT_ADMIN)
    fails(lambda: rig.forgot("nobody"), "NotAuthorizedException", CONTACT_ADMIN)
    assert rig.mailer.messages == []


def test_legacy_order_skips_the_phone_because_sms_is_never_sent(engine: Engine) -> None:
    rig = Rig(engine)  # no AccountRecoverySetting: verified phone first, then verified email
    rig.user("alice", email="alice@example.com", phone="+15555550100")
    details = rig.forgot("alice")["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL"
    assert rig.mailer.last_to("alice@example.com") is not None


@pytest.mark.parametrize(
    ("recovery", "email_verified", "phone"),
    [
        (None, False, None),  # unverified email only
        (None, False, "+15555550100"),  # verified phone: SMS is not delivered here
        (["verified_phone_number"], True, "+15555550100"),  # email is not a mechanism
    ],
)
def test_no_usable_destination(
    engine: Engine, recovery: list[str] | None, email_verified: bool, phone: str | None
) -> None:
    rig = Rig(engine, recovery=recovery)
    rig.user("alice", email="alice@example.com", email_verified=email_verified, phone=phone)
    fails(lambda: rig.forgot("alice"), "InvalidParameterException", NO_DESTINATION)
    assert rig.mailer.messages == []
    assert reset_rows(engine) == 0


def test_no_email_at_all(engine: Engine) -> None:
    rig = Rig(engine, recovery=["verified_email"])
    rig.user("alice")
    fails(lambda: rig.forgot("alice"), "InvalidParameterException", NO_DESTINATION)


def test_email_second_priority_after_phone(engine: Engine) -> None:
    rig = Rig(engine, recovery=["verified_phone_number", "verified_email"])
    rig.user("alice", email="alice@example.com", phone="+15555550100")
    assert rig.forgot("alice")["CodeDeliveryDetails"]["Destination"] == "a***@e***"


@pytest.mark.parametrize(
    ("enabled", "preferred"),
    [(["EMAIL_OTP"], "EMAIL_OTP"), (["EMAIL_OTP"], None), ([], "EMAIL_OTP")],
)
def test_email_mfa_users_cannot_reset_by_email(
    engine: Engine, enabled: list[str], preferred: str | None
) -> None:
    rig = Rig(engine, recovery=["verified_email", "verified_phone_number"])
    rig.user("alice", email="alice@example.com", phone="+15555550100")
    with engine.db.transaction() as conn:
        conn.execute(
            "UPDATE users SET mfa_enabled = ?, preferred_mfa = ? WHERE username = 'alice'",
            (str(enabled).replace("'", '"'), preferred),
        )
    fails(lambda: rig.forgot("alice"), "InvalidParameterException", NO_DESTINATION)
    fails(
        lambda: rig.admin("AdminResetUserPassword", Username="alice"),
        "InvalidParameterException",
        NO_DESTINATION,
    )
    assert rig.mailer.messages == []


EMAIL_MFA_ON = {
    "MfaConfiguration": "ON",
    "SoftwareTokenMfaConfiguration": {"Enabled": True},
    "EmailMfaConfiguration": {"Message": "Code {####}", "Subject": "Code"},
}


def test_required_email_mfa_takes_email_when_the_user_also_has_a_phone(engine: Engine) -> None:
    """With both channels verified, an ON email-MFA pool uses email for MFA (mfa_decision)."""
    rig = Rig(engine)
    rig.set_mfa(EMAIL_MFA_ON)
    rig.user("both", email="both@example.com", phone="+15555550100")
    fails(lambda: rig.forgot("both"), "InvalidParameterException", NO_DESTINATION)
    rig.user("mailonly", email="mailonly@example.com")  # email is its only recovery channel
    assert rig.forgot("mailonly")["CodeDeliveryDetails"]["Destination"] == "m***@e***"


# --- ForgotPassword: PreventUserExistenceErrors, disabled users, limits ------------------------------


def test_unknown_user_legacy(engine: Engine) -> None:
    rig = Rig(engine)
    fails(lambda: rig.forgot("nobody"), "UserNotFoundException", NOT_FOUND)


def test_unknown_user_enabled_gets_a_stable_simulated_destination(engine: Engine) -> None:
    rig = Rig(engine, prevent=True)
    first = rig.forgot("nobody")["CodeDeliveryDetails"]
    assert first["DeliveryMedium"] == "EMAIL"
    assert first["AttributeName"] == "email"
    assert re.fullmatch(r"n\*\*\*@[a-z]\*\*\*", first["Destination"])
    assert rig.forgot("nobody")["CodeDeliveryDetails"] == first
    named = rig.forgot("ghost@example.org")["CodeDeliveryDetails"]["Destination"]
    assert named == "g***@e***"
    assert rig.mailer.messages == []
    assert reset_rows(engine) == 0
    for _ in range(8):  # no state, so no rate limit to reveal anything
        rig.forgot("nobody")


def test_disabled_user(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    rig.admin("AdminDisableUser", Username="alice")
    fails(lambda: rig.forgot("alice"), "NotAuthorizedException", "User is disabled.")
    assert rig.mailer.messages == []


@pytest.mark.parametrize("disabled", [True, False])
def test_enabled_mode_answers_like_a_real_send_for_disabled_or_unreachable_users(
    engine: Engine, disabled: bool
) -> None:
    rig = Rig(engine, prevent=True)
    rig.user("alice", email="alice@example.com", email_verified=disabled)
    if disabled:
        rig.admin("AdminDisableUser", Username="alice")
    details = rig.forgot("alice")["CodeDeliveryDetails"]
    assert details == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert rig.mailer.messages == []
    assert reset_rows(engine) == 0


def test_five_requests_per_hour_then_limit_exceeded(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    for _ in range(5):
        rig.forgot("alice")
        rig.clock.advance(60)
    fails(lambda: rig.forgot("alice"), "LimitExceededException", LIMIT)
    assert len(rig.mailer.messages) == 5
    rig.clock.advance(HOUR - 5 * 60)  # the first request is now an hour old: one slot frees up
    rig.forgot("alice")
    fails(lambda: rig.forgot("alice"), "LimitExceededException", LIMIT)


def test_a_new_request_replaces_the_old_code(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    old = rig.code_sent_to("alice@example.com")
    rig.forgot("alice")
    new = rig.code_sent_to("alice@example.com")
    if old != new:
        fails(lambda: rig.confirm("alice", old), "CodeMismatchException", CODE_MISMATCH)
    rig.confirm("alice", new)


def test_delivery_failure_is_reported(engine: Engine) -> None:
    class Broken:
        def send(self, message: Message) -> None:
            raise OSError(f"SMTP down while sending {message.body}")

    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    engine.mailer = Broken()
    err = fails(lambda: rig.forgot("alice"), "CodeDeliveryFailureException")
    assert not re.search(r"\d{6}", err.message)


# --- ConfirmForgotPassword ---------------------------------------------------------------------------


def test_wrong_codes_then_the_code_is_void(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    code = rig.code_sent_to("alice@example.com")
    for _ in range(5):
        fails(lambda: rig.confirm("alice", wrong(code)), "CodeMismatchException", CODE_MISMATCH)
    fails(lambda: rig.confirm("alice", code), "ExpiredCodeException", EXPIRED_CODE)
    rig.forgot("alice")  # a new code starts a new count
    fails(lambda: rig.confirm("alice", wrong(code)), "CodeMismatchException")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))


def test_code_is_valid_for_one_hour(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    rig.user("bob", email="bob@example.com")
    rig.forgot("alice")
    rig.forgot("bob")
    rig.clock.advance(HOUR - 1)
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    rig.clock.advance(1)
    code = rig.code_sent_to("bob@example.com")
    fails(lambda: rig.confirm("bob", code), "ExpiredCodeException", EXPIRED_CODE)


def test_never_requested_or_already_used(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    fails(lambda: rig.confirm("alice", "123456"), "ExpiredCodeException", EXPIRED_CODE)
    rig.forgot("alice")
    code = rig.code_sent_to("alice@example.com")
    rig.confirm("alice", code)
    fails(lambda: rig.confirm("alice", code, "An0ther-pass!"), "ExpiredCodeException")
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)


def test_a_code_belongs_to_its_user(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    rig.user("bob", email="bob@example.com")
    rig.forgot("alice")
    rig.forgot("bob")
    alice_code = rig.code_sent_to("alice@example.com")
    if alice_code != rig.code_sent_to("bob@example.com"):
        fails(lambda: rig.confirm("bob", alice_code), "CodeMismatchException")
    rig.confirm("alice", alice_code)


def test_unknown_and_disabled_users_legacy(engine: Engine) -> None:
    rig = Rig(engine)
    fails(lambda: rig.confirm("nobody", "123456"), "UserNotFoundException", NOT_FOUND)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    rig.admin("AdminDisableUser", Username="alice")
    code = rig.code_sent_to("alice@example.com")
    fails(lambda: rig.confirm("alice", code), "NotAuthorizedException", "User is disabled.")


def test_unknown_and_disabled_users_enabled(engine: Engine) -> None:
    rig = Rig(engine, prevent=True)
    fails(lambda: rig.confirm("nobody", "123456"), "CodeMismatchException", CODE_MISMATCH)
    rig.user("bob", email="bob@example.com")  # exists, never asked: spec §7.3
    fails(lambda: rig.confirm("bob", "123456"), "ExpiredCodeException", EXPIRED_CODE)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    rig.admin("AdminDisableUser", Username="alice")
    code = rig.code_sent_to("alice@example.com")
    fails(lambda: rig.confirm("alice", code), "CodeMismatchException", CODE_MISMATCH)


def test_new_password_must_meet_the_policy_and_the_code_survives(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    code = rig.code_sent_to("alice@example.com")
    fails(lambda: rig.confirm("alice", code, "short"), "InvalidPasswordException")
    err = fails(lambda: rig.confirm("alice", code, " Lead1ng-space"), "InvalidParameterException")
    assert "'password'" in err.message and "Lead1ng" not in err.message
    rig.confirm("alice", code)


def test_reset_confirms_a_force_change_password_user(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com", permanent=False)
    assert rig.status("alice") == "FORCE_CHANGE_PASSWORD"
    rig.forgot("alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    assert rig.status("alice") == "CONFIRMED"
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)


def test_reset_clears_the_lockout(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    for _ in range(6):
        try:
            rig.login("alice", "Wrong-pass-1")
        except CognitoError:
            pass
    fails(lambda: rig.login("alice"), "NotAuthorizedException", "Password attempts exceeded")
    rig.forgot("alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)


def test_reset_signs_the_user_out_everywhere(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    auth = rig.login("alice")["AuthenticationResult"]
    rig.clock.advance(2)
    engine.call("GetUser", {"AccessToken": auth["AccessToken"]})
    rig.forgot("alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    fails(
        lambda: engine.call("GetUser", {"AccessToken": auth["AccessToken"]}),
        "NotAuthorizedException",
    )
    refresh = {
        "ClientId": rig.client_id,
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": auth["RefreshToken"]},
    }
    fails(lambda: engine.call("InitiateAuth", refresh), "NotAuthorizedException")


def test_mfa_is_still_required_after_a_reset(engine: Engine) -> None:
    rig = Rig(engine)
    rig.set_mfa(
        {"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": True}}
    )
    rig.user("alice", email="alice@example.com")
    access = rig.login("alice")["AuthenticationResult"]["AccessToken"]
    secret = engine.call("AssociateSoftwareToken", {"AccessToken": access})["SecretCode"]
    code = totp.code_at(secret, totp.step_at(rig.clock.now()))
    verified = engine.call("VerifySoftwareToken", {"AccessToken": access, "UserCode": code})
    assert verified["Status"] == "SUCCESS"
    engine.call(
        "SetUserMFAPreference",
        {
            "AccessToken": access,
            "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
        },
    )
    before = rig.admin("AdminGetUser", Username="alice")
    rig.forgot("alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    after = rig.admin("AdminGetUser", Username="alice")
    assert after["UserMFASettingList"] == before["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert after["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    rig.clock.advance(30)
    challenge = rig.login("alice", NEW_PASSWORD)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in challenge
    done = engine.call(
        "RespondToAuthChallenge",
        {
            "ClientId": rig.client_id,
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": challenge["Session"],
            "ChallengeResponses": {
                "USERNAME": "alice",
                "SOFTWARE_TOKEN_MFA_CODE": totp.code_at(secret, totp.step_at(rig.clock.now())),
            },
        },
    )
    assert "AccessToken" in done["AuthenticationResult"]


def test_two_racing_confirms_with_one_code_exactly_one_wins(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    code = rig.code_sent_to("alice@example.com")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def confirm(password: str) -> None:
        barrier.wait()
        try:
            rig.confirm("alice", code, password)
            result = password
        except CognitoError as exc:
            result = exc.code
        finally:
            engine.db.close()  # this thread's connection
        with lock:
            outcomes.append(result)

    passwords = ["Fir5t-winner!", "Sec0nd-winner!"]
    threads = [threading.Thread(target=confirm, args=(pw,)) for pw in passwords]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == 2 and "ExpiredCodeException" in outcomes
    winner = next(o for o in outcomes if o != "ExpiredCodeException")
    assert "AuthenticationResult" in rig.login("alice", winner)


def test_codes_are_never_stored_or_logged_in_clear(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")

    def stored_bytes() -> bytes:
        files = sorted((tmp_path / "pool").glob("pool.sqlite3*"))
        return b"".join(f.read_bytes() for f in files)

    for _ in range(5):  # a new code until one is not there by coincidence before it was issued
        before = stored_bytes()
        rig.forgot("alice")
        code = rig.code_sent_to("alice@example.com")
        if code.encode() not in before:
            break
    else:
        pytest.fail("every code was already in the database by chance")
    assert code.encode() not in stored_bytes()
    with engine.db.read() as conn:
        (stored,) = conn.execute("SELECT code_hash FROM reset_codes").fetchone()
    assert code not in stored
    fails(lambda: rig.confirm("alice", wrong(code)), "CodeMismatchException")
    rig.confirm("alice", code)
    assert "password reset completed" in caplog.text
    assert code not in caplog.text and wrong(code) not in caplog.text
    assert NEW_PASSWORD not in caplog.text


def test_email_username_pool_resets_by_the_email_it_signs_in_with(engine: Engine) -> None:
    rig = Rig(engine, secret=True, pool_extra={"UsernameAttributes": ["email"]})
    rig.user("carol@example.com", email="carol@example.com")
    details = rig.forgot("carol@example.com")["CodeDeliveryDetails"]
    assert details["Destination"] == "c***@e***"
    rig.confirm("carol@example.com", rig.code_sent_to("carol@example.com"))
    assert "AuthenticationResult" in rig.login("carol@example.com", NEW_PASSWORD)


# --- AdminResetUserPassword --------------------------------------------------------------------------


@pytest.mark.parametrize("prevent", [False, True])
def test_admin_reset_requires_a_reset_then_confirm_completes_it(
    engine: Engine, prevent: bool
) -> None:
    rig = Rig(engine, prevent=prevent)
    rig.user("alice", email="alice@example.com")
    auth = rig.login("alice")["AuthenticationResult"]
    rig.clock.advance(2)
    assert rig.admin("AdminResetUserPassword", Username="alice") == {}
    assert rig.status("alice") == "RESET_REQUIRED"
    fails(
        lambda: rig.login("alice"),
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )
    fails(
        lambda: engine.call("GetUser", {"AccessToken": auth["AccessToken"]}),
        "NotAuthorizedException",
    )
    code = rig.code_sent_to("alice@example.com")
    rig.confirm("alice", code)
    assert rig.status("alice") == "CONFIRMED"
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)
    fails(lambda: rig.login("alice"), "NotAuthorizedException")


def test_admin_reset_is_not_limited_by_forgot_password_requests(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("alice", email="alice@example.com")
    for _ in range(5):
        rig.forgot("alice")
    rig.admin("AdminResetUserPassword", Username="alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    fails(lambda: rig.forgot("alice"), "LimitExceededException", LIMIT)  # the count is kept


def test_admin_reset_errors(engine: Engine) -> None:
    rig = Rig(engine)
    rig.user("nomail")
    fails(
        lambda: rig.admin("AdminResetUserPassword", Username="nomail"),
        "InvalidParameterException",
        NO_DESTINATION,
    )
    assert rig.status("nomail") == "CONFIRMED"
    fails(
        lambda: rig.admin("AdminResetUserPassword", Username="nobody"),
        "UserNotFoundException",
        "User does not exist.",
    )
    fails(
        lambda: engine.call(
            "AdminResetUserPassword", {"UserPoolId": rig.pool_id, "Username": "nomail"}
        ),
        "MissingAuthenticationTokenException",
    )
    admin_only = Rig(engine, recovery=["admin_only"])
    admin_only.user("alice", email="alice@example.com")
    err = fails(
        lambda: admin_only.admin("AdminResetUserPassword", Username="alice"),
        "InvalidParameterException",
    )
    assert "self-service account recovery" in err.message
    assert admin_only.status("alice") == "CONFIRMED"
    assert rig.mailer.messages == []
