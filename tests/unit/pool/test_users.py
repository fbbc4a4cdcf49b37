"""User records and name resolution: username, case folding, ``sub``, verified aliases, username attributes."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest

from mfa_portal.pool.pools import Pool, save_pool
from mfa_portal.pool.storage import Database
from mfa_portal.pool.users import (
    find_user,
    get_user,
    load_user_by_id,
    names_another_user,
    public_user_dict,
    save_user,
    user_groups,
    username_taken,
)
from mfa_portal.storage import Connection
from tests.support.cognito_errors import raises_cognito

_subs = itertools.count(1)


@pytest.fixture
def conn(tmp_path: Any) -> Iterator[Connection]:
    db = Database(tmp_path / "pool.sqlite3")
    with db.transaction() as c:
        yield c
    db.close()


def make_pool(conn: Connection, pool_id: str = "us-east-1_p", **settings: Any) -> Pool:
    pool = Pool(pool_id, "p", settings, {}, 0.0, 0.0)
    save_pool(conn, pool)
    return pool


def add_user(
    conn: Connection, pool: Pool, username: str, *, modified: float = 1.0, **attrs: str
) -> int:
    sub = f"00000000-0000-4000-8000-{next(_subs):012d}"
    cur = conn.execute(
        "INSERT INTO users (pool_id, username, username_key, sub, status, attributes, created, "
        "modified) VALUES (?, ?, ?, ?, 'CONFIRMED', ?, 0, ?) RETURNING id",
        (pool.id, username, pool.username_key(username), sub, json.dumps(attrs), modified),
    )
    return int(cur.fetchone()[0])


def found(conn: Connection, pool: Pool, name: str) -> str | None:
    user = find_user(conn, pool, name)
    return None if user is None else user.username


def test_username_resolves_exactly_in_a_case_sensitive_pool(conn: Connection) -> None:
    pool = make_pool(conn)  # the API default is case-sensitive
    add_user(conn, pool, "Alice")
    assert found(conn, pool, "Alice") == "Alice"
    assert found(conn, pool, "alice") is None
    assert found(conn, pool, "ALICE") is None


def test_username_is_case_folded_in_a_case_insensitive_pool(conn: Connection) -> None:
    pool = make_pool(conn, UsernameConfiguration={"CaseSensitive": False})
    add_user(conn, pool, "Alice")
    assert found(conn, pool, "alice") == "Alice"  # the stored username keeps its case
    assert found(conn, pool, "ALICE") == "Alice"


def test_users_of_another_pool_are_invisible(conn: Connection) -> None:
    mine, other = make_pool(conn, "us-east-1_a"), make_pool(conn, "us-east-1_b")
    add_user(conn, other, "alice")
    assert found(conn, mine, "alice") is None


def test_sub_resolves(conn: Connection) -> None:
    pool = make_pool(conn)
    uid = add_user(conn, pool, "alice")
    sub = load_user_by_id(conn, uid).sub
    assert found(conn, pool, sub) == "alice"


def test_email_is_not_a_sign_in_name_without_an_alias(conn: Connection) -> None:
    pool = make_pool(conn)
    add_user(conn, pool, "alice", email="alice@example.com", email_verified="true")
    assert found(conn, pool, "alice@example.com") is None


def test_verified_email_alias_resolves_case_insensitively(conn: Connection) -> None:
    pool = make_pool(conn, AliasAttributes=["email"])
    add_user(conn, pool, "alice", email="Alice@Example.com", email_verified="true")
    assert found(conn, pool, "alice@example.com") == "alice"
    assert found(conn, pool, "ALICE@EXAMPLE.COM") == "alice"


@pytest.mark.parametrize("verified", [None, "false"])
def test_unverified_email_alias_does_not_resolve(conn: Connection, verified: str | None) -> None:
    pool = make_pool(conn, AliasAttributes=["email"])
    if verified is None:
        add_user(conn, pool, "alice", email="alice@example.com")
    else:
        add_user(conn, pool, "alice", email="alice@example.com", email_verified=verified)
    assert found(conn, pool, "alice@example.com") is None


def test_verified_phone_alias_resolves_exactly(conn: Connection) -> None:
    pool = make_pool(conn, AliasAttributes=["phone_number"])
    add_user(conn, pool, "alice", phone_number="+15555550100", phone_number_verified="true")
    add_user(conn, pool, "bob", phone_number="+15555550199")
    assert found(conn, pool, "+15555550100") == "alice"
    assert found(conn, pool, "+15555550199") is None


def test_preferred_username_alias_needs_no_verification(conn: Connection) -> None:
    pool = make_pool(
        conn, AliasAttributes=["preferred_username"], UsernameConfiguration={"CaseSensitive": False}
    )
    add_user(conn, pool, "alice", preferred_username="Ally")
    assert found(conn, pool, "ally") == "alice"


def test_preferred_username_is_case_sensitive_in_a_case_sensitive_pool(
    conn: Connection,
) -> None:
    pool = make_pool(conn, AliasAttributes=["preferred_username"])
    add_user(conn, pool, "alice", preferred_username="Ally")
    assert found(conn, pool, "Ally") == "alice"
    assert found(conn, pool, "ally") is None


def test_only_the_last_user_to_verify_an_alias_signs_in_with_it(conn: Connection) -> None:
    pool = make_pool(conn, AliasAttributes=["email"])
    add_user(conn, pool, "old", modified=1.0, email="x@example.com", email_verified="true")
    add_user(conn, pool, "new", modified=2.0, email="x@example.com", email_verified="true")
    assert found(conn, pool, "x@example.com") == "new"


def test_username_wins_over_an_alias(conn: Connection) -> None:
    pool = make_pool(conn, AliasAttributes=["preferred_username"])
    add_user(conn, pool, "mallory", preferred_username="alice")
    add_user(conn, pool, "alice")
    assert found(conn, pool, "alice") == "alice"


def test_username_attributes_resolve_verified_or_not(conn: Connection) -> None:
    pool = make_pool(conn, UsernameAttributes=["email"])
    add_user(conn, pool, "5f0c-uuid", email="Alice@Example.com")
    assert found(conn, pool, "alice@example.com") == "5f0c-uuid"


def test_attribute_names_in_settings_do_not_reach_unlisted_attributes(
    conn: Connection,
) -> None:
    pool = make_pool(conn, UsernameAttributes=["email"])
    add_user(conn, pool, "alice", phone_number="+15555550100", phone_number_verified="true")
    assert found(conn, pool, "+15555550100") is None


def test_get_user_raises_user_not_found(conn: Connection) -> None:
    pool = make_pool(conn)
    with raises_cognito("UserNotFoundException", "User does not exist."):
        get_user(conn, pool, "ghost")
    with raises_cognito("UserNotFoundException"):
        load_user_by_id(conn, 999)


def test_get_user_includes_groups_by_precedence(conn: Connection) -> None:
    pool = make_pool(conn)
    uid = add_user(conn, pool, "alice")
    for name, precedence in (("b-none", None), ("a-second", 5), ("c-first", 1)):
        conn.execute(
            "INSERT INTO groups (pool_id, name, precedence, created, modified) "
            "VALUES (?, ?, ?, 0, 0)",
            (pool.id, name, precedence),
        )
        conn.execute(
            "INSERT INTO group_members (pool_id, group_name, user_id) VALUES (?, ?, ?)",
            (pool.id, name, uid),
        )
    assert get_user(conn, pool, "alice").groups == ["c-first", "a-second", "b-none"]
    assert user_groups(conn, uid) == ["c-first", "a-second", "b-none"]


def test_save_user_writes_every_mutable_column(conn: Connection) -> None:
    pool = make_pool(conn)
    uid = add_user(conn, pool, "alice")
    user = load_user_by_id(conn, uid)
    user.status, user.enabled = "RESET_REQUIRED", False
    user.attributes = {"email": "a@example.com"}
    user.password_hash, user.temp_password_expires = "$argon2id$x", 99.0
    user.mfa_enabled, user.preferred_mfa = ["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA"
    user.tokens_valid_after, user.failed_attempts = 7.0, 3
    user.last_failure, user.locked_until = 8.0, 9.0
    save_user(conn, user, now=123.0)
    again = load_user_by_id(conn, uid)
    assert again == user
    assert again.modified == 123.0 and again.created == 0.0


def test_public_user_dict_has_sub_first_and_sorted_attributes(conn: Connection) -> None:
    pool = make_pool(conn)
    uid = add_user(conn, pool, "alice", zoneinfo="UTC", email="a@example.com")
    user = load_user_by_id(conn, uid)
    shown = public_user_dict(user)
    assert shown["Username"] == "alice" and shown["UserStatus"] == "CONFIRMED"
    assert shown["Enabled"] is True
    assert [a["Name"] for a in shown["Attributes"]] == ["sub", "email", "zoneinfo"]
    assert user.attribute_list(["email"]) == [{"Name": "email", "Value": "a@example.com"}]
    assert "password_hash" not in json.dumps(shown)


def _sub(conn: Connection, user_id: int) -> str:
    return str(conn.execute("SELECT sub FROM users WHERE id = ?", (user_id,)).fetchone()[0])


@pytest.mark.parametrize(
    ("settings", "victim_attrs", "name", "taken"),
    [
        ({}, {}, "victim", True),
        ({}, {}, "Victim", False),
        ({"UsernameConfiguration": {"CaseSensitive": False}}, {}, "VICTIM", True),
        ({"AliasAttributes": ["preferred_username"]}, {"preferred_username": "vic"}, "vic", True),
        ({"AliasAttributes": ["preferred_username"]}, {"preferred_username": "vic"}, "Vic", False),
        (
            {
                "AliasAttributes": ["preferred_username"],
                "UsernameConfiguration": {"CaseSensitive": False},
            },
            {"preferred_username": "vic"},
            "VIC",
            True,
        ),
        ({"AliasAttributes": ["email"]}, {"email": "v@example.com"}, "V@example.com", True),
        ({"AliasAttributes": ["phone_number"]}, {"phone_number": "+15550100"}, "+15550100", True),
        ({}, {"preferred_username": "vic"}, "vic", False),  # not a sign-in attribute here
    ],
    ids=[
        "username",
        "username-other-case",
        "username-folded",
        "preferred",
        "preferred-other-case",
        "preferred-folded",
        "email-unverified",
        "phone-unverified",
        "not-an-alias",
    ],
)
def test_a_new_username_may_not_be_another_users_name(
    conn: Connection, settings: dict[str, Any], victim_attrs: dict[str, str], name: str, taken: bool
) -> None:
    """Whatever the lookup would take for the victim, by the pool's case rules, is taken."""
    pool = make_pool(conn, **settings)
    victim = add_user(conn, pool, "victim")
    conn.execute("UPDATE users SET attributes = ? WHERE id = ?", (json.dumps(victim_attrs), victim))
    assert username_taken(conn, pool, name) is taken


@pytest.mark.parametrize("case_sensitive", [True, False])
def test_a_new_username_may_not_be_another_users_sub(
    conn: Connection, case_sensitive: bool
) -> None:
    pool = make_pool(conn, UsernameConfiguration={"CaseSensitive": case_sensitive})
    victim = add_user(conn, pool, "victim")
    sub = "6305d614-2c60-4f3a-81d8-0273bb0cf3f2"  # as generated: lower case, with letters
    conn.execute("UPDATE users SET sub = ? WHERE id = ?", (sub, victim))
    assert username_taken(conn, pool, sub)
    # Upper case reaches the victim only where names fold.
    assert username_taken(conn, pool, sub.upper()) is not case_sensitive


@pytest.mark.parametrize(
    ("settings", "attr", "value", "taken"),
    [
        ({"AliasAttributes": ["preferred_username"]}, "preferred_username", "victim", True),
        ({"AliasAttributes": ["preferred_username"]}, "preferred_username", "Victim", False),
        (
            {
                "AliasAttributes": ["preferred_username"],
                "UsernameConfiguration": {"CaseSensitive": False},
            },
            "preferred_username",
            "VICTIM",
            True,
        ),
        ({"AliasAttributes": ["email"]}, "email", "VICTIM@x.example", False),
        ({"AliasAttributes": ["preferred_username"]}, "preferred_username", "other", False),
    ],
)
def test_a_sign_in_attribute_may_not_be_another_users_username(
    conn: Connection, settings: dict[str, Any], attr: str, value: str, taken: bool
) -> None:
    pool = make_pool(conn, **settings)
    add_user(conn, pool, "victim")
    me = add_user(conn, pool, "me")
    assert names_another_user(conn, pool, attr, value, me) is taken
    assert names_another_user(conn, pool, attr, value, None) is taken  # a user being created


def test_a_sign_in_attribute_may_not_be_another_users_sub_but_may_be_ones_own(
    conn: Connection,
) -> None:
    pool = make_pool(conn, AliasAttributes=["preferred_username"])
    victim = add_user(conn, pool, "victim")
    me = add_user(conn, pool, "me")
    assert names_another_user(conn, pool, "preferred_username", _sub(conn, victim), me)
    assert not names_another_user(conn, pool, "preferred_username", _sub(conn, me), me)
    assert not names_another_user(conn, pool, "preferred_username", "me", me)


def test_a_sub_reaches_its_owner_even_past_a_username_stored_equal_to_it(
    conn: Connection,
) -> None:
    """A collision stored before SignUp refused it: the sub, which nobody chooses, wins, so calls
    naming the victim by sub do not reach whoever took it as a username."""
    pool = make_pool(conn)
    victim_sub = _sub(conn, add_user(conn, pool, "victim"))
    add_user(conn, pool, victim_sub)
    assert found(conn, pool, victim_sub) == "victim"
