"""CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool and ListUserPools."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api.service_model import service_model
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_pool
from tests.support.cognito_errors import raises_cognito
from tests.support.engine_calls import IAM, SMS, call, create_pool  # noqa: F401
from tests.support.shapes import assert_output_shape, shape_problems  # noqa: F401


def test_create_pool_returns_cognito_defaults(engine: Engine, clock: FakeClock) -> None:
    pool = create_pool(engine)
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", pool["Id"])
    assert pool["Arn"] == f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{pool['Id']}"
    assert pool["Name"] == "portal"
    assert pool["CreationDate"] == pool["LastModifiedDate"] == clock.now()
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["EstimatedNumberOfUsers"] == 0
    assert pool["UserPoolTier"] == "ESSENTIALS"
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 7,
    }
    assert pool["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert pool["SchemaAttributes"][0]["Name"] == "sub"
    assert "AliasAttributes" not in pool and "UsernameConfiguration" not in pool


def test_pool_ids_are_distinct_and_use_the_engine_region(tmp_path: Any, clock: FakeClock) -> None:
    eng = Engine(tmp_path / "eu", region="eu-west-1", clock=clock)
    try:
        ids = {create_pool(eng)["Id"] for _ in range(5)}
    finally:
        eng.db.close()
    assert len(ids) == 5
    assert all(i.startswith("eu-west-1_") for i in ids)


def test_describe_echoes_what_create_stored(engine: Engine) -> None:
    created = create_pool(
        engine,
        AliasAttributes=["email", "preferred_username"],
        UsernameConfiguration={"CaseSensitive": False},
        Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireNumbers": True}},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        Schema=[{"Name": "tenant", "AttributeDataType": "String"}],
        UserPoolTags={"team": "id"},
    )
    described = call(engine, "DescribeUserPool", {"UserPoolId": created["Id"]})["UserPool"]
    assert described == created
    assert described["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12,
        "RequireUppercase": False,
        "RequireLowercase": False,
        "RequireNumbers": True,
        "RequireSymbols": False,
        "TemporaryPasswordValidityDays": 7,
    }
    assert "custom:tenant" in [a["Name"] for a in described["SchemaAttributes"]]
    with engine.db.read() as conn:
        pool = load_pool(conn, created["Id"])
    assert pool.case_sensitive is False
    assert pool.alias_attributes == ["email", "preferred_username"]
    assert pool.password_policy["MinimumLength"] == 12


def test_describe_unknown_pool(engine: Engine) -> None:
    with raises_cognito("ResourceNotFoundException", "User pool us-east-1_nope does not exist."):
        call(engine, "DescribeUserPool", {"UserPoolId": "us-east-1_nope"})


def test_pool_operations_need_iam(engine: Engine) -> None:
    with raises_cognito("MissingAuthenticationTokenException"):
        engine.call("CreateUserPool", {"PoolName": "x"})


def test_alias_and_username_attributes_are_exclusive(engine: Engine) -> None:
    with raises_cognito(
        "InvalidParameterException",
        "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
    ):
        call(
            engine,
            "CreateUserPool",
            {"PoolName": "p", "AliasAttributes": ["email"], "UsernameAttributes": ["email"]},
        )


@pytest.mark.parametrize("level", ["ON", "OPTIONAL"])
def test_create_with_mfa_needs_sms_configuration(engine: Engine, level: str) -> None:
    message = (
        "SMS configuration and Auto verification for phone_number are required when MFA is "
        "required/optional"
    )
    with raises_cognito("InvalidParameterException", message):
        call(engine, "CreateUserPool", {"PoolName": "p", "MfaConfiguration": level})
    with raises_cognito("InvalidParameterException", message):
        call(
            engine,
            "CreateUserPool",
            {"PoolName": "p", "MfaConfiguration": level, "SmsConfiguration": SMS},
        )


def test_create_with_sms_mfa_stores_the_sms_factor(engine: Engine) -> None:
    pool = create_pool(
        engine,
        MfaConfiguration="OPTIONAL",
        SmsConfiguration=SMS,
        AutoVerifiedAttributes=["phone_number"],
    )
    assert pool["MfaConfiguration"] == "OPTIONAL"
    mfa = call(engine, "GetUserPoolMfaConfig", {"UserPoolId": pool["Id"]})
    assert mfa["SmsMfaConfiguration"]["SmsConfiguration"] == SMS


def test_required_sms_mfa_refuses_phone_recovery(engine: Engine) -> None:
    with raises_cognito(
        "InvalidParameterException",
        "Invalid account recovery setting parameter. Account Recovery Setting cannot use "
        "verified_phone_number as a recovery mechanism when SMS MFA is configured.",
    ):
        call(
            engine,
            "CreateUserPool",
            {
                "PoolName": "p",
                "MfaConfiguration": "ON",
                "SmsConfiguration": SMS,
                "AutoVerifiedAttributes": ["phone_number"],
                "AccountRecoverySetting": {
                    "RecoveryMechanisms": [{"Name": "verified_phone_number", "Priority": 1}]
                },
            },
        )


@pytest.mark.parametrize(
    "mechanisms",
    [
        [{"Name": "admin_only", "Priority": 1}, {"Name": "verified_email", "Priority": 2}],
        [{"Name": "verified_email", "Priority": 1}, {"Name": "verified_email", "Priority": 2}],
        [
            {"Name": "verified_email", "Priority": 1},
            {"Name": "verified_phone_number", "Priority": 1},
        ],
    ],
)
def test_bad_recovery_settings(engine: Engine, mechanisms: list[dict[str, Any]]) -> None:
    with raises_cognito("InvalidParameterException") as caught:
        call(
            engine,
            "CreateUserPool",
            {"PoolName": "p", "AccountRecoverySetting": {"RecoveryMechanisms": mechanisms}},
        )
    message = caught.message
    assert message.startswith("Invalid account recovery setting parameter.")


@pytest.mark.parametrize(
    "trigger", ["PreAuthentication", "DefineAuthChallenge", "PreTokenGeneration"]
)
def test_authentication_triggers_are_refused(engine: Engine, trigger: str) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    with raises_cognito("InvalidParameterException") as caught:
        call(engine, "CreateUserPool", {"PoolName": "p", "LambdaConfig": {trigger: arn}})
    message = caught.message
    assert trigger in message and "not supported by the embedded pool" in message


def test_notification_triggers_are_stored(engine: Engine) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    pool = create_pool(engine, LambdaConfig={"PostConfirmation": arn})
    assert pool["LambdaConfig"] == {"PostConfirmation": arn}


def test_threat_protection(engine: Engine) -> None:
    with raises_cognito("FeatureUnavailableInTierException"):
        call(
            engine,
            "CreateUserPool",
            {"PoolName": "p", "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}},
        )
    with raises_cognito("InvalidParameterException"):
        call(
            engine,
            "CreateUserPool",
            {
                "PoolName": "p",
                "UserPoolTier": "PLUS",
                "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
            },
        )
    pool = create_pool(
        engine, UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"}
    )
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "AUDIT"}


def test_password_history_needs_a_paid_tier(engine: Engine) -> None:
    with raises_cognito("FeatureUnavailableInTierException"):
        call(
            engine,
            "CreateUserPool",
            {
                "PoolName": "p",
                "UserPoolTier": "LITE",
                "Policies": {"PasswordPolicy": {"PasswordHistorySize": 3}},
            },
        )


def test_unused_account_validity_days(engine: Engine) -> None:
    pool = create_pool(engine, AdminCreateUserConfig={"UnusedAccountValidityDays": 3})
    assert pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 3
    with raises_cognito(
        "InvalidParameterException",
        "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays",
    ):
        call(
            engine,
            "CreateUserPool",
            {
                "PoolName": "p",
                "AdminCreateUserConfig": {"UnusedAccountValidityDays": 3},
                "Policies": {"PasswordPolicy": {"TemporaryPasswordValidityDays": 5}},
            },
        )


@pytest.mark.parametrize(
    "schema, message",
    [
        (
            [{"Name": "email", "AttributeDataType": "Number"}],
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
        ),
        (
            [{"Name": "tenant"}],
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ),
        (
            [{"Name": "tenant", "AttributeDataType": "String", "Required": True}],
            "Required custom attributes are not supported currently.",
        ),
        (
            [
                {"Name": "t", "AttributeDataType": "String"},
                {"Name": "t", "AttributeDataType": "String"},
            ],
            "custom:t: Existing attribute already has name custom:t.",
        ),
    ],
)
def test_schema_errors(engine: Engine, schema: list[dict[str, Any]], message: str) -> None:
    with raises_cognito("InvalidParameterException", message):
        call(engine, "CreateUserPool", {"PoolName": "p", "Schema": schema})


def test_standard_attribute_can_be_made_required(engine: Engine) -> None:
    pool = create_pool(engine, Schema=[{"Name": "email", "Required": True}])
    email = next(a for a in pool["SchemaAttributes"] if a["Name"] == "email")
    assert email["Required"] is True and email["AttributeDataType"] == "String"


def test_update_resets_omitted_fields_and_keeps_immutable_ones(
    engine: Engine, clock: FakeClock
) -> None:
    pool = create_pool(
        engine,
        AliasAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        DeletionProtection="ACTIVE",
        Policies={"PasswordPolicy": {"MinimumLength": 14}},
    )
    clock.advance(60)
    assert call(engine, "UpdateUserPool", {"UserPoolId": pool["Id"], "PoolName": "renamed"}) == {}
    after = call(engine, "DescribeUserPool", {"UserPoolId": pool["Id"]})["UserPool"]
    assert after["Name"] == "renamed"
    assert after["LastModifiedDate"] == pool["CreationDate"] + 60
    assert after["CreationDate"] == pool["CreationDate"]
    assert after["DeletionProtection"] == "INACTIVE"
    assert after["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    assert after["AliasAttributes"] == ["email"]
    assert after["UsernameConfiguration"] == {"CaseSensitive": False}
    assert after["SchemaAttributes"] == pool["SchemaAttributes"]


def test_update_cannot_turn_mfa_on(engine: Engine) -> None:
    pool = create_pool(engine)
    with raises_cognito(
        "InvalidParameterException",
        "Cannot turn MFA functionality ON, once the user pool has been created.",
    ):
        call(engine, "UpdateUserPool", {"UserPoolId": pool["Id"], "MfaConfiguration": "ON"})


def test_update_keeps_mfa_on_when_already_on(engine: Engine) -> None:
    pool = create_pool(engine)
    call(
        engine,
        "SetUserPoolMfaConfig",
        {
            "UserPoolId": pool["Id"],
            "MfaConfiguration": "ON",
            "SoftwareTokenMfaConfiguration": {"Enabled": True},
        },
    )
    call(engine, "UpdateUserPool", {"UserPoolId": pool["Id"], "MfaConfiguration": "ON"})
    mfa = call(engine, "GetUserPoolMfaConfig", {"UserPoolId": pool["Id"]})
    assert mfa["MfaConfiguration"] == "ON"
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


def test_update_can_lower_mfa_to_optional(engine: Engine) -> None:
    pool = create_pool(engine)
    call(
        engine,
        "SetUserPoolMfaConfig",
        {
            "UserPoolId": pool["Id"],
            "MfaConfiguration": "ON",
            "SoftwareTokenMfaConfiguration": {"Enabled": True},
        },
    )
    call(engine, "UpdateUserPool", {"UserPoolId": pool["Id"], "MfaConfiguration": "OPTIONAL"})
    mfa = call(engine, "GetUserPoolMfaConfig", {"UserPoolId": pool["Id"]})
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


def test_update_without_mfa_configuration_turns_mfa_off(engine: Engine) -> None:
    """Cognito's own pitfall: an omitted MfaConfiguration means OFF."""
    pool = create_pool(engine)
    call(
        engine,
        "SetUserPoolMfaConfig",
        {
            "UserPoolId": pool["Id"],
            "MfaConfiguration": "OPTIONAL",
            "SoftwareTokenMfaConfiguration": {"Enabled": True},
        },
    )
    call(engine, "UpdateUserPool", {"UserPoolId": pool["Id"]})
    mfa = call(engine, "GetUserPoolMfaConfig", {"UserPoolId": pool["Id"]})
    assert mfa["MfaConfiguration"] == "OFF"
    with engine.db.read() as conn:
        assert load_pool(conn, pool["Id"]).totp_enabled is False


def test_update_to_optional_needs_a_factor(engine: Engine) -> None:
    pool = create_pool(engine)
    with raises_cognito("InvalidParameterException"):
        call(engine, "UpdateUserPool", {"UserPoolId": pool["Id"], "MfaConfiguration": "OPTIONAL"})


def test_update_unknown_pool(engine: Engine) -> None:
    with raises_cognito("ResourceNotFoundException"):
        call(engine, "UpdateUserPool", {"UserPoolId": "us-east-1_nope"})


def test_update_validates_like_create(engine: Engine) -> None:
    pool = create_pool(engine)
    with raises_cognito("FeatureUnavailableInTierException"):
        call(
            engine,
            "UpdateUserPool",
            {
                "UserPoolId": pool["Id"],
                "UserPoolTier": "LITE",
                "Policies": {"PasswordPolicy": {"PasswordHistorySize": 2}},
            },
        )
    after = call(engine, "DescribeUserPool", {"UserPoolId": pool["Id"]})["UserPool"]
    assert after == pool


def test_delete_pool_removes_it_and_its_clients(engine: Engine) -> None:
    pool = create_pool(engine)
    client = call(engine, "CreateUserPoolClient", {"UserPoolId": pool["Id"], "ClientName": "web"})
    assert call(engine, "DeleteUserPool", {"UserPoolId": pool["Id"]}) == {}
    with raises_cognito("ResourceNotFoundException"):
        call(engine, "DescribeUserPool", {"UserPoolId": pool["Id"]})
    with engine.db.read() as conn:
        left = conn.execute(
            "SELECT count(*) FROM clients WHERE id = ?", (client["UserPoolClient"]["ClientId"],)
        ).fetchone()[0]
    assert left == 0
    with raises_cognito("ResourceNotFoundException"):
        call(engine, "DeleteUserPool", {"UserPoolId": pool["Id"]})


def test_deletion_protection_blocks_delete(engine: Engine) -> None:
    pool = create_pool(engine, DeletionProtection="ACTIVE")
    with raises_cognito(
        "InvalidParameterException",
        "The user pool cannot be deleted because deletion protection is activated. "
        "Deletion protection must be inactivated first.",
    ):
        call(engine, "DeleteUserPool", {"UserPoolId": pool["Id"]})
    call(engine, "DescribeUserPool", {"UserPoolId": pool["Id"]})


def test_list_pools_pages_through_every_pool(engine: Engine) -> None:
    created = {create_pool(engine, PoolName=f"p{i}")["Id"] for i in range(5)}
    seen: list[str] = []
    params: dict[str, Any] = {"MaxResults": 2}
    pages = 0
    while True:
        page = call(engine, "ListUserPools", params)
        pages += 1
        assert len(page["UserPools"]) <= 2
        seen += [p["Id"] for p in page["UserPools"]]
        if "NextToken" not in page:
            break
        params = {"MaxResults": 2, "NextToken": page["NextToken"]}
    assert pages == 3
    assert sorted(seen) == sorted(created)
    first = call(engine, "ListUserPools", {"MaxResults": 60})["UserPools"][0]
    assert set(first) == {"Id", "Name", "LambdaConfig", "CreationDate", "LastModifiedDate"}


def test_list_pools_rejects_a_forged_token(engine: Engine) -> None:
    with raises_cognito("InvalidParameterException"):
        call(engine, "ListUserPools", {"MaxResults": 5, "NextToken": "%%%"})


def test_shape_helper_reports_mismatches() -> None:
    """The output-shape check itself can fail: required, unknown, type and enum problems."""
    group = service_model().shape_for("GroupType")
    assert shape_problems(group, {"GroupName": "g", "Precedence": "1", "Extra": 1}) == [
        "$.Precedence: expected integer, got str",
        "$.Extra: not a member of GroupType",
    ]
    rotation = service_model().shape_for("RefreshTokenRotationType")
    assert shape_problems(rotation, {}) == ["$.Feature: required member missing"]
    assert shape_problems(rotation, {"Feature": "MAYBE"}) == [
        "$.Feature: 'MAYBE' not in enum FeatureType"
    ]
    assert shape_problems(group, {"GroupName": "g", "CreationDate": True}) == [
        "$.CreationDate: expected timestamp, got bool"
    ]
