"""Attribute names, formats, verified flags, and the uniqueness of aliases and username attributes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from mfa_portal.pool import attributes
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pool_settings import schema_attributes
from mfa_portal.pool.pools import Pool, save_pool
from tests.support.cognito_errors import raises_cognito

POOL_ID = "us-east-1_Attrs0001"


def pool_with(**settings: Any) -> Pool:
    return Pool(POOL_ID, "attrs", settings, {"MfaConfiguration": "OFF"}, 0.0, 0.0)


PLAIN = pool_with()
SCHEMA = pool_with(
    SchemaAttributes=schema_attributes(
        [
            {"Name": "team", "AttributeDataType": "String"},
            {"Name": "badge", "AttributeDataType": "String", "Mutable": False},
            {"Name": "email", "Required": True},
        ]
    )
)


def refused(code: str, fn: Any, *args: Any, **kwargs: Any) -> str:
    with raises_cognito(code) as info:
        fn(*args, **kwargs)
    return info.message


def test_to_dict_reads_cognitos_name_value_list() -> None:
    items = [
        {"Name": "email", "Value": "a@example.com"},
        {"Name": "name", "Value": ""},
        {"Name": "name", "Value": "Ann"},
    ]
    assert attributes.to_dict(items) == {"email": "a@example.com", "name": "Ann"}
    assert attributes.to_dict(None) == {}


def test_standard_and_custom_attributes_are_accepted() -> None:
    given = {
        "email": "a@example.com",
        "given_name": "Ann",
        "custom:team": "blue",
        "phone_number": "+447700900123",
        "locale": "en-GB",
    }
    assert attributes.validate(PLAIN, given, creating=True) == given


@pytest.mark.parametrize("name", ["favourite_colour", "custom:", "Email"])
def test_unknown_attribute_is_refused_by_name(name: str) -> None:
    message = refused(
        "InvalidParameterException", attributes.validate, PLAIN, {name: "x"}, creating=True
    )
    assert (
        message
        == f"Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
    )


def test_custom_attributes_must_be_in_the_pools_schema_when_it_has_one() -> None:
    attributes.validate(SCHEMA, {"custom:team": "blue"}, creating=False)
    message = refused(
        "InvalidParameterException",
        attributes.validate,
        SCHEMA,
        {"custom:nope": "x"},
        creating=False,
    )
    assert "custom:nope: Attribute does not exist in the schema." in message


def test_sub_can_never_be_written() -> None:
    for creating in (True, False):
        message = refused(
            "InvalidParameterException", attributes.validate, PLAIN, {"sub": "x"}, creating=creating
        )
        assert "sub: Attribute cannot be updated." in message


def test_immutable_custom_attribute_can_be_set_at_creation_only() -> None:
    assert attributes.validate(SCHEMA, {"custom:badge": "7"}, creating=True) == {
        "custom:badge": "7"
    }
    message = refused(
        "InvalidParameterException",
        attributes.validate,
        SCHEMA,
        {"custom:badge": "8"},
        creating=False,
    )
    assert "custom:badge: Attribute cannot be updated." in message


@pytest.mark.parametrize(
    "value",
    [
        "no-at-sign",
        "two@@example.com",
        "space @example.com",
        "a@b c",
        "a\x00@b.c",
        "a@b.c\x00",
        "a\x1b[2J@b.c",
        "a@b\x7f.c",
        "a@b\x9b.c",
    ],
)
def test_malformed_email_is_refused_without_echoing_it(value: str) -> None:
    message = refused(
        "InvalidParameterException", attributes.validate, PLAIN, {"email": value}, creating=True
    )
    assert message == "Invalid email address format."


@pytest.mark.parametrize(
    "value",
    ["07700900123", "+44 7700 900123", "+1", "+1234567890123456", "tel", "+4477009\x00", "+٤٤٧٧٠٠"],
)
def test_malformed_phone_number_is_refused(value: str) -> None:
    message = refused(
        "InvalidParameterException",
        attributes.validate,
        PLAIN,
        {"phone_number": value},
        creating=True,
    )
    assert message == "Invalid phone number format."


def test_verified_flags_are_normalised_true_false_strings() -> None:
    given = {"email_verified": "TRUE", "phone_number_verified": "False"}
    assert attributes.validate(PLAIN, given, creating=True) == {
        "email_verified": "true",
        "phone_number_verified": "false",
    }
    message = refused(
        "InvalidParameterException",
        attributes.validate,
        PLAIN,
        {"email_verified": "yes"},
        creating=True,
    )
    assert message.endswith("email_verified: Attribute value must be true or false.")


def test_blank_values_are_dropped_at_creation_and_kept_as_deletions_in_updates() -> None:
    assert attributes.validate(PLAIN, {"name": ""}, creating=True) == {}
    assert attributes.validate(PLAIN, {"name": ""}, creating=False) == {"name": ""}


def test_required_attributes_must_have_a_value() -> None:
    message = refused("InvalidParameterException", attributes.check_required, SCHEMA, {"name": "x"})
    assert message == "Attributes did not conform to the schema: email: The attribute is required"
    attributes.check_required(SCHEMA, {"email": "a@example.com"})
    attributes.check_required(SCHEMA, {}, only={"name"})  # only the named ones are checked


def test_apply_changes_sets_deletes_and_unverifies() -> None:
    current = {
        "email": "a@example.com",
        "email_verified": "true",
        "name": "Ann",
        "phone_number": "+15550100",
        "phone_number_verified": "true",
    }
    changed = attributes.apply_changes(
        current, {"email": "b@example.com", "name": "", "given_name": "Annie"}
    )
    assert changed == {
        "email": "b@example.com",
        "email_verified": "false",
        "given_name": "Annie",
        "phone_number": "+15550100",
        "phone_number_verified": "true",
    }
    assert current["email"] == "a@example.com"  # the input is not modified


def test_apply_changes_keeps_verification_when_sent_or_unchanged() -> None:
    current = {"email": "a@example.com", "email_verified": "true"}
    assert (
        attributes.apply_changes(current, {"email": "b@example.com", "email_verified": "true"})[
            "email_verified"
        ]
        == "true"
    )
    assert attributes.apply_changes(current, {"email": "a@example.com"})["email_verified"] == "true"


def test_deleting_email_or_phone_deletes_its_verified_flag() -> None:
    current = {
        "email": "a@example.com",
        "email_verified": "true",
        "phone_number": "+15550100",
        "phone_number_verified": "false",
    }
    assert attributes.apply_changes(current, {"email": "", "phone_number": ""}) == {}


def test_username_rules_of_a_username_attributes_pool() -> None:
    pool = pool_with(UsernameAttributes=["email", "phone_number"])
    assert attributes.check_username(pool, "a@example.com") == "email"
    assert attributes.check_username(pool, "+15550100") == "phone_number"
    message = refused("InvalidParameterException", attributes.check_username, pool, "alice")
    assert message == "Username should be either an email or a phone number."
    email_only = pool_with(UsernameAttributes=["email"])
    refused("InvalidParameterException", attributes.check_username, email_only, "+15550100")


def test_alias_pools_refuse_usernames_that_look_like_an_alias() -> None:
    assert attributes.check_username(PLAIN, "a@example.com") is None
    email_alias = pool_with(AliasAttributes=["email"])
    message = refused(
        "InvalidParameterException", attributes.check_username, email_alias, "a@example.com"
    )
    assert (
        message
        == "Username cannot be of email format, since user pool is configured for email alias."
    )
    phone_alias = pool_with(AliasAttributes=["phone_number"])
    message = refused(
        "InvalidParameterException", attributes.check_username, phone_alias, "+15550100"
    )
    assert "phone number format" in message
    assert attributes.check_username(email_alias, "alice") is None


def seed(engine: Engine, pool: Pool, users: dict[str, dict[str, str]]) -> dict[str, int]:
    ids: dict[str, int] = {}
    with engine.db.transaction() as conn:
        save_pool(conn, pool)
        for name, attrs in users.items():
            cur = conn.execute(
                "INSERT INTO users (pool_id, username, username_key, sub, status, attributes, created, "
                "modified) VALUES (?, ?, ?, ?, 'CONFIRMED', ?, 0, 0) RETURNING id",
                (pool.id, name, name, f"sub-{name}", json.dumps(attrs)),
            )
            ids[name] = int(cur.fetchone()[0])
    return ids


def uniqueness(
    engine: Engine,
    pool: Pool,
    attrs: dict[str, str],
    *,
    user_id: int | None = None,
    force: bool = False,
) -> None:
    with engine.db.transaction() as conn:
        attributes.enforce_uniqueness(
            conn, pool, attrs, set(attrs), user_id=user_id, force_alias=force, now=5.0
        )


def stored(engine: Engine, user_id: int) -> dict[str, str]:
    with engine.db.read() as conn:
        row = conn.execute("SELECT attributes FROM users WHERE id = ?", (user_id,)).fetchone()
    return dict(json.loads(row[0]))


def test_verified_email_alias_is_unique(engine: Engine) -> None:
    pool = pool_with(AliasAttributes=["email"])
    seed(engine, pool, {"ann": {"email": "Ann@Example.com", "email_verified": "true"}})
    with raises_cognito("AliasExistsException", "An account with the email already exists."):
        uniqueness(engine, pool, {"email": "ann@example.com", "email_verified": "true"})
    # Unverified, the same email is fine: an alias only counts once verified.
    uniqueness(engine, pool, {"email": "ann@example.com", "email_verified": "false"})


def test_forced_alias_moves_to_the_new_holder(engine: Engine) -> None:
    pool = pool_with(AliasAttributes=["email", "phone_number"])
    ids = seed(
        engine,
        pool,
        {
            "ann": {
                "email": "ann@example.com",
                "email_verified": "true",
                "phone_number": "+15550100",
                "phone_number_verified": "true",
            }
        },
    )
    uniqueness(engine, pool, {"email": "ann@example.com", "email_verified": "true"}, force=True)
    assert stored(engine, ids["ann"]) == {
        "email": "ann@example.com",
        "email_verified": "false",
        "phone_number": "+15550100",
        "phone_number_verified": "true",
    }
    with raises_cognito("AliasExistsException", re.compile("phone_number already exists")):
        uniqueness(engine, pool, {"phone_number": "+15550100", "phone_number_verified": "true"})


def test_a_user_does_not_collide_with_itself(engine: Engine) -> None:
    pool = pool_with(AliasAttributes=["email"])
    ids = seed(engine, pool, {"ann": {"email": "ann@example.com", "email_verified": "true"}})
    uniqueness(
        engine, pool, {"email": "ann@example.com", "email_verified": "true"}, user_id=ids["ann"]
    )


def test_plain_pools_allow_shared_emails(engine: Engine) -> None:
    seed(engine, PLAIN, {"ann": {"email": "ann@example.com", "email_verified": "true"}})
    uniqueness(engine, PLAIN, {"email": "ann@example.com", "email_verified": "true"})


def test_preferred_username_alias_is_unique_even_unverified(engine: Engine) -> None:
    pool = pool_with(
        AliasAttributes=["preferred_username"], UsernameConfiguration={"CaseSensitive": False}
    )
    seed(engine, pool, {"ann": {"preferred_username": "Annie"}})
    with raises_cognito(
        "AliasExistsException", "An account with the preferred_username already exists."
    ):
        uniqueness(engine, pool, {"preferred_username": "annie"}, force=True)


def test_username_attribute_is_unique_verified_or_not(engine: Engine) -> None:
    pool = pool_with(UsernameAttributes=["email"])
    ids = seed(
        engine,
        pool,
        {
            "u1": {"email": "ann@example.com", "email_verified": "false"},
            "u2": {"email": "bob@example.com"},
        },
    )
    with raises_cognito(
        "UsernameExistsException", "An account with the given email already exists."
    ):
        uniqueness(engine, pool, {"email": "ANN@example.com"})
    with raises_cognito("AliasExistsException", "An account with the given email already exists."):
        uniqueness(engine, pool, {"email": "ann@example.com"}, user_id=ids["u2"])


def test_an_ordinary_and_an_international_email_address_are_kept() -> None:
    for value in ("ivy@example.com", "ïvy.o'neil+tag@exämple.org"):
        assert attributes.validate(PLAIN, {"email": value}, creating=True) == {"email": value}


@pytest.mark.parametrize("name", ["name", "address", "custom:team"])
def test_a_nul_in_any_attribute_value_is_refused_by_name(name: str) -> None:
    message = refused(
        "InvalidParameterException", attributes.validate, PLAIN, {name: "Ivy\x00"}, creating=True
    )
    assert (
        message
        == f"Attributes did not conform to the schema: {name}: Attribute value must not contain a NUL character."
    )


def test_free_text_keeps_line_breaks_and_other_characters_support_tools_escape() -> None:
    """A postal address spans lines; display escaping (not refusal) handles the rest."""
    values = {"address": "1 Main St\nSpringfield", "name": "\x1b[2JIvy"}
    assert attributes.validate(PLAIN, values, creating=True) == values
