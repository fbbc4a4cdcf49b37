"""SetUserPoolMfaConfig / GetUserPoolMfaConfig: every rule of spec §2.2 with its message."""

from __future__ import annotations

from typing import Any

import pytest

from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_pool
from tests.support.cognito_errors import raises_cognito
from tests.support.engine_calls import SMS, call, create_pool

TOTP_ON = {"Enabled": True}
EMAIL = {"Message": "Your code is {####}", "Subject": "Sign-in code"}
DEVELOPER = {
    "EmailSendingAccount": "DEVELOPER",
    "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
}
OFF_WITH_FACTOR = (
    "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
)
NO_FACTOR = (
    "Invalid MFA configuration given, can't disable all MFAs with a required or optional "
    "configuration."
)


def set_mfa(engine: Engine, pool_id: str, **params: Any) -> dict[str, Any]:
    return call(engine, "SetUserPoolMfaConfig", {"UserPoolId": pool_id, **params})


def get_mfa(engine: Engine, pool_id: str) -> dict[str, Any]:
    return call(engine, "GetUserPoolMfaConfig", {"UserPoolId": pool_id})


def test_new_pool_has_mfa_off(engine: Engine) -> None:
    pool = create_pool(engine)
    assert get_mfa(engine, pool["Id"]) == {"MfaConfiguration": "OFF"}


@pytest.mark.parametrize("level", ["OPTIONAL", "ON"])
def test_totp_on_an_existing_pool(engine: Engine, level: str) -> None:
    pool = create_pool(engine)
    response = set_mfa(
        engine, pool["Id"], MfaConfiguration=level, SoftwareTokenMfaConfiguration=TOTP_ON
    )
    assert response == {"MfaConfiguration": level, "SoftwareTokenMfaConfiguration": TOTP_ON}
    assert get_mfa(engine, pool["Id"]) == response
    assert (
        call(engine, "DescribeUserPool", {"UserPoolId": pool["Id"]})["UserPool"]["MfaConfiguration"]
        == level
    )
    with engine.db.read() as conn:
        stored = load_pool(conn, pool["Id"])
    assert stored.mfa_configuration == level
    assert stored.totp_enabled is True
    assert stored.email_mfa_enabled is False


def test_all_transitions_through_set(engine: Engine) -> None:
    pool = create_pool(engine)
    for level in ("ON", "OPTIONAL", "ON", "OFF", "OPTIONAL"):
        factors = {} if level == "OFF" else {"SoftwareTokenMfaConfiguration": TOTP_ON}
        assert (
            set_mfa(engine, pool["Id"], MfaConfiguration=level, **factors)["MfaConfiguration"]
            == level
        )


def test_off_alone_is_accepted_and_clears_factors(engine: Engine) -> None:
    pool = create_pool(engine)
    set_mfa(engine, pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)
    assert set_mfa(engine, pool["Id"], MfaConfiguration="OFF") == {"MfaConfiguration": "OFF"}
    with engine.db.read() as conn:
        assert load_pool(conn, pool["Id"]).totp_enabled is False


def test_off_with_webauthn_is_accepted(engine: Engine) -> None:
    pool = create_pool(engine)
    webauthn = {"RelyingPartyId": "example.com", "UserVerification": "preferred"}
    response = set_mfa(engine, pool["Id"], MfaConfiguration="OFF", WebAuthnConfiguration=webauthn)
    assert response == {"MfaConfiguration": "OFF", "WebAuthnConfiguration": webauthn}


@pytest.mark.parametrize(
    "block",
    [
        {"SoftwareTokenMfaConfiguration": TOTP_ON},
        {"SoftwareTokenMfaConfiguration": {"Enabled": False}},
        {"EmailMfaConfiguration": EMAIL},
        {"SmsMfaConfiguration": {"SmsConfiguration": SMS}},
    ],
)
def test_off_with_a_factor_is_refused(engine: Engine, block: dict[str, Any]) -> None:
    pool = create_pool(engine)
    with raises_cognito("InvalidParameterException", OFF_WITH_FACTOR):
        call(
            engine,
            "SetUserPoolMfaConfig",
            {"UserPoolId": pool["Id"], "MfaConfiguration": "OFF", **block},
        )


@pytest.mark.parametrize("level", ["ON", "OPTIONAL"])
@pytest.mark.parametrize("blocks", [{}, {"SoftwareTokenMfaConfiguration": {"Enabled": False}}])
def test_required_or_optional_without_a_factor_is_refused(
    engine: Engine, level: str, blocks: dict[str, Any]
) -> None:
    pool = create_pool(engine)
    with raises_cognito("InvalidParameterException", NO_FACTOR):
        call(
            engine,
            "SetUserPoolMfaConfig",
            {"UserPoolId": pool["Id"], "MfaConfiguration": level, **blocks},
        )
    assert get_mfa(engine, pool["Id"]) == {"MfaConfiguration": "OFF"}


def test_omitted_level_keeps_the_current_one(engine: Engine) -> None:
    pool = create_pool(engine)
    set_mfa(engine, pool["Id"], MfaConfiguration="ON", SoftwareTokenMfaConfiguration=TOTP_ON)
    assert (
        set_mfa(engine, pool["Id"], SoftwareTokenMfaConfiguration=TOTP_ON)["MfaConfiguration"]
        == "ON"
    )


def test_omitted_block_turns_that_factor_off(engine: Engine) -> None:
    pool = create_pool(engine, EmailConfiguration=DEVELOPER)
    set_mfa(
        engine,
        pool["Id"],
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration=TOTP_ON,
        EmailMfaConfiguration=EMAIL,
    )
    response = set_mfa(
        engine, pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON
    )
    assert "EmailMfaConfiguration" not in response
    with engine.db.read() as conn:
        assert load_pool(conn, pool["Id"]).email_mfa_enabled is False


def test_email_mfa_on_an_essentials_pool_with_its_own_sender(engine: Engine) -> None:
    pool = create_pool(engine, EmailConfiguration=DEVELOPER)
    response = set_mfa(
        engine,
        pool["Id"],
        MfaConfiguration="OPTIONAL",
        EmailMfaConfiguration=EMAIL,
        SoftwareTokenMfaConfiguration=TOTP_ON,
    )
    assert response["EmailMfaConfiguration"] == EMAIL
    with engine.db.read() as conn:
        stored = load_pool(conn, pool["Id"])
    assert stored.email_mfa_enabled is True and stored.totp_enabled is True


def test_email_mfa_needs_a_paid_tier(engine: Engine) -> None:
    pool = create_pool(engine, EmailConfiguration=DEVELOPER, UserPoolTier="LITE")
    with raises_cognito("FeatureUnavailableInTierException"):
        call(
            engine,
            "SetUserPoolMfaConfig",
            {
                "UserPoolId": pool["Id"],
                "MfaConfiguration": "OPTIONAL",
                "EmailMfaConfiguration": EMAIL,
            },
        )


def test_email_mfa_needs_a_developer_sending_account(engine: Engine) -> None:
    pool = create_pool(engine)
    with raises_cognito("InvalidParameterException") as caught:
        call(
            engine,
            "SetUserPoolMfaConfig",
            {
                "UserPoolId": pool["Id"],
                "MfaConfiguration": "OPTIONAL",
                "EmailMfaConfiguration": EMAIL,
            },
        )
    message = caught.message
    assert "DEVELOPER" in message


def test_email_mfa_refused_with_email_only_recovery(engine: Engine) -> None:
    pool = create_pool(
        engine,
        EmailConfiguration=DEVELOPER,
        AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
    )
    with raises_cognito("InvalidParameterException") as caught:
        call(
            engine,
            "SetUserPoolMfaConfig",
            {
                "UserPoolId": pool["Id"],
                "MfaConfiguration": "OPTIONAL",
                "EmailMfaConfiguration": EMAIL,
            },
        )
    message = caught.message
    assert "verified_email" in message


def test_email_mfa_allowed_with_email_then_phone_recovery(engine: Engine) -> None:
    pool = create_pool(
        engine,
        EmailConfiguration=DEVELOPER,
        AccountRecoverySetting={
            "RecoveryMechanisms": [
                {"Name": "verified_email", "Priority": 1},
                {"Name": "verified_phone_number", "Priority": 2},
            ]
        },
    )
    set_mfa(engine, pool["Id"], MfaConfiguration="OPTIONAL", EmailMfaConfiguration=EMAIL)


def test_pool_update_cannot_break_email_mfa(engine: Engine) -> None:
    """UpdateUserPool resets EmailConfiguration when omitted; that would strand email MFA."""
    pool = create_pool(engine, EmailConfiguration=DEVELOPER)
    set_mfa(engine, pool["Id"], MfaConfiguration="OPTIONAL", EmailMfaConfiguration=EMAIL)
    with raises_cognito("InvalidParameterException"):
        call(engine, "UpdateUserPool", {"UserPoolId": pool["Id"], "MfaConfiguration": "OPTIONAL"})
    with raises_cognito("InvalidParameterException"):
        call(
            engine,
            "UpdateUserPool",
            {
                "UserPoolId": pool["Id"],
                "MfaConfiguration": "OPTIONAL",
                "EmailConfiguration": DEVELOPER,
                "AccountRecoverySetting": {
                    "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
                },
            },
        )
    call(
        engine,
        "UpdateUserPool",
        {"UserPoolId": pool["Id"], "MfaConfiguration": "OPTIONAL", "EmailConfiguration": DEVELOPER},
    )
    assert get_mfa(engine, pool["Id"])["EmailMfaConfiguration"] == EMAIL


def test_sms_mfa_uses_the_pool_sms_configuration(engine: Engine) -> None:
    pool = create_pool(engine, SmsConfiguration=SMS)
    response = set_mfa(
        engine,
        pool["Id"],
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Code {####}"},
    )
    assert response["SmsMfaConfiguration"] == {
        "SmsAuthenticationMessage": "Code {####}",
        "SmsConfiguration": SMS,
    }


def test_sms_mfa_needs_an_sms_configuration(engine: Engine) -> None:
    pool = create_pool(engine)
    with raises_cognito(
        "InvalidParameterException", "SmsConfiguration is required to turn on SMS_MFA."
    ):
        call(
            engine,
            "SetUserPoolMfaConfig",
            {"UserPoolId": pool["Id"], "MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": {}},
        )


def test_sms_mfa_cannot_be_dropped_once_configured(engine: Engine) -> None:
    pool = create_pool(engine)
    set_mfa(
        engine,
        pool["Id"],
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": SMS},
    )
    with raises_cognito(
        "InvalidParameterException",
        "Can't turn off SMS_MFA when SMS configuration is set for the user pool",
    ):
        call(
            engine,
            "SetUserPoolMfaConfig",
            {
                "UserPoolId": pool["Id"],
                "MfaConfiguration": "OPTIONAL",
                "SoftwareTokenMfaConfiguration": TOTP_ON,
            },
        )


def test_required_sms_mfa_refuses_phone_recovery(engine: Engine) -> None:
    pool = create_pool(
        engine,
        AccountRecoverySetting={
            "RecoveryMechanisms": [{"Name": "verified_phone_number", "Priority": 1}]
        },
    )
    with raises_cognito("InvalidParameterException") as caught:
        call(
            engine,
            "SetUserPoolMfaConfig",
            {
                "UserPoolId": pool["Id"],
                "MfaConfiguration": "ON",
                "SmsMfaConfiguration": {"SmsConfiguration": SMS},
            },
        )
    message = caught.message
    assert "verified_phone_number" in message


def test_required_mfa_refused_with_passwordless_first_factors(engine: Engine) -> None:
    pool = create_pool(
        engine, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
    )
    with raises_cognito("InvalidParameterException"):
        call(
            engine,
            "SetUserPoolMfaConfig",
            {
                "UserPoolId": pool["Id"],
                "MfaConfiguration": "ON",
                "SoftwareTokenMfaConfiguration": TOTP_ON,
            },
        )
    set_mfa(engine, pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)


def test_passkey_mfa_needs_a_paid_tier(engine: Engine) -> None:
    pool = create_pool(engine, UserPoolTier="LITE")
    with raises_cognito("FeatureUnavailableInTierException"):
        call(
            engine,
            "SetUserPoolMfaConfig",
            {
                "UserPoolId": pool["Id"],
                "MfaConfiguration": "OPTIONAL",
                "SoftwareTokenMfaConfiguration": TOTP_ON,
                "WebAuthnConfiguration": {
                    "FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"
                },
            },
        )


@pytest.mark.parametrize("op", ["SetUserPoolMfaConfig", "GetUserPoolMfaConfig"])
def test_unknown_pool(engine: Engine, op: str) -> None:
    with raises_cognito("ResourceNotFoundException"):
        call(engine, op, {"UserPoolId": "us-east-1_nope"})


def test_mfa_operations_need_iam(engine: Engine) -> None:
    pool = create_pool(engine)
    with pytest.raises(Exception) as info:
        engine.call("GetUserPoolMfaConfig", {"UserPoolId": pool["Id"]})
    assert getattr(info.value, "code", "") == "MissingAuthenticationTokenException"
