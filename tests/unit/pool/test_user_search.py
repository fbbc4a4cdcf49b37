"""ListUsers on indexes: prefix ranges at their edges, keyset pages, the indexed email column, plans.

A prefix is a range ``prefix <= value < next(prefix)`` on an indexed column, so the edges that a
``LIKE`` or a careless bound gets wrong are tested here: ``%`` and ``_``, accents, the highest code
point. Every searchable column's query is checked with ``EXPLAIN QUERY PLAN`` to use its index,
with no table scan and no sort, which is what keeps a page flat from a thousand to a million users.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bench.seed_users import seed_users
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool.access import USER_AND_FAMILY
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.schema import MIGRATIONS
from mfa_portal.pool.storage import Database
from mfa_portal.pool.user_filter import parse_filter
from mfa_portal.pool.user_search import prefix_upper_bound, search_for
from mfa_portal.sqlite import statements

TOP = "\U0010ffff"


def call(engine: Engine, op: str, **params: Any) -> dict[str, Any]:
    return engine.call(op, params, iam_principal="test")


def make_pool(engine: Engine) -> str:
    return str(call(engine, "CreateUserPool", PoolName="search")["UserPool"]["Id"])


def insert(engine: Engine, pool_id: str, username: str, email: str | None = None) -> None:
    """A user row as the engine stores it (directly: some names here are no valid Cognito input)."""
    attrs = {} if email is None else {"email": email}
    with engine.db.transaction() as conn:
        conn.execute(
            "INSERT INTO users (pool_id, username, username_key, sub, status, attributes, email, "
            "created, modified) VALUES (?, ?, ?, ?, 'CONFIRMED', ?, ?, 0, 0)",
            (pool_id, username, username, f"sub-{username}", json.dumps(attrs), email),
        )


def every_page(engine: Engine, pool_id: str, limit: int, **params: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        extra = {"PaginationToken": token} if token else {}
        page = call(engine, "ListUsers", UserPoolId=pool_id, Limit=limit, **params, **extra)
        pages.append([u["Username"] for u in page["Users"]])
        token = page.get("PaginationToken")
        if token is None:
            return pages


def listed(engine: Engine, pool_id: str, filter_: str) -> list[str]:
    return [name for page in every_page(engine, pool_id, 60, Filter=filter_) for name in page]


@pytest.mark.parametrize(
    ("prefix", "bound"),
    [
        ("ab", "ac"),
        ("a" + TOP, "b"),  # the highest code point carries into the character before it
        ("a" + TOP + TOP, "b"),
        (TOP, None),  # nothing is above every string that starts with it
        ("", None),
        ("\ud7ff", "\ue000"),  # the surrogates are skipped: UTF-8 cannot store them
        ("5%", "5&"),
    ],
)
def test_prefix_upper_bound(prefix: str, bound: str | None) -> None:
    assert prefix_upper_bound(prefix) == bound


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ('username ^= "50%"', ["50%off"]),  # % is a character, not a wildcard
        ('username ^= "5_"', ["5_a"]),  # so is _
        ('username ^= "5"', ["50%off", "500", "5_a", "5ab"]),  # in code-point order
        ('username ^= "ém"', ["émile", "émilie"]),  # accents count: "emile" is another name
        ('username ^= "e"', ["emile"]),
        (f'username ^= "x{TOP}"', [f"x{TOP}", f"x{TOP}z"]),  # not "y", the exclusive bound
        (f'username ^= "{TOP}"', [TOP]),  # no upper bound at all
        ('username ^= "y"', ["y"]),
        ('username ^= "zz"', []),
        ('email ^= "ém"', ["émile", "émilie"]),
        ('email ^= "E"', []),  # case counts, as in Cognito
        ('email = "5ab@example.com"', ["5ab"]),
    ],
)
def test_prefix_edges(engine: Engine, filter_: str, expected: list[str]) -> None:
    pool = make_pool(engine)
    for name in ("500", "50%off", "5_a", "5ab", "emile", "émile", "émilie", "x", "y"):
        insert(engine, pool, name, f"{name}@example.com")
    for name in (f"x{TOP}", f"x{TOP}z", TOP):
        insert(engine, pool, name)
    assert listed(engine, pool, filter_) == expected


def test_pages_cross_runs_of_equal_values(engine: Engine) -> None:
    pool = make_pool(engine)
    for i in range(7):
        insert(engine, pool, f"same{i}", "same@example.com")
    insert(engine, pool, "longer", "same@example.community")
    insert(engine, pool, "first", "same@example.co")
    insert(engine, pool, "other", "other@example.com")

    pages = every_page(engine, pool, 2, Filter='email ^= "same@"')
    assert pages == [
        ["first", "same0"],
        ["same1", "same2"],
        ["same3", "same4"],
        ["same5", "same6"],
        ["longer"],
    ]
    exact = every_page(engine, pool, 3, Filter='email = "same@example.com"')
    assert exact == [["same0", "same1", "same2"], ["same3", "same4", "same5"], ["same6"]]


def test_a_page_token_of_a_prefix_search_survives_users_coming_and_going(engine: Engine) -> None:
    pool = make_pool(engine)
    for name in ("ann", "anna", "anne"):
        insert(engine, pool, name)
    first = call(engine, "ListUsers", UserPoolId=pool, Limit=1, Filter='username ^= "ann"')
    call(engine, "AdminDeleteUser", UserPoolId=pool, Username="ann")
    insert(engine, pool, "annabel")  # after "ann" in the order: listed on a later page
    rest = call(
        engine,
        "ListUsers",
        UserPoolId=pool,
        Filter='username ^= "ann"',
        PaginationToken=first["PaginationToken"],
    )
    assert [u["Username"] for u in rest["Users"]] == ["anna", "annabel", "anne"]


def test_a_token_of_a_listing_in_id_order_does_not_restart_a_prefix_search(
    engine: Engine,
) -> None:
    pool = make_pool(engine)
    for name in ("ann", "anna", "anne"):
        insert(engine, pool, name)
    token = call(engine, "ListUsers", UserPoolId=pool, Limit=1)["PaginationToken"]
    with pytest.raises(CognitoError) as info:
        call(
            engine, "ListUsers", UserPoolId=pool, Filter='username ^= "ann"', PaginationToken=token
        )
    assert info.value.code == "InvalidParameterException"
    assert info.value.message == "Invalid pagination token."
    prefix = call(engine, "ListUsers", UserPoolId=pool, Limit=1, Filter='username ^= "an"')
    rest = call(engine, "ListUsers", UserPoolId=pool, PaginationToken=prefix["PaginationToken"])
    assert [u["Username"] for u in rest["Users"]] == ["anna", "anne"]  # the id still places it


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ('status = "Disabled"', ["b"]),
        ('status ^= "Dis"', ["b"]),
        ('status ^= "En"', ["a", "c"]),
        ('status ^= ""', ["a", "b", "c"]),
        ('status = "disabled"', []),
        ('status ^= "X"', []),
        ('cognito:user_status ^= "conf"', ["a", "b"]),
        ('cognito:user_status = "force_change_password"', ["c"]),
    ],
)
def test_status_filters(engine: Engine, filter_: str, expected: list[str]) -> None:
    pool = make_pool(engine)
    for name in ("a", "b", "c"):
        call(engine, "AdminCreateUser", UserPoolId=pool, Username=name, MessageAction="SUPPRESS")
    for name in ("a", "b"):
        call(
            engine,
            "AdminSetUserPassword",
            UserPoolId=pool,
            Username=name,
            Password="Correct-Horse-9!",
            Permanent=True,
        )
    call(engine, "AdminDisableUser", UserPoolId=pool, Username="b")
    assert listed(engine, pool, filter_) == expected


def test_the_email_column_follows_every_attribute_write(engine: Engine) -> None:
    pool = make_pool(engine)
    call(
        engine,
        "AdminCreateUser",
        UserPoolId=pool,
        Username="carol",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "carol@old.example"}],
    )
    assert listed(engine, pool, 'email ^= "carol@old"') == ["carol"]
    call(
        engine,
        "AdminUpdateUserAttributes",
        UserPoolId=pool,
        Username="carol",
        UserAttributes=[{"Name": "email", "Value": "carol@new.example"}],
    )
    assert listed(engine, pool, 'email ^= "carol@old"') == []
    assert listed(engine, pool, 'email = "carol@new.example"') == ["carol"]
    call(
        engine,
        "AdminDeleteUserAttributes",
        UserPoolId=pool,
        Username="carol",
        UserAttributeNames=["email"],
    )
    assert listed(engine, pool, 'email ^= ""') == []


def test_migration_8_fills_the_email_column_of_existing_users(tmp_path: Path) -> None:
    path = tmp_path / "pool.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:7]:
        for statement in statements(script):
            old.execute(statement)
    old.execute("PRAGMA user_version = 7")
    old.execute("INSERT INTO pools VALUES ('p_1', 'p', '{}', '{}', 0, 0)")
    old.execute(
        "INSERT INTO users (pool_id, username, username_key, sub, status, attributes, created, "
        "modified) VALUES ('p_1', 'dan', 'dan', 's1', 'CONFIRMED', ?, 0, 0)",
        (json.dumps({"email": "dan@example.com"}),),
    )
    old.close()
    db = Database(path)
    row = db.connect().execute("SELECT email FROM users WHERE username = 'dan'").fetchone()
    assert row["email"] == "dan@example.com"
    db.close_all()


PLANNED = [
    None,
    'username = "user0000042"',
    'username ^= "user00"',
    'email = "user0000006@example.com"',
    'email ^= "user00"',
    'cognito:user_status = "CONFIRMED"',
    'cognito:user_status ^= "CONF"',
    'status = "Enabled"',
    'status ^= "Dis"',
]


@pytest.mark.parametrize("filter_", PLANNED)
@pytest.mark.parametrize("later_page", [False, True])
def test_each_indexed_filter_reads_one_index_range(
    engine: Engine, filter_: str | None, later_page: bool
) -> None:
    if engine.db.engine_name != "sqlite":  # seeds the SQLite file; reads SQLite's plans
        pytest.skip("SQLite's query planner (PostgreSQL's at-scale figures are in the bench)")
    pool = make_pool(engine)
    seed_users(engine.data_dir, 300, pool)
    query = search_for(parse_filter(filter_))
    key = "user00" if query.order is not None and later_page else None
    sql, args = query.page_sql(pool, 42 if later_page else 0, key, 61)
    plan = " / ".join(
        str(row["detail"])
        for row in engine.db.connect().execute("EXPLAIN QUERY PLAN " + sql, args).fetchall()
    )
    assert "USING INDEX users_" in plan and "_order" in plan, plan
    assert "SCAN" not in plan and "TEMP B-TREE" not in plan, plan


LOOKUPS = {
    "a user and the token's family (GetUser)": USER_AND_FAMILY,
    "a user by sub": "SELECT * FROM users WHERE pool_id = ? AND sub = ?",
    "a user by name (AdminGetUser)": "SELECT * FROM users WHERE pool_id = ? AND username_key = ?",
    "a token family": "SELECT * FROM token_families WHERE origin_jti = ?",
    "a user's groups": (
        "SELECT m.group_name FROM group_members m JOIN groups g ON g.pool_id = m.pool_id "
        "AND g.name = m.group_name WHERE m.user_id = ?"
    ),
}


@pytest.mark.parametrize("what", sorted(LOOKUPS))
def test_get_user_lookups_never_scan(engine: Engine, what: str) -> None:
    sql = LOOKUPS[what]
    args: list[object] = [1] if "user_id = ?" in sql else ["x"] * sql.count("?")
    conn = engine.db.connect()
    if engine.db.engine_name == "postgresql":  # a tiny table is rightly scanned: can it seek?
        conn.execute("SET enable_seqscan = off")
        plan = " / ".join(str(row[0]) for row in conn.execute("EXPLAIN " + sql, args))
        assert "Seq Scan" not in plan, plan
    else:
        plan = " / ".join(str(r["detail"]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))
        assert "SCAN" not in plan, plan
