"""ForgotPassword through ``engine.call``: the destination, user existence, disabled users, limits."""

from __future__ import annotations

import re

import pytest

from mfa_portal.cognito_api import messages
from mfa_portal.cognito_api.secret_hash import compute_secret_hash
from mfa_portal.mail import Message
from mfa_portal.pool.engine import Engine
from tests.support.cognito_errors import raises_cognito
from tests.support.recovery_world import HOUR, LIMIT, NEW_PASSWORD, RecoveryRig, reset_rows

# --- ForgotPassword: the happy path and the destination ----------------------------------------------


def test_forgot_password_mails_a_six_digit_code_and_confirm_sets_the_password(
    engine: Engine,
) -> None:
    rig = RecoveryRig(engine)
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
    with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
        rig.login("alice")


def test_the_pools_verification_template_is_used(engine: Engine) -> None:
    template = {"EmailMessage": "Reset with {####} now", "EmailSubject": "Reset"}
    rig = RecoveryRig(engine, pool_extra={"VerificationMessageTemplate": template})
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    message = rig.mailer.last_to("alice@example.com")
    assert message is not None
    assert message.subject == "Reset"
    assert re.fullmatch(r"Reset with \d{6} now", message.body)


def test_unknown_client(engine: Engine) -> None:
    params = {"ClientId": "1" * 26, "Username": "alice"}
    with raises_cognito("ResourceNotFoundException"):
        engine.call("ForgotPassword", params)
    confirm = {**params, "ConfirmationCode": "123456", "Password": NEW_PASSWORD}
    with raises_cognito("ResourceNotFoundException"):
        engine.call("ConfirmForgotPassword", confirm)


def test_secret_client_needs_a_valid_secret_hash(engine: Engine) -> None:
    rig = RecoveryRig(engine, secret=True)
    rig.user("alice", email="alice@example.com")
    base = {"ClientId": rig.client_id, "Username": "alice"}
    with raises_cognito("NotAuthorizedException") as err:
        engine.call("ForgotPassword", base)
    assert err.message.endswith("is configured for secret but secret was not received")
    bad = {**base, "SecretHash": compute_secret_hash("not-the-secret", "alice", rig.client_id)}
    with raises_cognito("NotAuthorizedException") as err:
        engine.call("ForgotPassword", bad)
    assert err.message.startswith("Unable to verify secret hash")
    assert rig.mailer.messages == []
    rig.forgot("alice")  # with the right hash
    code = rig.code_sent_to("alice@example.com")
    confirm = {**bad, "ConfirmationCode": code, "Password": NEW_PASSWORD}
    with raises_cognito("NotAuthorizedException"):
        engine.call("ConfirmForgotPassword", confirm)
    rig.confirm("alice", code)
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)


@pytest.mark.parametrize("prevent", [False, True])
def test_admin_only_pools_refuse_self_service(engine: Engine, prevent: bool) -> None:
    rig = RecoveryRig(engine, recovery=["admin_only"], prevent=prevent)
    rig.user("alice", email="alice@example.com")
    with raises_cognito("NotAuthorizedException", messages.CONTACT_ADMIN):
        rig.forgot("alice")
    with raises_cognito("NotAuthorizedException", messages.CONTACT_ADMIN):
        rig.forgot("nobody")
    assert rig.mailer.messages == []


def test_legacy_order_skips_the_phone_because_sms_is_never_sent(engine: Engine) -> None:
    rig = RecoveryRig(
        engine
    )  # no AccountRecoverySetting: verified phone first, then verified email
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
    rig = RecoveryRig(engine, recovery=recovery)
    rig.user("alice", email="alice@example.com", email_verified=email_verified, phone=phone)
    with raises_cognito("InvalidParameterException", messages.NO_RECOVERY_DESTINATION):
        rig.forgot("alice")
    assert rig.mailer.messages == []
    assert reset_rows(engine) == 0


def test_no_email_at_all(engine: Engine) -> None:
    rig = RecoveryRig(engine, recovery=["verified_email"])
    rig.user("alice")
    with raises_cognito("InvalidParameterException", messages.NO_RECOVERY_DESTINATION):
        rig.forgot("alice")


def test_email_second_priority_after_phone(engine: Engine) -> None:
    rig = RecoveryRig(engine, recovery=["verified_phone_number", "verified_email"])
    rig.user("alice", email="alice@example.com", phone="+15555550100")
    assert rig.forgot("alice")["CodeDeliveryDetails"]["Destination"] == "a***@e***"


@pytest.mark.parametrize(
    ("enabled", "preferred"),
    [(["EMAIL_OTP"], "EMAIL_OTP"), (["EMAIL_OTP"], None), ([], "EMAIL_OTP")],
)
def test_email_mfa_users_cannot_reset_by_email(
    engine: Engine, enabled: list[str], preferred: str | None
) -> None:
    rig = RecoveryRig(engine, recovery=["verified_email", "verified_phone_number"])
    rig.user("alice", email="alice@example.com", phone="+15555550100")
    with engine.db.transaction() as conn:
        conn.execute(
            "UPDATE users SET mfa_enabled = ?, preferred_mfa = ? WHERE username = 'alice'",
            (str(enabled).replace("'", '"'), preferred),
        )
    with raises_cognito("InvalidParameterException", messages.NO_RECOVERY_DESTINATION):
        rig.forgot("alice")
    with raises_cognito("InvalidParameterException", messages.NO_RECOVERY_DESTINATION):
        rig.admin("AdminResetUserPassword", Username="alice")
    assert rig.mailer.messages == []


EMAIL_MFA_ON = {
    "MfaConfiguration": "ON",
    "SoftwareTokenMfaConfiguration": {"Enabled": True},
    "EmailMfaConfiguration": {"Message": "Code {####}", "Subject": "Code"},
}


def test_required_email_mfa_takes_email_when_the_user_also_has_a_phone(engine: Engine) -> None:
    """With both channels verified, an ON email-MFA pool uses email for MFA (mfa_decision)."""
    rig = RecoveryRig(engine)
    rig.set_mfa(EMAIL_MFA_ON)
    rig.user("both", email="both@example.com", phone="+15555550100")
    with raises_cognito("InvalidParameterException", messages.NO_RECOVERY_DESTINATION):
        rig.forgot("both")
    rig.user("mailonly", email="mailonly@example.com")  # email is its only recovery channel
    assert rig.forgot("mailonly")["CodeDeliveryDetails"]["Destination"] == "m***@e***"


# --- ForgotPassword: PreventUserExistenceErrors, disabled users, limits ------------------------------


def test_unknown_user_legacy(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    with raises_cognito("UserNotFoundException", messages.USERNAME_CLIENT_NOT_FOUND):
        rig.forgot("nobody")


def test_unknown_user_enabled_gets_a_stable_simulated_destination(engine: Engine) -> None:
    rig = RecoveryRig(engine, prevent=True)
    first = rig.forgot("nobody")["CodeDeliveryDetails"]
    assert first["DeliveryMedium"] == "EMAIL"
    assert first["AttributeName"] == "email"
    assert re.fullmatch(r"n\*\*\*@[a-z]\*\*\*", first["Destination"])
    assert rig.forgot("nobody")["CodeDeliveryDetails"] == first
    named = rig.forgot("ghost@example.org")["CodeDeliveryDetails"]["Destination"]
    assert named == "g***@e***"
    assert rig.mailer.messages == []
    assert reset_rows(engine) == 0
    for _ in range(3):  # the hourly limit applies as to a user (test_user_existence.py)
        rig.forgot("nobody")
    with raises_cognito("LimitExceededException", LIMIT):
        rig.forgot("nobody")


def test_disabled_user(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    rig.admin("AdminDisableUser", Username="alice")
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        rig.forgot("alice")
    assert rig.mailer.messages == []


@pytest.mark.parametrize("disabled", [True, False])
def test_enabled_mode_answers_like_a_real_send_for_disabled_or_unreachable_users(
    engine: Engine, disabled: bool
) -> None:
    rig = RecoveryRig(engine, prevent=True)
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
    assert reset_rows(engine) == 1  # an undelivered code: the hourly limit counts as for anyone


def test_five_requests_per_hour_then_limit_exceeded(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    for _ in range(5):
        rig.forgot("alice")
        rig.clock.advance(60)
    with raises_cognito("LimitExceededException", LIMIT):
        rig.forgot("alice")
    assert len(rig.mailer.messages) == 5
    rig.clock.advance(HOUR - 5 * 60)  # the first request is now an hour old: one slot frees up
    rig.forgot("alice")
    with raises_cognito("LimitExceededException", LIMIT):
        rig.forgot("alice")


def test_a_new_request_replaces_the_old_code(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    old = rig.code_sent_to("alice@example.com")
    rig.forgot("alice")
    new = rig.code_sent_to("alice@example.com")
    if old != new:
        with raises_cognito("CodeMismatchException", messages.CONFIRMATION_CODE_MISMATCH):
            rig.confirm("alice", old)
    rig.confirm("alice", new)


def test_delivery_failure_is_reported(engine: Engine) -> None:
    class Broken:
        def send(self, message: Message) -> None:
            raise OSError(f"SMTP down while sending {message.body}")

    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    engine.mailer = Broken()
    with raises_cognito("CodeDeliveryFailureException") as err:
        rig.forgot("alice")
    assert not re.search(r"\d{6}", err.message)
