"""ListUsers' Filter grammar, and the SQL it turns into."""

from __future__ import annotations

import json
import sqlite3

import pytest

from mfa_portal.pool.user_filter import SEARCHABLE, UserFilter, parse_filter
from tests.support.cognito_errors import raises_cognito


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('email = "a@example.com"', UserFilter("email", False, "a@example.com")),
        ('email="a@example.com"', UserFilter("email", False, "a@example.com")),
        ('  family_name ^= "Red"  ', UserFilter("family_name", True, "Red")),
        (
            'cognito:user_status = "CONFIRMED"',
            UserFilter("cognito:user_status", False, "CONFIRMED"),
        ),
        ('name = "say \\"hi\\""', UserFilter("name", False, 'say "hi"')),
        ('name = "back\\\\slash"', UserFilter("name", False, "back\\slash")),
        ('given_name = ""', UserFilter("given_name", False, "")),
    ],
)
def test_parses_exact_and_prefix_filters(text: str, expected: UserFilter) -> None:
    assert parse_filter(text) == expected


@pytest.mark.parametrize("text", [None, "", "   "])
def test_absent_or_blank_filter_lists_everyone(text: str | None) -> None:
    assert parse_filter(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "foo",
        'email == "x"',
        "email = x",
        'email = "x',
        'email = "x" and name = "y"',
        'email != "x"',
        'email = "a"b"',
        '= "x"',
    ],
)
def test_malformed_filter_is_refused(text: str) -> None:
    with raises_cognito("InvalidParameterException", "Error while parsing filter."):
        parse_filter(text)


@pytest.mark.parametrize("name", ["custom:team", "nickname", "email_verified", "Username"])
def test_unsearchable_attribute_is_refused_by_name(name: str) -> None:
    with raises_cognito("InvalidParameterException") as info:
        parse_filter(f'{name} = "x"')
    assert info.message.startswith(f"Invalid search attribute: {name}.")
    assert "email" in info.message  # the message lists what can be searched


@pytest.fixture
def table() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, sub TEXT, status TEXT, "
        "enabled INTEGER, attributes TEXT)"
    )
    rows = [
        ("Alice", "sub-1", "CONFIRMED", 1, {"email": "alice@example.com", "name": "50% off"}),
        (
            "alice2",
            "sub-2",
            "FORCE_CHANGE_PASSWORD",
            0,
            {"email": "ALICE@example.org", "name": "500"},
        ),
        ("bob", "sub-3", "CONFIRMED", 1, {"phone_number": "+15550100"}),
    ]
    for username, sub, status, enabled, attrs in rows:
        conn.execute(
            "INSERT INTO users (username, sub, status, enabled, attributes) VALUES (?, ?, ?, ?, ?)",
            (username, sub, status, enabled, json.dumps(attrs)),
        )
    return conn


def matches(conn: sqlite3.Connection, text: str) -> list[str]:
    parsed = parse_filter(text)
    assert parsed is not None
    where, args = parsed.sql()
    rows = conn.execute(f"SELECT username FROM users WHERE {where} ORDER BY id", args).fetchall()
    return [r[0] for r in rows]


def test_every_searchable_attribute_compiles(table: sqlite3.Connection) -> None:
    for name in SEARCHABLE:
        matches(table, f'{name} = "x"')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('username = "Alice"', ["Alice"]),
        ('username = "alice"', []),  # username search is case-sensitive
        ('username ^= "alice"', ["alice2"]),
        ('email ^= "alice@"', ["Alice"]),
        ('name ^= "50%"', ["Alice"]),  # % is literal, not a LIKE wildcard
        ('name ^= "5_0"', []),
        ('status = "Disabled"', ["alice2"]),
        ('status = "Enabled"', ["Alice", "bob"]),
        ('cognito:user_status = "confirmed"', ["Alice", "bob"]),  # status is case-insensitive
        ('sub = "sub-3"', ["bob"]),
        ('phone_number ^= "+1555"', ["bob"]),
        ('email ^= ""', ["Alice", "alice2"]),  # empty prefix matches anyone having the attribute
    ],
)
def test_sql_matches_like_cognito(
    table: sqlite3.Connection, text: str, expected: list[str]
) -> None:
    assert matches(table, text) == expected
