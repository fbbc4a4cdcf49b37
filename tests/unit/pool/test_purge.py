"""Expired auth sessions and token families go a batch per write, through their expiry index."""

from __future__ import annotations

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.purge import BATCH, purge_expired

PASSWORD = "Correct-horse-1"


def count(engine: Engine, table: str) -> int:
    return int(engine.db.connect().execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def pool(engine: Engine) -> tuple[str, str]:
    made = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal="test")
    pool_id = str(made["UserPool"]["Id"])
    client = engine.call(
        "CreateUserPoolClient",
        {
            "UserPoolId": pool_id,
            "ClientName": "c",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
        },
        iam_principal="test",
    )["UserPoolClient"]
    for name in ("alice", "bob"):
        engine.call(
            "AdminCreateUser",
            {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"},
            iam_principal="test",
        )
        engine.call(
            "AdminSetUserPassword",
            {"UserPoolId": pool_id, "Username": name, "Password": PASSWORD, "Permanent": True},
            iam_principal="test",
        )
    return pool_id, str(client["ClientId"])


def sign_in(engine: Engine, client_id: str, name: str) -> dict[str, object]:
    return engine.call(
        "InitiateAuth",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": name, "PASSWORD": PASSWORD},
        },
    )


def test_sign_ins_sweep_other_users_expired_token_families_a_batch_at_a_time(
    engine: Engine, pool: tuple[str, str]
) -> None:
    _, client_id = pool
    for _ in range(BATCH + 30):  # bob signs in a lot, then never again
        sign_in(engine, client_id, "bob")
    assert isinstance(engine.clock, FakeClock)
    engine.clock.advance(31 * 86400 + 86400 + 1)  # refresh tokens (30 days) expired a day ago
    live = sign_in(engine, client_id, "alice")
    assert count(engine, "token_families") == 1 + 30  # alice's, and what the batch left
    sign_in(engine, client_id, "alice")
    assert count(engine, "token_families") == 2
    token = live["AuthenticationResult"]
    assert isinstance(token, dict)
    got = engine.call("GetUser", {"AccessToken": token["AccessToken"]})
    assert got["Username"] == "alice"  # the sweep never touches live families


def test_expired_auth_sessions_go_a_batch_per_new_session(engine: Engine) -> None:
    with engine.db.transaction() as conn:
        conn.execute("INSERT INTO pools VALUES ('p_1', 'p', '{}', '{}', 0, 0)")
        conn.execute(
            "INSERT INTO users (pool_id, username, username_key, sub, status, created, modified)"
            " VALUES ('p_1', 'u', 'u', 's', 'CONFIRMED', 0, 0)"
        )
        conn.executemany(
            "INSERT INTO auth_sessions (id_hash, pool_id, client_id, user_id, stage, challenge,"
            " created, expires_at) VALUES (?, 'p_1', 'c', 1, 'password_ok', 'X', 0, ?)",
            [(f"h{i}", 10.0 + i) for i in range(BATCH * 2 + 5)]
            + [("live", engine.clock.now() + 300)],
        )
    with engine.db.transaction() as conn:
        removed = purge_expired(conn, "auth_sessions", "id_hash", engine.clock.now() - 3600)
    assert removed == BATCH
    with engine.db.transaction() as conn:
        purge_expired(conn, "auth_sessions", "id_hash", engine.clock.now() - 3600)
        purge_expired(conn, "auth_sessions", "id_hash", engine.clock.now() - 3600)
    rows = engine.db.connect().execute("SELECT id_hash FROM auth_sessions").fetchall()
    assert [r["id_hash"] for r in rows] == ["live"]


def test_only_the_known_tables_are_swept(engine: Engine) -> None:
    with engine.db.transaction() as conn, pytest.raises(ValueError):
        purge_expired(conn, "users", "id", 0)


def test_the_sweep_reads_the_expiry_index(engine: Engine) -> None:
    conn = engine.db.connect()
    postgres = engine.db.engine_name == "postgresql"
    if postgres:  # on a near-empty table PostgreSQL would rightly scan: ask whether it *can* seek
        conn.execute("SET enable_seqscan = off")
    for table, key in (("auth_sessions", "id_hash"), ("token_families", "origin_jti")):
        sweep = f"SELECT {key} FROM {table} WHERE expires_at < ? ORDER BY expires_at LIMIT 100"
        if postgres:
            plan = " / ".join(str(row[0]) for row in conn.execute(f"EXPLAIN {sweep}", (0,)))
            assert (
                f"Index Scan on {table}_expiry" in plan
                or f"Index Scan using {table}_expiry" in plan
            ), plan
            assert "Seq Scan" not in plan, plan
        else:
            plan = " / ".join(
                str(row["detail"]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sweep}", (0,))
            )
            assert f"{table}_expiry" in plan and "SCAN" not in plan, plan
