"""``mfa-portal db copy``: a populated single-node deployment moves to PostgreSQL and keeps working.

The SQLite deployment has users, an enrolled TOTP user with recovery codes and an audit trail; after
the copy the same keys open the same sealed seeds, so the user signs in with their authenticator and
with a recovery code on the copy, the audit trail is whole, and it is still append-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfa_portal.admin.audit import AuditFilter, AuditLog
from mfa_portal.admin.store import PortalStore
from mfa_portal.cli import app
from mfa_portal.storage import IntegrityError
from mfa_portal.wiring.support import portal_store
from tests.admin.test_admin_recovery_pages import enrol_with_codes, recover
from tests.support.portal import PASSWORD, PortalWorld, _world_engine, isolated_world

runner = CliRunner()


def db(*args: str) -> tuple[int, str]:
    from mfa_portal.cli import _load_commands

    _load_commands()
    result = runner.invoke(app, ["db", *args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def sqlite_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PortalWorld]:
    yield from isolated_world("engine", tmp_path, monkeypatch)


def copy_all(tmp_path: Path, url: str, *extra: str) -> list[str]:
    """The test world keeps the pool and the portal store in two data dirs; copy both."""
    lines = []
    for data_dir in ("pool", "portal"):
        code, output = db("copy", "--from", f"sqlite:///{tmp_path / data_dir}", "--to", url, *extra)
        assert code == 0, output
        lines.append(output)
    return lines


def test_a_copied_deployment_signs_in_with_totp_and_a_recovery_code(
    sqlite_world: PortalWorld, tmp_path: Path, empty_postgres_url: str
) -> None:
    _, secret, codes = enrol_with_codes(sqlite_world, "alice")
    sqlite_world.create_user("bob", permanent=True)
    trail = AuditLog(portal_store(tmp_path / "portal")).query(AuditFilter())
    assert trail

    pool_out, portal_out = copy_all(tmp_path, empty_postgres_url)
    assert "mfa_pool:" in pool_out and "users 3" in pool_out  # admin, alice, bob
    assert "mfa_portal:" in portal_out and "recovery_codes 10" in portal_out
    assert "password" not in pool_out + portal_out and "***" not in pool_out

    copy = next(_world_engine(tmp_path, empty_postgres_url))
    copy.clock.advance(600)  # past the steps the original used
    browser = copy.browser()
    assert browser.sign_in("alice", PASSWORD).headers["location"] == "/signin/code"
    browser.get("/signin/code")
    answer = browser.post("/signin/code", {"code": copy.code(secret)})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert browser.get("/").status_code == 200

    recovered = recover(copy, "alice", codes[1])
    assert recovered.last is not None and recovered.last.status_code == 200
    assert "Your old authenticator was removed" in recovered.last.text
    assert copy.mfa_settings("alice") == []

    store = portal_store(tmp_path / "portal", empty_postgres_url)
    copied = AuditLog(store).query(AuditFilter())
    assert [e.id for e in copied][-len(trail) :] == [e.id for e in trail]
    assert len(copied) > len(trail)  # the copy appended after the copied entries
    with pytest.raises(IntegrityError, match="append-only"), store.transaction() as conn:
        conn.execute("UPDATE audit SET actor = 'mallory'")
    with pytest.raises(IntegrityError, match="append-only"), store.transaction() as conn:
        conn.execute("TRUNCATE audit")


def test_a_target_with_data_is_refused_unless_forced(
    sqlite_world: PortalWorld, tmp_path: Path, empty_postgres_url: str
) -> None:
    sqlite_world.create_user("bob", permanent=True)
    AuditLog(portal_store(tmp_path / "portal")).append(
        actor="cli:t", target="bob", action="disable", reason="test", outcome="ok"
    )
    copy_all(tmp_path, empty_postgres_url)
    code, output = db(
        "copy", "--from", f"sqlite:///{tmp_path / 'portal'}", "--to", empty_postgres_url
    )
    assert code == 2
    assert "already holds data (tables: audit" in output and "--force" in output
    assert len(output.strip().splitlines()) == 1

    code, output = db(
        "copy", "--from", str(tmp_path / "portal"), "--to", empty_postgres_url, "--force"
    )
    assert code == 0, output
    store = PortalStore.in_data_dir(tmp_path, empty_postgres_url)
    try:
        with store.read() as conn:  # replaced, not doubled; and the guard is back on
            ids = [r[0] for r in conn.execute("SELECT id FROM audit ORDER BY id")]
        assert ids == sorted(set(ids))
        with pytest.raises(IntegrityError, match="append-only"), store.transaction() as conn:
            conn.execute("DELETE FROM audit")
    finally:
        store.close_all()


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("sqlite:///{tmp}/nowhere", "{pg}", "is not a data directory"),
        ("{tmp}", "sqlite:///elsewhere", "--to must be a postgresql:// URL"),
        ("mysql://x/y", "{pg}", "--from must be the SQLite data directory"),
        ("{tmp}", "{pg}", "holds none of pool.sqlite3, portal.sqlite3"),
    ],
)
def test_copy_errors_are_one_line(
    tmp_path: Path, empty_postgres_url: str, source: str, target: str, expected: str
) -> None:
    code, output = db(
        "copy",
        "--from",
        source.format(tmp=tmp_path, pg=empty_postgres_url),
        "--to",
        target.format(tmp=tmp_path, pg=empty_postgres_url),
    )
    assert code == 2 and expected in output
    assert len(output.strip().splitlines()) == 1


def test_copy_into_an_unreachable_server_names_no_password(tmp_path: Path) -> None:
    PortalStore.in_data_dir(tmp_path).close_all()
    code, output = db(
        "copy", "--from", str(tmp_path), "--to", "postgresql://u:hunter2@127.0.0.1:1/db"
    )
    assert code == 2 and "Connection refused" in output
    assert "hunter2" not in output and "postgresql://u:***@127.0.0.1:1/db" in output
