"""Cached pool and client configuration: one process sees another's change on its next call.

Two ``Database`` objects on one file stand for two worker processes: each has its own cache and its
own connections, exactly as two processes would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from mfa_portal.pool import config_cache
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.pools import (
    AppClient,
    Pool,
    delete_client,
    delete_pool,
    load_client,
    load_pool,
    save_client,
    save_pool,
)
from mfa_portal.pool.storage import Database
from tests.support.cognito_errors import raises_cognito

POOL_ID = "us-east-1_p"


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    path = tmp_path / "pool.sqlite3"
    first, second = Database(path), Database(path)
    with first.transaction() as conn:
        save_pool(conn, Pool(POOL_ID, "p", {"AliasAttributes": ["email"]}, {}, 0.0, 0.0))
        save_client(conn, AppClient("c1", POOL_ID, "web", None, {"ExplicitAuthFlows": []}, 0, 0))
    yield first, second
    first.close_all()
    second.close_all()


def aliases(db: Database) -> list[str]:
    with db.read() as conn:
        return load_pool(conn, POOL_ID).alias_attributes


def test_a_pool_change_in_one_process_is_seen_by_the_other_on_its_next_read(
    two: tuple[Database, Database],
) -> None:
    first, second = two
    assert aliases(second) == ["email"]  # cached in the second process
    with first.transaction() as conn:
        changed = load_pool(conn, POOL_ID)
        changed.settings = {"AliasAttributes": ["phone_number"]}
        save_pool(conn, changed)
    assert aliases(second) == ["phone_number"]


def test_a_client_change_and_a_deletion_are_seen_by_the_other_process(
    two: tuple[Database, Database],
) -> None:
    first, second = two
    with second.read() as conn:
        assert load_client(conn, "c1").explicit_auth_flows == []
    with first.transaction() as conn:
        client = load_client(conn, "c1")
        client.settings = {"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}
        save_client(conn, client)
    with second.read() as conn:
        assert load_client(conn, "c1").allows("ALLOW_USER_PASSWORD_AUTH")
    with first.transaction() as conn:
        delete_client(conn, "c1")
    with second.read() as conn, raises_cognito("ResourceNotFoundException"):
        load_client(conn, "c1")
    with first.transaction() as conn:
        delete_pool(conn, POOL_ID)
    with second.read() as conn, raises_cognito("ResourceNotFoundException"):
        load_pool(conn, POOL_ID)


def test_a_rolled_back_change_never_looks_current_later(two: tuple[Database, Database]) -> None:
    """A change cached inside its own transaction, then rolled back, must not be served after a
    later, different change (a counter would give that later change the same stamp)."""
    first, second = two
    with pytest.raises(RuntimeError), first.transaction() as conn:
        doomed = load_pool(conn, POOL_ID)
        doomed.settings = {"AliasAttributes": ["preferred_username"]}
        save_pool(conn, doomed)
        assert load_pool(conn, POOL_ID).alias_attributes == ["preferred_username"]
        raise RuntimeError("rolled back")
    with second.transaction() as conn:
        other = load_pool(conn, POOL_ID)
        other.settings = {"AliasAttributes": ["phone_number"]}
        save_pool(conn, other)
    assert aliases(first) == ["phone_number"]


def test_changing_a_loaded_record_changes_no_cached_copy(two: tuple[Database, Database]) -> None:
    first, _ = two
    with first.read() as conn:
        loaded = load_pool(conn, POOL_ID)
    loaded.name = "renamed"
    loaded.settings = {}
    with first.read() as conn:
        again = load_pool(conn, POOL_ID)
    assert (again.name, again.alias_attributes) == ("p", ["email"])


def test_a_connection_no_database_attached_reads_without_the_cache(tmp_path: Path) -> None:
    db = Database(tmp_path / "pool.sqlite3")
    with db.transaction() as conn:
        save_pool(conn, Pool(POOL_ID, "p", {}, {}, 0.0, 0.0))
    plain = sqlite3.connect(db.path)
    plain.row_factory = sqlite3.Row
    try:
        assert config_cache.cache_for(plain) is None
        assert load_pool(plain, POOL_ID).name == "p"
        plain.execute("UPDATE pools SET name = 'q'")  # behind every cache's back
        assert load_pool(plain, POOL_ID).name == "q"
    finally:
        plain.close()
        db.close_all()


def test_a_connection_uses_the_cache_only_inside_the_databases_transactions(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "pool.sqlite3")
    with db.read() as conn:
        assert config_cache.cache_for(conn) is db.config_cache
    assert config_cache.cache_for(conn) is None
    db.close_all()


def test_get_user_is_one_statement_and_still_sees_another_processes_change(
    tmp_path: Path,
) -> None:
    """GetUser reads the user, the token's family and the stamp in one statement, and takes the
    pool from the cache under that stamp; a change or a deletion made through another process is
    seen on the very next call all the same."""
    hasher = PasswordHasher(memory_kib=1024, time_cost=1)
    admin, other = Engine(tmp_path, hasher=hasher), Engine(tmp_path, hasher=hasher)
    iam = {"iam_principal": "test"}
    pool_id = admin.call("CreateUserPool", {"PoolName": "p"}, **iam)["UserPool"]["Id"]
    client_id = admin.call(
        "CreateUserPoolClient",
        {
            "UserPoolId": pool_id,
            "ClientName": "c",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
        },
        **iam,
    )["UserPoolClient"]["ClientId"]
    user = {"UserPoolId": pool_id, "Username": "alice"}
    admin.call("AdminCreateUser", {**user, "MessageAction": "SUPPRESS"}, **iam)
    admin.call("AdminSetUserPassword", {**user, "Password": "Passw0rd!x", "Permanent": True}, **iam)
    token = other.call(
        "InitiateAuth",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!x"},
        },
    )["AuthenticationResult"]["AccessToken"]
    statements: list[str] = []
    connection = other.db.connect()  # the thread's own connection, which the engine uses too
    assert isinstance(connection, sqlite3.Connection)
    connection.set_trace_callback(statements.append)

    def get_user() -> list[str]:
        statements.clear()
        other.call("GetUser", {"AccessToken": token})
        return [s.split()[0] for s in statements]

    get_user()
    assert get_user() == ["SELECT"]  # one statement: no BEGIN, no separate stamp or pool read
    admin.call("UpdateUserPool", {"UserPoolId": pool_id, "UserPoolTags": {"k": "v"}}, **iam)
    assert get_user() == ["SELECT", "SELECT"]  # the new stamp: the pool is read again
    assert get_user() == ["SELECT"]
    admin.call("DeleteUserPool", {"UserPoolId": pool_id}, **iam)
    with raises_cognito("NotAuthorizedException", "Invalid Access Token"):
        other.call("GetUser", {"AccessToken": token})
    admin.db.close_all()
    other.db.close_all()
