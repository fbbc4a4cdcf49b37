"""AdminGetUser, AdminDeleteUser and Admin(Update|Delete)UserAttributes through the engine."""

from __future__ import annotations

from mfa_portal.clock import FakeClock
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_pool
from mfa_portal.pool.users import get_user, save_user
from tests.support import user_admin_world
from tests.support.cognito_errors import raises_cognito
from tests.support.user_admin_world import (
    attribute_map,
    attrs,
    call,
    create,
    make_pool,
    stored,
)

pool_id = user_admin_world.pool_id  # the fixture, shared by the user-admin test modules


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
    with raises_cognito("UserNotFoundException", "User does not exist."):
        call(engine, "AdminGetUser", UserPoolId=pool_id, Username="nobody")
    with raises_cognito("ResourceNotFoundException"):
        call(engine, "AdminGetUser", UserPoolId="us-east-1_Missing00", Username="nobody")


def test_admin_operations_require_iam(engine: Engine, pool_id: str) -> None:
    with raises_cognito("MissingAuthenticationTokenException"):
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
    with raises_cognito("UserNotFoundException", "User does not exist."):
        call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")
    with engine.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM software_tokens").fetchone()[0] == 0
    with raises_cognito("UserNotFoundException", "User does not exist."):
        call(engine, "AdminDeleteUser", UserPoolId=pool_id, Username="alice")


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
    with raises_cognito("AliasExistsException", "An account with the email already exists."):
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
    with raises_cognito("AliasExistsException", "An account with the given email already exists."):
        call(
            engine,
            "AdminUpdateUserAttributes",
            UserPoolId=pool,
            Username=bob,
            UserAttributes=attrs(email="ann@example.com"),
        )
    with raises_cognito("InvalidParameterException"):
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
    with raises_cognito("InvalidParameterException"):
        call(
            engine,
            "AdminUpdateUserAttributes",
            UserPoolId=pool_id,
            Username="alice",
            UserAttributes=attrs(sub="other"),
        )
    with raises_cognito("InvalidParameterException", "Invalid phone number format."):
        call(
            engine,
            "AdminUpdateUserAttributes",
            UserPoolId=pool_id,
            Username="alice",
            UserAttributes=attrs(phone_number="555-0100"),
        )
    with raises_cognito("UserNotFoundException", "User does not exist."):
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
    with raises_cognito(
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
    with raises_cognito("InvalidParameterException"):
        call(
            engine,
            "AdminDeleteUserAttributes",
            UserPoolId=pool_id,
            Username="alice",
            UserAttributeNames=["sub"],
        )
    with raises_cognito("InvalidParameterException"):
        call(
            engine,
            "AdminDeleteUserAttributes",
            UserPoolId=pool_id,
            Username="alice",
            UserAttributeNames=["shoe_size"],
        )
    with raises_cognito("UserNotFoundException", "User does not exist."):
        call(
            engine,
            "AdminDeleteUserAttributes",
            UserPoolId=pool_id,
            Username="nobody",
            UserAttributeNames=["name"],
        )
