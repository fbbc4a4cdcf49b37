"""Revocation markers in the portal store: which support actions write one, and how they count.

The portal refuses a session whose user's generation moved since its sign-in (tests/web/
test_revocation.py shows that through HTTP); here: every action that ends sessions moves it exactly
once, and actions that end none, or fail, leave it alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from mfa_portal.admin import actions, self_service
from mfa_portal.admin.revocations import SessionRevocations
from mfa_portal.admin.store import MIGRATIONS, PortalStore
from mfa_portal.admin.support import ActionFailed, attributes
from mfa_portal.cognito_api.password_auth import PasswordStep
from mfa_portal.sqlite import SQLiteFile
from tests.support.support_desk import ADMIN, SupportDesk


def test_generation_counts_revocations_per_user_and_pool(store: PortalStore) -> None:
    marks = SessionRevocations(store, clock=lambda: 1_800_000_000.0)
    assert marks.generation("pool-a", "sub-1") == 0
    assert [marks.revoke("pool-a", "sub-1") for _ in range(3)] == [1, 2, 3]
    assert marks.generation("pool-a", "sub-1") == 3
    assert marks.generation("pool-a", "sub-2") == 0
    assert marks.generation("pool-b", "sub-1") == 0


def test_another_store_object_sees_a_revocation_at_once(tmp_path: Path) -> None:
    """Two processes (or replicas) on one data directory: no cache stands between them."""
    writer = SessionRevocations(PortalStore.in_data_dir(tmp_path))
    reader = SessionRevocations(PortalStore.in_data_dir(tmp_path))
    assert reader.generation("pool", "sub") == 0
    writer.revoke("pool", "sub")
    assert reader.generation("pool", "sub") == 1


def test_an_existing_store_gains_the_table(tmp_path: Path) -> None:
    path = tmp_path / "portal.sqlite3"
    SQLiteFile(path, MIGRATIONS[:1]).close_all()  # a store made before the table existed
    upgraded = PortalStore(path)
    assert upgraded.schema_version() == len(MIGRATIONS)
    assert SessionRevocations(upgraded).revoke("pool", "sub") == 1


def test_the_lookup_uses_the_primary_key(store: PortalStore) -> None:
    query = "SELECT generation FROM session_revocations WHERE pool_id = ? AND user_sub = ?"
    if store.engine_name == "postgresql":  # a tiny table would be scanned: ask for the index
        with store.read() as conn:
            conn.execute("SET LOCAL enable_seqscan = off")
            plan = " ".join(str(row[0]) for row in conn.execute("EXPLAIN " + query, ("p", "s")))
        assert "session_revocations_pkey" in plan
        return
    plan_rows = store.connect().execute("EXPLAIN QUERY PLAN " + query, ("p", "s"))
    assert "PRIMARY KEY" in " ".join(str(row[3]) for row in plan_rows)


def _generation(desk: SupportDesk, name: str) -> int:
    user = desk.client.call("AdminGetUser", UserPoolId=desk.pool_id, Username=name)
    assert desk.support.revocations is not None
    return desk.support.revocations.generation(desk.pool_id, attributes(user)["sub"])


ENDING: dict[str, Callable[[SupportDesk], object]] = {
    "reset-mfa": lambda w: actions.reset_mfa(w.support, ADMIN, "bob", "lost phone"),
    "disable": lambda w: actions.disable_user(w.support, ADMIN, "bob", "left"),
    "signout": lambda w: actions.sign_out(w.support, ADMIN, "bob", "stolen laptop"),
}


@pytest.mark.backends("engine", "wire")
@pytest.mark.parametrize("action", sorted(ENDING))
def test_actions_that_end_sessions_write_one_marker(desk: SupportDesk, action: str) -> None:
    desk.add_user("bob")
    desk.enrol_totp("bob")
    ENDING[action](desk)
    assert _generation(desk, "bob") == 1


@pytest.mark.backends("engine")
def test_delete_writes_a_marker_for_the_deleted_users_sub(desk: SupportDesk) -> None:
    desk.add_user("bob")
    user = desk.client.call("AdminGetUser", UserPoolId=desk.pool_id, Username="bob")
    sub = attributes(user)["sub"]
    actions.delete_user(desk.support, ADMIN, "bob", "left", confirm="bob")
    assert desk.support.revocations is not None
    assert desk.support.revocations.generation(desk.pool_id, sub) == 1


@pytest.mark.backends("engine")
def test_a_recovery_code_reset_writes_a_marker(desk: SupportDesk) -> None:
    desk.add_user("bob")
    desk.enrol_totp("bob")
    codes = self_service.issue_codes(desk.support, "bob")
    self_service.recover_with_code(
        desk.support,
        password_step=PasswordStep(
            desk.support.client, pool_id=desk.pool_id, client_id=desk.client_id
        ),
        username="bob",
        password="Correct-Horse-9!",
        code=codes[0],
    )
    assert _generation(desk, "bob") == 1


@pytest.mark.backends("engine")
def test_actions_that_fail_or_end_no_session_write_none(
    desk: SupportDesk, store: PortalStore
) -> None:
    desk.add_user("bob")
    actions.enable_user(desk.support, ADMIN, "bob", "back from leave")
    actions.set_mfa(desk.support, ADMIN, "bob", "email", "enabled", "no phone")
    with pytest.raises(ActionFailed):
        actions.sign_out(desk.support, ADMIN, "bob", "")  # no reason: refused before any call
    with pytest.raises(ActionFailed):
        actions.disable_user(desk.support, ADMIN, "nobody", "typo")
    with pytest.raises(ActionFailed):
        actions.delete_user(desk.support, ADMIN, "bob", "left", confirm="bobby")
    assert _generation(desk, "bob") == 0
    count = store.connect().execute("SELECT COUNT(*) FROM session_revocations")
    assert count.fetchone()[0] == 0


@pytest.mark.backends("engine")
def test_a_broken_store_fails_the_action_loudly(desk: SupportDesk, store: PortalStore) -> None:
    """The marker is part of the action: if it cannot be written, support is told it failed."""
    desk.add_user("bob")
    store.connect().execute("DROP TABLE session_revocations")
    with pytest.raises((sqlite3.OperationalError, psycopg.errors.UndefinedTable)):
        actions.sign_out(desk.support, ADMIN, "bob", "stolen laptop")
    [entry] = desk.support.audit.query()
    assert (entry.action, entry.outcome) == ("signout", "failure")
