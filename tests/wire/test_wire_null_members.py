"""Explicit ``null`` members over real HTTP: AWS's JSON protocol reads them as absent, so every
operation answers them as it answers a request without them, never with a 500.

Every operation the pool serves is sent once with its required members filled and every optional
member ``null``; then each required member alone is ``null``, which must be refused as missing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest
from botocore.model import Shape

from mfa_portal.cognito_api.service_model import service_model
from tests.support.engine_calls import pool_with_signed_in_user

if TYPE_CHECKING:
    from tests.support.wire import WireServer

PASSWORD = "Correct-Horse-9!"


def _filled(name: str, shape: Shape, known: dict[str, Any]) -> Any:
    """A value for a required member: the real one when the pool has it, else a plain one."""
    if name in known:
        return known[name]
    kind = shape.type_name
    if kind == "string":
        return (shape.enum or ["x"])[0]
    return {"integer": 1, "long": 1, "boolean": False, "list": [], "map": {}}.get(kind, {})


@pytest.fixture
def known(wire_server: WireServer) -> dict[str, Any]:
    """Real values for the members most operations need: a pool, a client, a user and a token."""
    pool_id, client_id, tokens = pool_with_signed_in_user(
        wire_server.engine, "nulls", ("alice", "bob"), PASSWORD
    )
    wire_server.engine.call(
        "CreateGroup", {"UserPoolId": pool_id, "GroupName": "g"}, iam_principal="t"
    )
    return {
        "UserPoolId": pool_id,
        "ClientId": client_id,
        "Username": "bob",
        "GroupName": "g",
        "PoolName": "renamed",
        "ClientName": "renamed",
        "AccessToken": tokens["AccessToken"],
        "RefreshToken": tokens["RefreshToken"],
        "Token": tokens["RefreshToken"],
        "Password": PASSWORD,
        "PreviousPassword": PASSWORD,
        "ProposedPassword": PASSWORD + "x",
        "AttributeName": "email",
        "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}],
        "UserAttributeNames": ["email"],
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        "ChallengeName": "SOFTWARE_TOKEN_MFA",
        "ConfirmationCode": "123456",
        "Code": "123456",
        "UserCode": "123456",
    }


def _operations(server: WireServer) -> list[str]:
    return sorted(op for op in service_model().operation_names if server.engine.supports(op))


def _status(server: WireServer, operation: str, body: dict[str, Any]) -> tuple[int, str]:
    response = server.post(operation, body, sign=True)
    return response.status_code, response.text


def test_null_optional_members_are_never_a_500(
    wire_server: WireServer, known: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    failures = []
    with caplog.at_level(logging.ERROR):
        for operation in _operations(wire_server):
            shape = service_model().operation_model(operation).input_shape
            required = set(shape.required_members)
            body = {
                name: _filled(name, member, known) if name in required else None
                for name, member in shape.members.items()
            }
            status, text = _status(wire_server, operation, body)
            if status >= 500 or "Unknown parameter" in text:
                failures.append((operation, status, text[:200]))
    assert failures == []
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []


def test_a_null_required_member_is_refused_as_missing(
    wire_server: WireServer, known: dict[str, Any]
) -> None:
    failures = []
    for operation in _operations(wire_server):
        shape = service_model().operation_model(operation).input_shape
        for missing in shape.required_members:
            body: dict[str, Any] = {
                name: None if name == missing else _filled(name, shape.members[name], known)
                for name in shape.required_members
            }
            status, text = _status(wire_server, operation, body)
            field = missing[:1].lower() + missing[1:]
            if status != 400 or f"Value null at '{field}'" not in text:
                failures.append((operation, missing, status, text[:200]))
    assert failures == []


def test_null_names_and_limits_keep_what_was_there(
    wire_server: WireServer, known: dict[str, Any]
) -> None:
    """The audit's cases: each used to be a 500 (a NOT NULL column, ``int(None)``)."""
    pool_id, client_id = known["UserPoolId"], known["ClientId"]
    cases: list[tuple[str, dict[str, Any]]] = [
        ("UpdateUserPoolClient", {"ClientName": None}),
        ("UpdateUserPoolClient", {"AuthSessionValidity": None}),
        ("UpdateUserPool", {"PoolName": None}),
    ]
    for operation, nulls in cases:
        body = {"UserPoolId": pool_id, **nulls}
        if operation == "UpdateUserPoolClient":
            body["ClientId"] = client_id
        assert _status(wire_server, operation, body)[0] == 200, (operation, nulls)
    idp = wire_server.client()
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert client["UserPoolClient"]["ClientName"] == "c"
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == "nulls"
    listed = wire_server.post(
        "ListUserPoolClients", {"UserPoolId": pool_id, "MaxResults": None}, sign=True
    )
    assert [c["ClientId"] for c in listed.json()["UserPoolClients"]] == [client_id]
    made = wire_server.post(
        "CreateUserPoolClient",
        {"UserPoolId": pool_id, "ClientName": "n", "AuthSessionValidity": None},
        sign=True,
    )
    assert made.json()["UserPoolClient"]["AuthSessionValidity"] == 3
    pool = wire_server.post(
        "CreateUserPool", {"PoolName": "z", "UsernameConfiguration": None}, sign=True
    )
    assert pool.status_code == 200, pool.text
