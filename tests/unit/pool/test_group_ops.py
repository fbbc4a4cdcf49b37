"""Groups and membership: CreateGroup .. ListUsersInGroup."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_pool
from mfa_portal.pool.users import get_user
from tests.support.cognito_errors import raises_cognito
from tests.support.engine_calls import call, create_pool

ROLE = "arn:aws:iam::123456789012:role/admins"


@pytest.fixture
def pool_id(engine: Engine) -> str:
    return str(create_pool(engine, AliasAttributes=["email"])["Id"])


def add_user(engine: Engine, pool_id: str, username: str, email: str | None = None) -> None:
    """Insert a user row directly so these tests do not depend on the user admin operations."""
    attrs = {"email": email, "email_verified": "true"} if email else {}
    with engine.db.transaction() as conn:
        conn.execute(
            "INSERT INTO users (pool_id, username, username_key, sub, status, attributes, created, modified) "
            "VALUES (?, ?, ?, ?, 'CONFIRMED', ?, 0, 0)",
            (pool_id, username, username, f"sub-{pool_id}-{username}", json.dumps(attrs)),
        )


def create_group(engine: Engine, pool_id: str, name: str, **params: Any) -> dict[str, Any]:
    return dict(
        call(engine, "CreateGroup", {"UserPoolId": pool_id, "GroupName": name, **params})["Group"]
    )


def test_create_and_get_group(engine: Engine, pool_id: str, clock: FakeClock) -> None:
    group = create_group(
        engine, pool_id, "admins", Description="Support staff", Precedence=1, RoleArn=ROLE
    )
    assert group == {
        "GroupName": "admins",
        "UserPoolId": pool_id,
        "Description": "Support staff",
        "Precedence": 1,
        "RoleArn": ROLE,
        "CreationDate": clock.now(),
        "LastModifiedDate": clock.now(),
    }
    assert (
        call(engine, "GetGroup", {"UserPoolId": pool_id, "GroupName": "admins"})["Group"] == group
    )


def test_minimal_group_omits_optional_members(engine: Engine, pool_id: str) -> None:
    assert set(create_group(engine, pool_id, "g")) == {
        "GroupName",
        "UserPoolId",
        "CreationDate",
        "LastModifiedDate",
    }


def test_duplicate_group(engine: Engine, pool_id: str) -> None:
    create_group(engine, pool_id, "admins")
    with raises_cognito("GroupExistsException", "A group with the name already exists."):
        call(engine, "CreateGroup", {"UserPoolId": pool_id, "GroupName": "admins"})


def test_same_group_name_in_two_pools(engine: Engine, pool_id: str) -> None:
    create_group(engine, pool_id, "admins")
    create_group(engine, create_pool(engine)["Id"], "admins")


@pytest.mark.parametrize("op", ["GetGroup", "DeleteGroup", "UpdateGroup"])
def test_unknown_group(engine: Engine, pool_id: str, op: str) -> None:
    with raises_cognito("ResourceNotFoundException", "Group not found."):
        call(engine, op, {"UserPoolId": pool_id, "GroupName": "nope"})


@pytest.mark.parametrize("op", ["CreateGroup", "GetGroup", "ListGroups"])
def test_unknown_pool(engine: Engine, op: str) -> None:
    params = {"UserPoolId": "us-east-1_nope"} | ({} if op == "ListGroups" else {"GroupName": "g"})
    with raises_cognito("ResourceNotFoundException", "User pool us-east-1_nope does not exist."):
        call(engine, op, params)


def test_update_group_changes_given_members_only(
    engine: Engine, pool_id: str, clock: FakeClock
) -> None:
    create_group(engine, pool_id, "admins", Description="old", Precedence=3)
    clock.advance(10)
    group = call(
        engine, "UpdateGroup", {"UserPoolId": pool_id, "GroupName": "admins", "Precedence": 0}
    )["Group"]
    assert group["Description"] == "old" and group["Precedence"] == 0
    assert group["LastModifiedDate"] == group["CreationDate"] + 10


def test_list_groups_pages(engine: Engine, pool_id: str) -> None:
    for name in ("c", "a", "b"):
        create_group(engine, pool_id, name)
    first = call(engine, "ListGroups", {"UserPoolId": pool_id, "Limit": 2})
    assert [g["GroupName"] for g in first["Groups"]] == ["a", "b"]
    second = call(
        engine, "ListGroups", {"UserPoolId": pool_id, "Limit": 2, "NextToken": first["NextToken"]}
    )
    assert [g["GroupName"] for g in second["Groups"]] == ["c"] and "NextToken" not in second
    assert len(call(engine, "ListGroups", {"UserPoolId": pool_id})["Groups"]) == 3


def test_membership_round_trip(engine: Engine, pool_id: str) -> None:
    add_user(engine, pool_id, "alice", "alice@example.com")
    create_group(engine, pool_id, "admins", Precedence=1)
    create_group(engine, pool_id, "staff", Precedence=2)
    for group in ("staff", "admins", "admins"):  # adding twice is not an error
        assert (
            call(
                engine,
                "AdminAddUserToGroup",
                {"UserPoolId": pool_id, "Username": "alice", "GroupName": group},
            )
            == {}
        )
    listed = call(engine, "AdminListGroupsForUser", {"UserPoolId": pool_id, "Username": "alice"})
    assert [g["GroupName"] for g in listed["Groups"]] == ["admins", "staff"]
    with engine.db.read() as conn:
        assert get_user(conn, load_pool(conn, pool_id), "alice").groups == ["admins", "staff"]
    users = call(engine, "ListUsersInGroup", {"UserPoolId": pool_id, "GroupName": "admins"})[
        "Users"
    ]
    assert [u["Username"] for u in users] == ["alice"]
    call(
        engine,
        "AdminRemoveUserFromGroup",
        {"UserPoolId": pool_id, "Username": "alice", "GroupName": "admins"},
    )
    listed = call(engine, "AdminListGroupsForUser", {"UserPoolId": pool_id, "Username": "alice"})
    assert [g["GroupName"] for g in listed["Groups"]] == ["staff"]


def test_membership_by_alias(engine: Engine, pool_id: str) -> None:
    add_user(engine, pool_id, "alice", "alice@example.com")
    create_group(engine, pool_id, "admins")
    call(
        engine,
        "AdminAddUserToGroup",
        {"UserPoolId": pool_id, "Username": "alice@example.com", "GroupName": "admins"},
    )
    listed = call(engine, "AdminListGroupsForUser", {"UserPoolId": pool_id, "Username": "alice"})
    assert [g["GroupName"] for g in listed["Groups"]] == ["admins"]


@pytest.mark.parametrize("op", ["AdminAddUserToGroup", "AdminRemoveUserFromGroup"])
def test_membership_errors(engine: Engine, pool_id: str, op: str) -> None:
    add_user(engine, pool_id, "alice")
    create_group(engine, pool_id, "admins")
    with raises_cognito("UserNotFoundException", "User does not exist."):
        call(engine, op, {"UserPoolId": pool_id, "Username": "bob", "GroupName": "admins"})
    with raises_cognito("ResourceNotFoundException", "Group not found."):
        call(engine, op, {"UserPoolId": pool_id, "Username": "alice", "GroupName": "nope"})


def test_list_groups_for_unknown_user(engine: Engine, pool_id: str) -> None:
    with raises_cognito("UserNotFoundException", "User does not exist."):
        call(engine, "AdminListGroupsForUser", {"UserPoolId": pool_id, "Username": "bob"})


def test_list_users_in_group_pages(engine: Engine, pool_id: str) -> None:
    create_group(engine, pool_id, "g")
    for name in ("u1", "u2", "u3"):
        add_user(engine, pool_id, name)
        call(
            engine,
            "AdminAddUserToGroup",
            {"UserPoolId": pool_id, "Username": name, "GroupName": "g"},
        )
    first = call(engine, "ListUsersInGroup", {"UserPoolId": pool_id, "GroupName": "g", "Limit": 2})
    second = call(
        engine,
        "ListUsersInGroup",
        {"UserPoolId": pool_id, "GroupName": "g", "Limit": 2, "NextToken": first["NextToken"]},
    )
    assert [u["Username"] for u in first["Users"] + second["Users"]] == ["u1", "u2", "u3"]
    assert "NextToken" not in second
    with raises_cognito("InvalidParameterException"):
        call(
            engine,
            "ListUsersInGroup",
            {"UserPoolId": pool_id, "GroupName": "g", "NextToken": "YWJj"},
        )
    with raises_cognito("ResourceNotFoundException", "Group not found."):
        call(engine, "ListUsersInGroup", {"UserPoolId": pool_id, "GroupName": "nope"})


def test_delete_group_removes_memberships(engine: Engine, pool_id: str) -> None:
    add_user(engine, pool_id, "alice")
    create_group(engine, pool_id, "admins")
    call(
        engine,
        "AdminAddUserToGroup",
        {"UserPoolId": pool_id, "Username": "alice", "GroupName": "admins"},
    )
    assert call(engine, "DeleteGroup", {"UserPoolId": pool_id, "GroupName": "admins"}) == {}
    with raises_cognito("ResourceNotFoundException"):
        call(engine, "GetGroup", {"UserPoolId": pool_id, "GroupName": "admins"})
    assert (
        call(engine, "AdminListGroupsForUser", {"UserPoolId": pool_id, "Username": "alice"})[
            "Groups"
        ]
        == []
    )
    create_group(engine, pool_id, "admins")
    users = call(engine, "ListUsersInGroup", {"UserPoolId": pool_id, "GroupName": "admins"})[
        "Users"
    ]
    assert users == []
