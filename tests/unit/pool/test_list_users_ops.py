"""ListUsers through the engine: filters, pages, AttributesToGet and the UserType shape."""

from __future__ import annotations

from typing import Any

import pytest

from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_pool
from mfa_portal.pool.users import get_user, save_user
from tests.support.cognito_errors import raises_cognito


def call(engine: Engine, op: str, **params: Any) -> dict[str, Any]:
    return engine.call(op, params, iam_principal="test")


def make_pool(engine: Engine, **params: Any) -> str:
    return str(call(engine, "CreateUserPool", PoolName="listing", **params)["UserPool"]["Id"])


def add_user(engine: Engine, pool_id: str, username: str, **attrs: str) -> None:
    call(
        engine,
        "AdminCreateUser",
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
    )


def names(result: dict[str, Any]) -> list[str]:
    return [u["Username"] for u in result["Users"]]


def listed(engine: Engine, pool_id: str, **params: Any) -> list[str]:
    return names(call(engine, "ListUsers", UserPoolId=pool_id, **params))


@pytest.fixture
def pool_id(engine: Engine) -> str:
    pool = make_pool(engine)
    add_user(
        engine,
        pool,
        "alice",
        email="alice@example.com",
        given_name="Alice",
        family_name="Reddy",
        name="Alice Reddy",
        phone_number="+15550100",
        preferred_username="ally",
    )
    add_user(
        engine, pool, "Alan", email="alan@example.org", given_name="Alan", family_name="Reddish"
    )
    add_user(engine, pool, "bob", email="bob@example.com", given_name="Bob", family_name="Stone")
    return pool


def test_lists_every_user_with_the_user_type_shape(engine: Engine, pool_id: str) -> None:
    result = call(engine, "ListUsers", UserPoolId=pool_id)
    assert names(result) == ["alice", "Alan", "bob"]
    assert "PaginationToken" not in result
    first = result["Users"][0]
    assert set(first) == {
        "Username",
        "Attributes",
        "UserCreateDate",
        "UserLastModifiedDate",
        "Enabled",
        "UserStatus",
    }
    assert first["Attributes"][0]["Name"] == "sub"
    assert {"Name": "email", "Value": "alice@example.com"} in first["Attributes"]
    assert (first["Enabled"], first["UserStatus"]) == (True, "FORCE_CHANGE_PASSWORD")


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ('username = "alice"', ["alice"]),
        ('username = "Alice"', []),
        ('username ^= "Al"', ["Alan"]),
        ('email = "bob@example.com"', ["bob"]),
        ('email ^= "al"', ["Alan", "alice"]),  # a prefix search lists in the value's order
        ('phone_number = "+15550100"', ["alice"]),
        ('name = "Alice Reddy"', ["alice"]),
        ('given_name ^= "B"', ["bob"]),
        ('family_name ^= "Redd"', ["alice", "Alan"]),
        ('preferred_username = "ally"', ["alice"]),
        ('cognito:user_status = "FORCE_CHANGE_PASSWORD"', ["alice", "Alan", "bob"]),
        ('cognito:user_status = "CONFIRMED"', []),
        ('status = "Enabled"', ["alice", "Alan", "bob"]),
        ('status = "Disabled"', []),
    ],
)
def test_filters_on_each_searchable_attribute(
    engine: Engine, pool_id: str, filter_: str, expected: list[str]
) -> None:
    assert listed(engine, pool_id, Filter=filter_) == expected


def test_filters_on_sub_and_on_status_changes(engine: Engine, pool_id: str) -> None:
    sub = call(engine, "AdminGetUser", UserPoolId=pool_id, Username="bob")["UserAttributes"][0][
        "Value"
    ]
    assert listed(engine, pool_id, Filter=f'sub = "{sub}"') == ["bob"]
    call(engine, "AdminDisableUser", UserPoolId=pool_id, Username="Alan")
    call(
        engine,
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username="bob",
        Password="Abcdef1!",
        Permanent=True,
    )
    assert listed(engine, pool_id, Filter='status = "Disabled"') == ["Alan"]
    assert listed(engine, pool_id, Filter='cognito:user_status = "CONFIRMED"') == ["bob"]


def test_aliases_are_not_usernames_in_a_filter(engine: Engine) -> None:
    pool = make_pool(engine, AliasAttributes=["email"])
    add_user(engine, pool, "carol", email="carol@example.com", email_verified="true")
    assert listed(engine, pool, Filter='username = "carol@example.com"') == []


def test_bad_filters_are_refused(engine: Engine, pool_id: str) -> None:
    with raises_cognito("InvalidParameterException", "Error while parsing filter."):
        call(engine, "ListUsers", UserPoolId=pool_id, Filter="email")
    with raises_cognito("InvalidParameterException"):
        call(engine, "ListUsers", UserPoolId=pool_id, Filter='custom:team = "blue"')


def test_pages_follow_pagination_tokens(engine: Engine, pool_id: str) -> None:
    for i in range(4):
        add_user(engine, pool_id, f"user{i}")
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"Limit": 2}
        if token:
            params["PaginationToken"] = token
        page = call(engine, "ListUsers", UserPoolId=pool_id, **params)
        assert len(page["Users"]) <= 2
        seen += names(page)
        pages += 1
        token = page.get("PaginationToken")
        if token is None:
            break
    assert seen == ["alice", "Alan", "bob", "user0", "user1", "user2", "user3"]
    assert pages == 4


def test_pages_are_stable_while_users_come_and_go(engine: Engine, pool_id: str) -> None:
    first = call(engine, "ListUsers", UserPoolId=pool_id, Limit=1)
    assert names(first) == ["alice"]
    call(engine, "AdminDeleteUser", UserPoolId=pool_id, Username="alice")
    add_user(engine, pool_id, "zed")
    rest = call(
        engine, "ListUsers", UserPoolId=pool_id, Limit=10, PaginationToken=first["PaginationToken"]
    )
    assert names(rest) == ["Alan", "bob", "zed"]


def test_filtered_pages(engine: Engine, pool_id: str) -> None:
    page = call(engine, "ListUsers", UserPoolId=pool_id, Filter='email ^= "al"', Limit=1)
    assert names(page) == ["Alan"]  # alan@example.org before alice@example.com
    rest = call(
        engine,
        "ListUsers",
        UserPoolId=pool_id,
        Filter='email ^= "al"',
        Limit=1,
        PaginationToken=page["PaginationToken"],
    )
    assert names(rest) == ["alice"]
    assert "PaginationToken" not in rest


def test_exact_page_size_has_no_token(engine: Engine, pool_id: str) -> None:
    assert "PaginationToken" not in call(engine, "ListUsers", UserPoolId=pool_id, Limit=3)


def test_pagination_token_is_opaque(engine: Engine, pool_id: str) -> None:
    token = call(engine, "ListUsers", UserPoolId=pool_id, Limit=1)["PaginationToken"]
    assert "after" not in token and '"' not in token


@pytest.mark.parametrize("token", ["garbage", "v1:AAAA", "v1:" + "A" * 60])
def test_forged_pagination_token_is_refused(engine: Engine, pool_id: str, token: str) -> None:
    with raises_cognito("InvalidParameterException", "Invalid pagination token."):
        call(engine, "ListUsers", UserPoolId=pool_id, PaginationToken=token)


def test_pagination_token_is_bound_to_its_pool(engine: Engine, pool_id: str) -> None:
    token = call(engine, "ListUsers", UserPoolId=pool_id, Limit=1)["PaginationToken"]
    other = make_pool(engine)
    with raises_cognito("InvalidParameterException", "Invalid pagination token."):
        call(engine, "ListUsers", UserPoolId=other, PaginationToken=token)


def test_limit_defaults_to_sixty_and_cannot_exceed_it(engine: Engine) -> None:
    pool = make_pool(engine)
    with engine.db.transaction() as conn:
        for i in range(61):
            conn.execute(
                "INSERT INTO users (pool_id, username, username_key, sub, status, created, modified) "
                "VALUES (?, ?, ?, ?, 'CONFIRMED', 0, 0)",
                (pool, f"u{i}", f"u{i}", f"sub-{i}"),
            )
    page = call(engine, "ListUsers", UserPoolId=pool)
    assert len(page["Users"]) == 60 and "PaginationToken" in page
    with raises_cognito("InvalidParameterException"):
        call(engine, "ListUsers", UserPoolId=pool, Limit=61)


def test_attributes_to_get_restricts_attributes(engine: Engine, pool_id: str) -> None:
    page = call(
        engine,
        "ListUsers",
        UserPoolId=pool_id,
        AttributesToGet=["email", "sub"],
        Filter='username = "alice"',
    )
    assert [a["Name"] for a in page["Users"][0]["Attributes"]] == ["sub", "email"]
    page = call(
        engine, "ListUsers", UserPoolId=pool_id, AttributesToGet=[], Filter='username = "alice"'
    )
    assert page["Users"][0]["Attributes"] == []


def test_attributes_to_get_refuses_unknown_names(engine: Engine, pool_id: str) -> None:
    with raises_cognito(
        "InvalidParameterException", "One or more requested attributes do not exist."
    ):
        call(engine, "ListUsers", UserPoolId=pool_id, AttributesToGet=["shoe_size"])


def test_unknown_pool(engine: Engine) -> None:
    with raises_cognito("ResourceNotFoundException"):
        call(engine, "ListUsers", UserPoolId="us-east-1_Missing00")


def test_lists_no_mfa_fields_but_the_legacy_sms_option(engine: Engine, pool_id: str) -> None:
    with engine.db.transaction() as conn:
        pool = load_pool(conn, pool_id)
        for name, enabled in (
            ("alice", ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]),
            ("bob", ["SOFTWARE_TOKEN_MFA"]),
        ):
            user = get_user(conn, pool, name)
            user.mfa_enabled, user.preferred_mfa = enabled, "SOFTWARE_TOKEN_MFA"
            save_user(conn, user, 0.0)
    users = {u["Username"]: u for u in call(engine, "ListUsers", UserPoolId=pool_id)["Users"]}
    assert users["alice"]["MFAOptions"] == [
        {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    ]
    assert "MFAOptions" not in users["bob"]
    for user in users.values():
        assert "UserMFASettingList" not in user and "PreferredMfaSetting" not in user


def test_requires_iam(engine: Engine, pool_id: str) -> None:
    with raises_cognito("MissingAuthenticationTokenException"):
        engine.call("ListUsers", {"UserPoolId": pool_id})
