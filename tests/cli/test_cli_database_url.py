"""``--database-url`` on the commands that open the stores: ``users …``, ``audit …``, ``pool …``.

Support works from any machine with the deployment's keys and the database's URL; the flag must do
what ``MFA_PORTAL_DATABASE_URL`` does, with no variable set, and without it the same command must
not quietly read the (empty) SQLite files of its own data directory instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mfa_portal.cli import _load_commands, app
from mfa_portal.settings import load_settings
from mfa_portal.wiring.backend import open_embedded
from tests.support.replicas import SharedSecrets

_load_commands()
runner = CliRunner()


@pytest.fixture
def shared_pool(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A deployment's pool in PostgreSQL (first started elsewhere) with ``bob`` in it; the
    environment holds its keys, as support's would, and no database URL."""
    for name in [n for n in os.environ if n.startswith("MFA_PORTAL_")]:
        monkeypatch.delenv(name)
    for name, value in SharedSecrets.create(tmp_path / "secrets").env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MFA_PORTAL_INITIAL_ADMIN_PASSWORD", "Initial-Admin-9!")
    monkeypatch.chdir(tmp_path)
    replica = load_settings(data_dir=tmp_path / "replica", database_url=postgres_url)
    backend = open_embedded(replica, base_url="http://127.0.0.1:8000", with_wire=False)
    backend.client.call(
        "AdminCreateUser",
        UserPoolId=backend.settings.user_pool_id,
        Username="bob",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}],
    )
    backend.close()
    monkeypatch.setenv("MFA_PORTAL_DATA_DIR", str(tmp_path / "support-desk"))
    yield postgres_url


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def test_users_and_audit_read_the_database_the_flag_names(shared_pool: str) -> None:
    listed = run("users", "list", "--json", "--database-url", shared_pool)
    assert listed.exit_code == 0, listed.output
    assert sorted(u["username"] for u in json.loads(listed.stdout)) == ["admin", "bob"]

    disabled = run("users", "disable", "bob", "--reason", "ticket 9", "--database-url", shared_pool)
    assert disabled.exit_code == 0, disabled.output
    shown = run("users", "show", "bob", "--json", "--database-url", shared_pool)
    assert json.loads(shown.stdout)["enabled"] is False

    entries = run("audit", "list", "--json", "--database-url", shared_pool)
    assert entries.exit_code == 0, entries.output
    [entry] = json.loads(entries.stdout)
    assert (entry["action"], entry["target"], entry["reason"]) == ("disable", "bob", "ticket 9")
    exported = run("audit", "export", "--format", "jsonl", "--database-url", shared_pool)
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.stdout.splitlines()[0])["action"] == "disable"

    pool = run("pool", "show", "--json", "--database-url", shared_pool)
    assert pool.exit_code == 0, pool.output
    assert json.loads(pool.stdout)["name"] == "mfa-portal"


def test_without_the_flag_or_the_variable_the_data_directory_is_used(
    shared_pool: str, tmp_path: Path
) -> None:
    """The flag is what reached the database: without it, support's empty data directory has no
    pool, which is said in one line."""
    result = run("users", "list")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"Error: no embedded pool in {tmp_path / 'support-desk'}: run `mfa-portal serve` "
        "once, or give the portal's data directory (--data-dir, or MFA_PORTAL_DATA_DIR)"
    ]


def test_the_variable_still_works_and_the_flag_wins_over_it(
    shared_pool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MFA_PORTAL_DATABASE_URL", shared_pool)
    listed = run("users", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 2
    nowhere = shared_pool.rsplit("/", 1)[0] + "/no_such_database"
    monkeypatch.setenv("MFA_PORTAL_DATABASE_URL", nowhere)
    refused = run("audit", "list", "--json")
    assert refused.exit_code == 1
    assert 'database \\"no_such_database\\" does not exist' in refused.stdout
    flagged = run("audit", "list", "--json", "--database-url", shared_pool)
    assert flagged.exit_code == 0, flagged.output
