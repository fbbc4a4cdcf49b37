"""Shortcuts for the user-admin-ops unit tests: IAM calls, users made by AdminCreateUser, reads."""

from __future__ import annotations

from typing import Any

import pytest

from mfa_portal.mail import MemoryMailer
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_pool
from mfa_portal.pool.users import User, get_user

TEMP = "Temp-Pass-123!"
DAY = 86400


def call(engine: Engine, op: str, **params: Any) -> dict[str, Any]:
    return engine.call(op, params, iam_principal="test")


def make_pool(engine: Engine, **params: Any) -> str:
    return str(call(engine, "CreateUserPool", PoolName="admin", **params)["UserPool"]["Id"])


def attrs(**values: str) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in values.items()]


def create(engine: Engine, pool_id: str, username: str, **params: Any) -> dict[str, Any]:
    """AdminCreateUser without an invitation and with the TEMP password unless told otherwise."""
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
    """A fresh pool with default settings (import this fixture into the test module)."""
    return make_pool(engine)
