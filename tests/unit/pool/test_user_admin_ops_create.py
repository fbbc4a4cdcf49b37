"""AdminCreateUser through the engine: the new user, the invitation, usernames, aliases, RESEND."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.mail import Message
from mfa_portal.pool.engine import Engine
from tests.support import user_admin_world
from tests.support.cognito_errors import raises_cognito
from tests.support.user_admin_world import (
    DAY,
    TEMP,
    attribute_map,
    attrs,
    call,
    create,
    mailer,
    make_pool,
    stored,
)

pool_id = user_admin_world.pool_id  # the fixture, shared by the user-admin test modules


# --- AdminCreateUser -------------------------------------------------------------------------


def test_create_user_in_force_change_password(
    engine: Engine, pool_id: str, clock: FakeClock
) -> None:
    user = create(engine, pool_id, "Alice", UserAttributes=attrs(email="alice@example.com"))
    assert user["Username"] == "Alice"
    assert (user["UserStatus"], user["Enabled"]) == ("FORCE_CHANGE_PASSWORD", True)
    assert user["UserCreateDate"] == user["UserLastModifiedDate"] == clock.now()
    shown = attribute_map(user, "Attributes")
    assert uuid.UUID(shown["sub"]).version == 4
    assert shown["email"] == "alice@example.com"
    assert TEMP not in repr(user)
    record = stored(engine, pool_id, "Alice")
    assert record.temp_password_expires == clock.now() + 7 * DAY
    assert record.password_hash is not None and record.password_hash.startswith("$argon2id$")
    assert engine.hasher.verify(record.password_hash, TEMP)


def test_subs_are_unique(engine: Engine, pool_id: str) -> None:
    subs = {attribute_map(create(engine, pool_id, f"u{i}"), "Attributes")["sub"] for i in range(5)}
    assert len(subs) == 5


def test_temporary_password_validity_follows_the_pool(engine: Engine, clock: FakeClock) -> None:
    pool = make_pool(
        engine,
        Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 2}},
    )
    create(engine, pool, "alice")
    assert stored(engine, pool, "alice").temp_password_expires == clock.now() + 2 * DAY


def test_temporary_password_must_meet_the_policy(engine: Engine, pool_id: str) -> None:
    with raises_cognito(
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have symbol characters",
    ):
        create(engine, pool_id, "alice", TemporaryPassword="Abcdefg12")
    with raises_cognito("UserNotFoundException"):
        stored(engine, pool_id, "alice")


def test_generated_password_is_mailed_and_works(engine: Engine, pool_id: str) -> None:
    call(
        engine,
        "AdminCreateUser",
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=attrs(email="alice@example.com"),
    )
    message = mailer(engine).last_to("alice@example.com")
    assert message is not None and message.subject == "Your temporary password"
    found = re.fullmatch(r"Your username is alice and temporary password is (\S+)\.", message.body)
    assert found is not None
    assert engine.hasher.verify(stored(engine, pool_id, "alice").password_hash, found.group(1))


def test_invitation_uses_the_pools_template(engine: Engine) -> None:
    template = {"EmailSubject": "Welcome", "EmailMessage": "Hi {username}, use {####} to sign in."}
    pool = make_pool(engine, AdminCreateUserConfig={"InviteMessageTemplate": template})
    call(
        engine,
        "AdminCreateUser",
        UserPoolId=pool,
        Username="alice",
        TemporaryPassword=TEMP,
        UserAttributes=attrs(email="alice@example.com"),
        DesiredDeliveryMediums=["EMAIL"],
    )
    assert mailer(engine).messages == [
        Message("alice@example.com", "Welcome", f"Hi alice, use {TEMP} to sign in.")
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"MessageAction": "SUPPRESS", "UserAttributes": attrs(email="a@example.com")},
        {"DesiredDeliveryMediums": ["SMS"], "UserAttributes": attrs(email="a@example.com")},
        {"UserAttributes": attrs(given_name="No Email")},
    ],
)
def test_no_invitation_when_suppressed_sms_only_or_without_email(
    engine: Engine, pool_id: str, params: dict[str, Any]
) -> None:
    call(engine, "AdminCreateUser", UserPoolId=pool_id, Username="alice", **params)
    assert mailer(engine).messages == []
    assert stored(engine, pool_id, "alice").status == "FORCE_CHANGE_PASSWORD"


def test_no_invitation_when_the_template_lacks_the_password(engine: Engine) -> None:
    template = {"EmailMessage": "Hello {username}"}
    pool = make_pool(engine, AdminCreateUserConfig={"InviteMessageTemplate": template})
    call(
        engine,
        "AdminCreateUser",
        UserPoolId=pool,
        Username="alice",
        UserAttributes=attrs(email="alice@example.com"),
    )
    assert mailer(engine).messages == []


class BrokenMailer:
    def send(self, message: Message) -> None:
        raise OSError(f"SMTP refused: {message.body}")


def test_delivery_failure_is_reported_without_the_password(engine: Engine, pool_id: str) -> None:
    engine.mailer = BrokenMailer()
    with raises_cognito("CodeDeliveryFailureException") as info:
        call(
            engine,
            "AdminCreateUser",
            UserPoolId=pool_id,
            Username="alice",
            TemporaryPassword=TEMP,
            UserAttributes=attrs(email="alice@example.com"),
        )
    assert TEMP not in str(info.error) and info.error.__cause__ is None
    assert info.error.__suppress_context__
    # The account exists; RESEND can deliver later.
    assert stored(engine, pool_id, "alice").status == "FORCE_CHANGE_PASSWORD"


def test_duplicate_username_is_refused(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    with raises_cognito("UsernameExistsException", "User account already exists"):
        create(engine, pool_id, "alice")


def test_case_sensitive_pool_keeps_case_variants_apart(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    create(engine, pool_id, "ALICE")
    assert stored(engine, pool_id, "ALICE").username == "ALICE"
    assert stored(engine, pool_id, "alice").username == "alice"


def test_case_insensitive_pool_refuses_case_variants(engine: Engine) -> None:
    pool = make_pool(engine, UsernameConfiguration={"CaseSensitive": False})
    create(engine, pool, "Alice")
    with raises_cognito("UsernameExistsException", "User account already exists"):
        create(engine, pool, "aLICE")
    user = call(engine, "AdminGetUser", UserPoolId=pool, Username="ALICE")
    assert user["Username"] == "Alice"  # stored as given


def test_username_is_reusable_after_deletion(engine: Engine, pool_id: str) -> None:
    first = create(engine, pool_id, "alice")
    call(engine, "AdminDeleteUser", UserPoolId=pool_id, Username="alice")
    second = create(engine, pool_id, "alice")
    assert attribute_map(first, "Attributes")["sub"] != attribute_map(second, "Attributes")["sub"]


def test_invalid_attributes_are_refused(engine: Engine, pool_id: str) -> None:
    with raises_cognito("InvalidParameterException", "Invalid email address format."):
        create(engine, pool_id, "alice", UserAttributes=attrs(email="not-an-email"))
    with raises_cognito("InvalidParameterException"):
        create(engine, pool_id, "alice", UserAttributes=attrs(sub="chosen"))
    with raises_cognito(
        "InvalidParameterException",
        "Attributes did not conform to the schema: "
        "custom:team: Attribute does not exist in the schema.",
    ):
        create(engine, pool_id, "alice", UserAttributes=attrs(**{"custom:team": "blue"}))


def test_custom_attributes_in_the_schema_are_kept(engine: Engine) -> None:
    pool = make_pool(engine, Schema=[{"Name": "team", "AttributeDataType": "String"}])
    user = create(engine, pool, "alice", UserAttributes=attrs(**{"custom:team": "blue"}))
    assert attribute_map(user, "Attributes")["custom:team"] == "blue"


def test_required_attributes_must_be_given(engine: Engine) -> None:
    pool = make_pool(engine, Schema=[{"Name": "email", "Required": True}])
    with raises_cognito(
        "InvalidParameterException",
        "Attributes did not conform to the schema: email: The attribute is required",
    ):
        create(engine, pool, "alice")


def test_unknown_pool(engine: Engine) -> None:
    with raises_cognito("ResourceNotFoundException"):
        create(engine, "us-east-1_Missing00", "alice")


# --- email as username, aliases ----------------------------------------------------------------


def test_email_username_pool_generates_the_username(engine: Engine) -> None:
    pool = make_pool(engine, UsernameAttributes=["email"])
    user = call(
        engine,
        "AdminCreateUser",
        UserPoolId=pool,
        Username="Ann@Example.com",
        TemporaryPassword=TEMP,
    )["User"]
    shown = attribute_map(user, "Attributes")
    assert user["Username"] == shown["sub"]
    assert shown["email"] == "Ann@Example.com"
    assert (
        call(engine, "AdminGetUser", UserPoolId=pool, Username="ann@example.com")["Username"]
        == user["Username"]
    )
    message = mailer(engine).last_to("Ann@Example.com")
    assert message is not None and message.body.startswith("Your username is Ann@Example.com ")


def test_email_username_pool_requires_a_unique_email(engine: Engine) -> None:
    pool = make_pool(engine, UsernameAttributes=["email"])
    create(engine, pool, "ann@example.com")
    with raises_cognito(
        "UsernameExistsException", "An account with the given email already exists."
    ):
        create(engine, pool, "ANN@example.com")
    with raises_cognito(
        "InvalidParameterException", "Username should be either an email or a phone number."
    ):
        create(engine, pool, "ann")
    with raises_cognito("InvalidParameterException"):
        create(engine, pool, "bob@example.com", UserAttributes=attrs(email="other@example.com"))


def test_email_alias_pool_refuses_email_shaped_usernames(engine: Engine) -> None:
    pool = make_pool(engine, AliasAttributes=["email"])
    with raises_cognito(
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias.",
    ):
        create(engine, pool, "ann@example.com")


def test_verified_alias_collision_and_force_alias_creation(engine: Engine) -> None:
    pool = make_pool(engine, AliasAttributes=["email"])
    verified = attrs(email="ann@example.com", email_verified="true")
    create(engine, pool, "ann", UserAttributes=verified)
    with raises_cognito("AliasExistsException", "An account with the email already exists."):
        create(engine, pool, "ann2", UserAttributes=verified)
    create(engine, pool, "ann2", UserAttributes=verified, ForceAliasCreation=True)
    assert stored(engine, pool, "ann").attributes["email_verified"] == "false"
    assert (
        call(engine, "AdminGetUser", UserPoolId=pool, Username="ann@example.com")["Username"]
        == "ann2"
    )


# --- RESEND ------------------------------------------------------------------------------------


def test_resend_issues_a_new_temporary_password(
    engine: Engine, pool_id: str, clock: FakeClock
) -> None:
    create(engine, pool_id, "alice", UserAttributes=attrs(email="alice@example.com"))
    clock.advance(3 * DAY)
    user = call(
        engine, "AdminCreateUser", UserPoolId=pool_id, Username="alice", MessageAction="RESEND"
    )
    assert user["User"]["Username"] == "alice"
    record = stored(engine, pool_id, "alice")
    assert record.temp_password_expires == clock.now() + 7 * DAY
    assert not engine.hasher.verify(record.password_hash, TEMP)
    message = mailer(engine).last_to("alice@example.com")
    assert message is not None
    new_password = message.body.rsplit(" ", 1)[1].rstrip(".")
    assert engine.hasher.verify(record.password_hash, new_password)


def test_resend_needs_a_user_who_never_signed_in(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    call(
        engine,
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username="alice",
        Password=TEMP,
        Permanent=True,
    )
    with raises_cognito(
        "UnsupportedUserStateException", "Resend not possible. User status is CONFIRMED."
    ):
        call(
            engine, "AdminCreateUser", UserPoolId=pool_id, Username="alice", MessageAction="RESEND"
        )
    with raises_cognito("UserNotFoundException", "User does not exist."):
        call(
            engine, "AdminCreateUser", UserPoolId=pool_id, Username="nobody", MessageAction="RESEND"
        )
