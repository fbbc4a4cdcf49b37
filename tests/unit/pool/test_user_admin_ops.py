"""Admin user operations through the engine, as an administrator (IAM) would call them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from mfa_portal.pool import auth_sessions, errors
from mfa_portal.pool.clock import FakeClock
from mfa_portal.pool.context import Context
from mfa_portal.pool.delivery import MemoryMailer, Message
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_client, load_pool
from mfa_portal.pool.token_store import issue_tokens
from mfa_portal.pool.users import User, get_user, save_user

TEMP = "Temp-Pass-123!"
DAY = 86400


def call(engine: Engine, op: str, **params: Any) -> dict[str, Any]:
    return engine.call(op, params, iam_principal="test")


@contextmanager
def fails(code: str, message: str | None = None) -> Iterator[None]:
    with pytest.raises(errors.CognitoError) as info:
        yield
    assert info.value.code == code
    if message is not None:
        assert info.value.message == message


def make_pool(engine: Engine, **params: Any) -> str:
    return str(call(engine, "CreateUserPool", PoolName="admin", **params)["UserPool"]["Id"])


def attrs(**values: str) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in values.items()]


def create(engine: Engine, pool_id: str, username: str, **params: Any) -> dict[str, Any]:
    params.setdefault("MessageAction", "SUPPRESS")
    params.setdefault("TemporaryPassword", TEMP)
    result = call(engine, "AdminCreateUser", UserPoolId=pool_id, Username=username, **params)
    return dict(result["User"])


def stored(engine: Engine, pool_id: str, name: str) -> User:
    with engine.db.read() as conn:
        return get_user(conn, load_pool(conn, pool_id), name)


def attribute_map(user: dict[str, Any], key: str = "UserAttributes") -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user[key]}


def mailer(engine: Engine) -> MemoryMailer:
    assert isinstance(engine.mailer, MemoryMailer)
    return engine.mailer


@pytest.fixture
def pool_id(engine: Engine) -> str:
    return make_pool(engine)


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
    with fails(
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have symbol characters",
    ):
        create(engine, pool_id, "alice", TemporaryPassword="Abcdefg12")
    with fails("UserNotFoundException"):
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
    with pytest.raises(errors.CognitoError) as info:
        call(
            engine,
            "AdminCreateUser",
            UserPoolId=pool_id,
            Username="alice",
            TemporaryPassword=TEMP,
            UserAttributes=attrs(email="alice@example.com"),
        )
    assert info.value.code == "CodeDeliveryFailureException"
    assert TEMP not in str(info.value) and info.value.__cause__ is None
    assert info.value.__suppress_context__
    # The account exists; RESEND can deliver later.
    assert stored(engine, pool_id, "alice").status == "FORCE_CHANGE_PASSWORD"


def test_duplicate_username_is_refused(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    with fails("UsernameExistsException", "User account already exists"):
        create(engine, pool_id, "alice")


def test_case_sensitive_pool_keeps_case_variants_apart(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    create(engine, pool_id, "ALICE")
    assert stored(engine, pool_id, "ALICE").username == "ALICE"
    assert stored(engine, pool_id, "alice").username == "alice"


def test_case_insensitive_pool_refuses_case_variants(engine: Engine) -> None:
    pool = make_pool(engine, UsernameConfiguration={"CaseSensitive": False})
    create(engine, pool, "Alice")
    with fails("UsernameExistsException", "User account already exists"):
        create(engine, pool, "aLICE")
    user = call(engine, "AdminGetUser", UserPoolId=pool, Username="ALICE")
    assert user["Username"] == "Alice"  # stored as given


def test_username_is_reusable_after_deletion(engine: Engine, pool_id: str) -> None:
    first = create(engine, pool_id, "alice")
    call(engine, "AdminDeleteUser", UserPoolId=pool_id, Username="alice")
    second = create(engine, pool_id, "alice")
    assert attribute_map(first, "Attributes")["sub"] != attribute_map(second, "Attributes")["sub"]


def test_invalid_attributes_are_refused(engine: Engine, pool_id: str) -> None:
    with fails("InvalidParameterException", "Invalid email address format."):
        create(engine, pool_id, "alice", UserAttributes=attrs(email="not-an-email"))
    with fails("InvalidParameterException"):
        create(engine, pool_id, "alice", UserAttributes=attrs(sub="chosen"))
    with fails(
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
    with fails(
        "InvalidParameterException",
        "Attributes did not conform to the schema: email: The attribute is required",
    ):
        create(engine, pool, "alice")


def test_unknown_pool(engine: Engine) -> None:
    with fails("ResourceNotFoundException"):
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
    with fails("UsernameExistsException", "An account with the given email already exists."):
        create(engine, pool, "ANN@example.com")
    with fails(
        "InvalidParameterException", "Username should be either an email or a phone number."
    ):
        create(engine, pool, "ann")
    with fails("InvalidParameterException"):
        create(engine, pool, "bob@example.com", UserAttributes=attrs(email="other@example.com"))


def test_email_alias_pool_refuses_email_shaped_usernames(engine: Engine) -> None:
    pool = make_pool(engine, AliasAttributes=["email"])
    with fails(
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias.",
    ):
        create(engine, pool, "ann@example.com")


def test_verified_alias_collision_and_force_alias_creation(engine: Engine) -> None:
    pool = make_pool(engine, AliasAttributes=["email"])
    verified = attrs(email="ann@example.com", email_verified="true")
    create(engine, pool, "ann", UserAttributes=verified)
    with fails("AliasExistsException", "An account with the email already exists."):
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
    with fails("UnsupportedUserStateException", "Resend not possible. User status is CONFIRMED."):
        call(
            engine, "AdminCreateUser", UserPoolId=pool_id, Username="alice", MessageAction="RESEND"
        )
    with fails("UserNotFoundException", "User does not exist."):
        call(
            engine, "AdminCreateUser", UserPoolId=pool_id, Username="nobody", MessageAction="RESEND"
        )


# --- AdminGetUser ------------------------------------------------------------------------------


def test_get_user_by_username_sub_or_verified_alias(engine: Engine) -> None:
    pool = make_pool(engine, AliasAttributes=["email"])
    created = create(
        engine, pool, "alice", UserAttributes=attrs(email="a@example.com", email_verified="true")
    )
    sub = attribute_map(created, "Attributes")["sub"]
    for name in ("alice", sub, "a@example.com"):
        user = call(engine, "AdminGetUser", UserPoolId=pool, Username=name)
        assert user["Username"] == "alice"
    assert set(user) == {
        "Username",
        "UserAttributes",
        "UserCreateDate",
        "UserLastModifiedDate",
        "Enabled",
        "UserStatus",
    }
    assert user["UserAttributes"][0] == {"Name": "sub", "Value": sub}


def test_get_user_shows_mfa_settings_when_present(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice", UserAttributes=attrs(phone_number="+15550100"))
    with engine.db.transaction() as conn:
        user = get_user(conn, load_pool(conn, pool_id), "alice")
        user.mfa_enabled, user.preferred_mfa = ["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA"
        save_user(conn, user, 0.0)
    shown = call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")
    assert shown["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert shown["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert "MFAOptions" not in shown
    with engine.db.transaction() as conn:
        user = get_user(conn, load_pool(conn, pool_id), "alice")
        user.mfa_enabled, user.preferred_mfa = ["SMS_MFA", "SOFTWARE_TOKEN_MFA"], None
        save_user(conn, user, 0.0)
    shown = call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")
    assert shown["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert "PreferredMfaSetting" not in shown


def test_get_unknown_user(engine: Engine, pool_id: str) -> None:
    with fails("UserNotFoundException", "User does not exist."):
        call(engine, "AdminGetUser", UserPoolId=pool_id, Username="nobody")
    with fails("ResourceNotFoundException"):
        call(engine, "AdminGetUser", UserPoolId="us-east-1_Missing00", Username="nobody")


def test_admin_operations_require_iam(engine: Engine, pool_id: str) -> None:
    with fails("MissingAuthenticationTokenException"):
        engine.call("AdminGetUser", {"UserPoolId": pool_id, "Username": "alice"})


# --- AdminDeleteUser ---------------------------------------------------------------------------


def test_delete_user(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    record = stored(engine, pool_id, "alice")
    with engine.db.transaction() as conn:
        conn.execute(
            "INSERT INTO software_tokens (user_id, secret) VALUES (?, 'sealed')", (record.id,)
        )
    assert call(engine, "AdminDeleteUser", UserPoolId=pool_id, Username="alice") == {}
    with fails("UserNotFoundException", "User does not exist."):
        call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")
    with engine.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM software_tokens").fetchone()[0] == 0
    with fails("UserNotFoundException", "User does not exist."):
        call(engine, "AdminDeleteUser", UserPoolId=pool_id, Username="alice")


# --- AdminSetUserPassword ----------------------------------------------------------------------


def test_set_permanent_password_confirms(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    assert (
        call(
            engine,
            "AdminSetUserPassword",
            UserPoolId=pool_id,
            Username="alice",
            Password="Perm-Pass-456!",
            Permanent=True,
        )
        == {}
    )
    record = stored(engine, pool_id, "alice")
    assert (record.status, record.temp_password_expires) == ("CONFIRMED", None)
    assert engine.hasher.verify(record.password_hash, "Perm-Pass-456!")
    assert not engine.hasher.verify(record.password_hash, TEMP)


def test_set_temporary_password_forces_a_change(
    engine: Engine, pool_id: str, clock: FakeClock
) -> None:
    create(engine, pool_id, "alice")
    call(
        engine,
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username="alice",
        Password=TEMP,
        Permanent=True,
    )
    clock.advance(DAY)
    call(
        engine,
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username="alice",
        Password="Next-Pass-789!",
    )
    record = stored(engine, pool_id, "alice")
    assert record.status == "FORCE_CHANGE_PASSWORD"
    assert record.temp_password_expires == clock.now() + 7 * DAY


def test_set_password_enforces_the_policy(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    before = stored(engine, pool_id, "alice").password_hash
    with fails(
        "InvalidPasswordException", "Password did not conform with policy: Password not long enough"
    ):
        call(
            engine,
            "AdminSetUserPassword",
            UserPoolId=pool_id,
            Username="alice",
            Password="Ab1!",
            Permanent=True,
        )
    after = stored(engine, pool_id, "alice")
    assert (after.password_hash, after.status) == (before, "FORCE_CHANGE_PASSWORD")


def test_set_password_leaves_mfa_alone(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    with engine.db.transaction() as conn:
        user = get_user(conn, load_pool(conn, pool_id), "alice")
        user.mfa_enabled, user.preferred_mfa = ["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA"
        save_user(conn, user, 0.0)
        conn.execute(
            "INSERT INTO software_tokens (user_id, secret) VALUES (?, 'sealed')", (user.id,)
        )
    call(
        engine,
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username="alice",
        Password="Perm-Pass-456!",
        Permanent=True,
    )
    shown = call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")
    assert shown["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    with engine.db.read() as conn:
        assert conn.execute("SELECT secret FROM software_tokens").fetchone()[0] == "sealed"


def test_set_password_of_unknown_user(engine: Engine, pool_id: str) -> None:
    with fails("UserNotFoundException", "User does not exist."):
        call(engine, "AdminSetUserPassword", UserPoolId=pool_id, Username="nobody", Password=TEMP)


# --- AdminUpdateUserAttributes / AdminDeleteUserAttributes ------------------------------------


def shown_attributes(engine: Engine, pool_id: str, name: str) -> dict[str, str]:
    return attribute_map(call(engine, "AdminGetUser", UserPoolId=pool_id, Username=name))


def test_update_sets_replaces_and_deletes(engine: Engine, pool_id: str, clock: FakeClock) -> None:
    create(engine, pool_id, "alice", UserAttributes=attrs(name="Alice", nickname="Al"))
    clock.advance(60)
    assert (
        call(
            engine,
            "AdminUpdateUserAttributes",
            UserPoolId=pool_id,
            Username="alice",
            UserAttributes=attrs(name="Alice R", nickname="", given_name="Alice"),
        )
        == {}
    )
    shown = shown_attributes(engine, pool_id, "alice")
    assert (shown["name"], shown["given_name"]) == ("Alice R", "Alice")
    assert "nickname" not in shown
    got = call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")
    assert got["UserLastModifiedDate"] == clock.now()


def test_changing_email_unverifies_it_unless_verified_is_sent(engine: Engine, pool_id: str) -> None:
    create(
        engine, pool_id, "alice", UserAttributes=attrs(email="a@example.com", email_verified="true")
    )
    call(
        engine,
        "AdminUpdateUserAttributes",
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=attrs(email="b@example.com"),
    )
    assert shown_attributes(engine, pool_id, "alice")["email_verified"] == "false"
    call(
        engine,
        "AdminUpdateUserAttributes",
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=attrs(email="c@example.com", email_verified="true"),
    )
    assert shown_attributes(engine, pool_id, "alice")["email_verified"] == "true"
    call(
        engine,
        "AdminUpdateUserAttributes",
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=attrs(phone_number="+15550100"),
    )
    shown = shown_attributes(engine, pool_id, "alice")
    assert (shown["email_verified"], shown["phone_number_verified"]) == ("true", "false")


def test_update_refuses_taken_verified_alias(engine: Engine) -> None:
    pool = make_pool(engine, AliasAttributes=["email"])
    create(
        engine, pool, "ann", UserAttributes=attrs(email="ann@example.com", email_verified="true")
    )
    create(
        engine, pool, "bob", UserAttributes=attrs(email="bob@example.com", email_verified="true")
    )
    with fails("AliasExistsException", "An account with the email already exists."):
        call(
            engine,
            "AdminUpdateUserAttributes",
            UserPoolId=pool,
            Username="bob",
            UserAttributes=attrs(email="ann@example.com", email_verified="true"),
        )
    assert shown_attributes(engine, pool, "bob")["email"] == "bob@example.com"
    # Unverified, the new value is accepted and does not take over the alias.
    call(
        engine,
        "AdminUpdateUserAttributes",
        UserPoolId=pool,
        Username="bob",
        UserAttributes=attrs(email="ann@example.com"),
    )
    assert (
        call(engine, "AdminGetUser", UserPoolId=pool, Username="ann@example.com")["Username"]
        == "ann"
    )


def test_update_refuses_taken_email_in_email_username_pool(engine: Engine) -> None:
    pool = make_pool(engine, UsernameAttributes=["email"])
    create(engine, pool, "ann@example.com")
    bob = create(engine, pool, "bob@example.com")["Username"]
    with fails("AliasExistsException", "An account with the given email already exists."):
        call(
            engine,
            "AdminUpdateUserAttributes",
            UserPoolId=pool,
            Username=bob,
            UserAttributes=attrs(email="ann@example.com"),
        )
    with fails("InvalidParameterException"):
        call(
            engine,
            "AdminDeleteUserAttributes",
            UserPoolId=pool,
            Username=bob,
            UserAttributeNames=["email"],
        )
    call(
        engine,
        "AdminUpdateUserAttributes",
        UserPoolId=pool,
        Username=bob,
        UserAttributes=attrs(email="robert@example.com"),
    )
    assert (
        call(engine, "AdminGetUser", UserPoolId=pool, Username="robert@example.com")["Username"]
        == bob
    )


def test_update_refuses_bad_attributes(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    with fails("InvalidParameterException"):
        call(
            engine,
            "AdminUpdateUserAttributes",
            UserPoolId=pool_id,
            Username="alice",
            UserAttributes=attrs(sub="other"),
        )
    with fails("InvalidParameterException", "Invalid phone number format."):
        call(
            engine,
            "AdminUpdateUserAttributes",
            UserPoolId=pool_id,
            Username="alice",
            UserAttributes=attrs(phone_number="555-0100"),
        )
    with fails("UserNotFoundException", "User does not exist."):
        call(
            engine,
            "AdminUpdateUserAttributes",
            UserPoolId=pool_id,
            Username="nobody",
            UserAttributes=attrs(name="x"),
        )


def test_required_attributes_cannot_be_removed(engine: Engine) -> None:
    pool = make_pool(engine, Schema=[{"Name": "email", "Required": True}])
    create(engine, pool, "alice", UserAttributes=attrs(email="a@example.com"))
    with fails(
        "InvalidParameterException",
        "Attributes did not conform to the schema: email: The attribute is required",
    ):
        call(
            engine,
            "AdminUpdateUserAttributes",
            UserPoolId=pool,
            Username="alice",
            UserAttributes=attrs(email=""),
        )


def test_delete_user_attributes(engine: Engine, pool_id: str) -> None:
    create(
        engine,
        pool_id,
        "alice",
        UserAttributes=attrs(email="a@example.com", email_verified="true", name="Alice"),
    )
    assert (
        call(
            engine,
            "AdminDeleteUserAttributes",
            UserPoolId=pool_id,
            Username="alice",
            UserAttributeNames=["email", "locale"],
        )
        == {}
    )
    assert set(shown_attributes(engine, pool_id, "alice")) == {"sub", "name"}
    with fails("InvalidParameterException"):
        call(
            engine,
            "AdminDeleteUserAttributes",
            UserPoolId=pool_id,
            Username="alice",
            UserAttributeNames=["sub"],
        )
    with fails("InvalidParameterException"):
        call(
            engine,
            "AdminDeleteUserAttributes",
            UserPoolId=pool_id,
            Username="alice",
            UserAttributeNames=["shoe_size"],
        )
    with fails("UserNotFoundException", "User does not exist."):
        call(
            engine,
            "AdminDeleteUserAttributes",
            UserPoolId=pool_id,
            Username="nobody",
            UserAttributeNames=["name"],
        )


# --- AdminDisableUser / AdminEnableUser --------------------------------------------------------


def signed_in(engine: Engine, pool_id: str, username: str) -> tuple[str, str]:
    """Tokens and a pending challenge session for ``username``, issued as a sign-in would."""
    client_id = call(engine, "CreateUserPoolClient", UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    ctx = Context(engine, engine.clock.now(), None)
    with engine.db.transaction() as conn:
        pool = load_pool(conn, pool_id)
        user = get_user(conn, pool, username)
        result = issue_tokens(ctx, conn, pool, load_client(conn, client_id), user)
        session = auth_sessions.create_session(
            ctx,
            conn,
            pool_id=pool_id,
            client_id=client_id,
            user_id=user.id,
            stage="password_ok",
            challenge="SOFTWARE_TOKEN_MFA",
            ttl_seconds=180,
        )
    return str(result["AccessToken"]), session


def test_disable_blocks_the_user_and_revokes_tokens(
    engine: Engine, pool_id: str, clock: FakeClock
) -> None:
    create(engine, pool_id, "alice")
    call(
        engine,
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username="alice",
        Password=TEMP,
        Permanent=True,
    )
    access, session = signed_in(engine, pool_id, "alice")
    assert engine.call("GetUser", {"AccessToken": access})["Username"] == "alice"
    clock.advance(5)
    assert call(engine, "AdminDisableUser", UserPoolId=pool_id, Username="alice") == {}
    assert call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")["Enabled"] is False
    assert [u["Username"] for u in call(engine, "ListUsers", UserPoolId=pool_id)["Users"]] == [
        "alice"
    ]
    with fails("NotAuthorizedException"):
        engine.call("GetUser", {"AccessToken": access})
    with engine.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM auth_sessions").fetchone()[0] == 0
        assert conn.execute("SELECT revoked FROM token_families").fetchone()[0] == 1
    assert stored(engine, pool_id, "alice").tokens_valid_after == clock.now()
    with fails("NotAuthorizedException", "Invalid session for the user."):
        with engine.db.read() as conn:
            auth_sessions.load_session(Context(engine, clock.now(), None), conn, session)

    call(engine, "AdminEnableUser", UserPoolId=pool_id, Username="alice")
    assert call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")["Enabled"] is True
    with fails("NotAuthorizedException", "Access Token has been revoked"):
        engine.call("GetUser", {"AccessToken": access})


def test_enable_and_disable_unknown_user(engine: Engine, pool_id: str) -> None:
    for op in ("AdminDisableUser", "AdminEnableUser"):
        with fails("UserNotFoundException", "User does not exist."):
            call(engine, op, UserPoolId=pool_id, Username="nobody")
