"""A replica with another pool access key pair than the deployment's does not start.

Every SDK and script signs its admin calls with the pool's one key pair; replicas holding different
pairs would each refuse the other's callers. The pool database keeps a check value of the pair
(never the secret) from the first start; a start with another pair stops with one line, on SQLite
(one data directory) as on PostgreSQL (replicas with data directories of their own), for
``pool serve`` as for ``serve`` with the embedded pool, and the deliberate change is
``mfa-portal db accept-pool-keys``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfa_portal.cli import _load_commands, app
from mfa_portal.pool.access_key_binding import bind_access_keys
from mfa_portal.pool.credentials import Credentials
from mfa_portal.pool.storage import FILE_NAME, Database
from mfa_portal.storage import StartupError
from tests.support.cli_process import child_env, serving, start
from tests.support.replicas import SharedSecrets

PAIR_A = {
    "MFA_PORTAL_POOL_ACCESS_KEY_ID": "AKIAPAIRATESTKEY0001",
    "MFA_PORTAL_POOL_SECRET_ACCESS_KEY": "pair-a-secret-access-key-" + "a" * 20,
}
PAIR_B = {
    "MFA_PORTAL_POOL_ACCESS_KEY_ID": "AKIAPAIRBTESTKEY0002",
    "MFA_PORTAL_POOL_SECRET_ACCESS_KEY": "pair-b-secret-access-key-" + "b" * 20,
}


@pytest.fixture
def replica_env(tmp_path: Path, any_database: str | None) -> Iterator[dict[str, str]]:
    """The deployment's other keys (files), the database URL on PostgreSQL, no key pair yet."""
    env = child_env(**SharedSecrets.create(tmp_path / "secrets").env())
    del env["MFA_PORTAL_POOL_ACCESS_KEY_ID"], env["MFA_PORTAL_POOL_SECRET_ACCESS_KEY"]
    if any_database is not None:
        env["MFA_PORTAL_DATABASE_URL"] = any_database
    yield env


def data_dir(tmp_path: Path, env: dict[str, str], replica: str) -> Path:
    """SQLite: the one data directory. PostgreSQL: each replica its own."""
    return tmp_path / ("data" if "MFA_PORTAL_DATABASE_URL" not in env else replica)


@pytest.mark.parametrize("command", [["pool", "serve"], ["serve"]], ids=["pool-serve", "serve"])
def test_a_start_with_another_key_pair_is_refused_in_one_line(
    tmp_path: Path, replica_env: dict[str, str], command: list[str]
) -> None:
    def args(replica: str) -> list[str]:
        return [*command, "--data-dir", str(data_dir(tmp_path, replica_env, replica))]

    with serving(args("r1"), tmp_path, {**replica_env, **PAIR_A}):
        pass
    other = start(args("r2"), tmp_path, {**replica_env, **PAIR_B}, 30)
    assert other.returncode == 2, other.stdout + other.stderr
    assert other.error_lines == [other.error_lines[0]], other.stderr  # one line, no traceback
    line = other.error_lines[0]
    assert line.startswith(
        "error: the pool's access key pair (MFA_PORTAL_POOL_ACCESS_KEY_ID/"
        "MFA_PORTAL_POOL_SECRET_ACCESS_KEY) is not the one "
    )
    assert "mfa-portal db accept-pool-keys" in line
    for pair in (PAIR_A, PAIR_B):
        assert pair["MFA_PORTAL_POOL_SECRET_ACCESS_KEY"] not in other.stdout + other.stderr
    with serving(args("r3"), tmp_path, {**replica_env, **PAIR_A}):
        pass  # the deployment's pair: it starts


def test_a_replaced_credentials_file_is_refused(tmp_path: Path) -> None:
    """The pair from the data directory's file: a file swapped for another pair stops the start."""
    env = child_env()
    here = tmp_path / "data"
    with serving(["pool", "serve", "--data-dir", str(here)], tmp_path, env):
        pass
    (here / "credentials.json").write_text(
        json.dumps({"AccessKeyId": "AKIAOTHERFILEKEY0003", "SecretAccessKey": "x" * 40})
    )
    refused = start(["pool", "serve", "--data-dir", str(here)], tmp_path, env, 30)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.error_lines[0].startswith(
        "error: the pool's access key pair (credentials.json) is not the one "
    )


def test_accepting_a_new_key_pair_on_purpose(
    tmp_path: Path, any_database: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in child_env() if n.startswith("MFA_PORTAL_")]:
        monkeypatch.delenv(name, raising=False)
    here = tmp_path / "data"
    here.mkdir()
    a = Credentials(
        PAIR_A["MFA_PORTAL_POOL_ACCESS_KEY_ID"], PAIR_A["MFA_PORTAL_POOL_SECRET_ACCESS_KEY"]
    )
    b = Credentials(
        PAIR_B["MFA_PORTAL_POOL_ACCESS_KEY_ID"], PAIR_B["MFA_PORTAL_POOL_SECRET_ACCESS_KEY"]
    )

    def bind(pair: Credentials) -> None:
        db = Database(here / FILE_NAME, url=any_database)
        try:
            bind_access_keys(db, pair)
        finally:
            db.close_all()

    def accept(pair: dict[str, str]) -> str:
        _load_commands()
        args = ["db", "accept-pool-keys", "--data-dir", str(here)]
        if any_database:
            args += ["--database-url", any_database]
        result = CliRunner().invoke(app, args, env=pair)
        assert result.exit_code == 0, result.output
        return result.stdout

    bind(a)
    with pytest.raises(StartupError):
        bind(b)
    assert f"now expects the pool access key {b.access_key_id}." in accept(PAIR_B)
    bind(b)
    with pytest.raises(StartupError):
        bind(a)
    assert "nothing changed" in accept(PAIR_B)
