"""A replica with another session secret than the deployment's does not start.

Sessions are encrypted with the session secret; a replica holding another one cannot read what the
others wrote, so users would be signed out whenever the load balancer switches. The portal store
keeps a check value of the secret (never the secret) from the first start; a start with another
secret stops with one line, on SQLite (one data directory) as on PostgreSQL (replicas with data
directories of their own), and the deliberate change is ``mfa-portal db accept-session-secret``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfa_portal.cli import _load_commands, app
from mfa_portal.settings import Settings, load_settings
from mfa_portal.storage import StartupError
from mfa_portal.wiring.support import bind_secret
from tests.support.cli_process import child_env, serving, start
from tests.support.replicas import SharedSecrets

SECRET_A = "session-secret-A-" + "a" * 40
SECRET_B = "session-secret-B-" + "b" * 40


@pytest.fixture
def replica_env(tmp_path: Path, any_database: str | None) -> Iterator[dict[str, str]]:
    """What every replica is given: the pool's keys (files), and the database URL on PostgreSQL."""
    env = child_env(**SharedSecrets.create(tmp_path / "secrets").env())
    del env["MFA_PORTAL_SECRET_KEY_FILE"]  # each start below names its secret itself
    if any_database is not None:
        env["MFA_PORTAL_DATABASE_URL"] = any_database
    yield env


def data_dir(tmp_path: Path, env: dict[str, str], replica: str) -> Path:
    """SQLite: the one data directory. PostgreSQL: each replica its own."""
    return tmp_path / ("data" if "MFA_PORTAL_DATABASE_URL" not in env else replica)


def test_a_start_with_another_secret_is_refused_in_one_line(
    tmp_path: Path, replica_env: dict[str, str]
) -> None:
    def args(replica: str) -> list[str]:
        return ["serve", "--data-dir", str(data_dir(tmp_path, replica_env, replica))]

    with serving(args("r1"), tmp_path, {**replica_env, "MFA_PORTAL_SECRET_KEY": SECRET_A}):
        pass
    other = start(args("r2"), tmp_path, {**replica_env, "MFA_PORTAL_SECRET_KEY": SECRET_B}, 30)
    assert other.returncode == 2, other.stdout + other.stderr
    assert other.error_lines == [other.error_lines[0]], other.stderr  # one line, no traceback
    line = other.error_lines[0]
    assert line.startswith("error: the session secret (MFA_PORTAL_SECRET_KEY) is not the one ")
    assert "mfa-portal db accept-session-secret" in line
    assert SECRET_A not in line and SECRET_B not in line
    assert "Embedded Cognito user pool" not in other.stdout  # stopped before serving anything
    with serving(args("r3"), tmp_path, {**replica_env, "MFA_PORTAL_SECRET_KEY": SECRET_A}):
        pass  # the deployment's secret: it starts


def test_a_secret_file_is_named_by_its_path(tmp_path: Path, any_database: str | None) -> None:
    (tmp_path / "a").write_text(SECRET_A)
    (tmp_path / "b").write_text(SECRET_B)
    bind_secret(
        load_settings(
            data_dir=tmp_path / "d1", database_url=any_database, secret_key_file=str(tmp_path / "a")
        )
    )
    with pytest.raises(StartupError) as refused:
        bind_secret(
            load_settings(
                data_dir=tmp_path / "d2" if any_database else tmp_path / "d1",
                database_url=any_database,
                secret_key_file=str(tmp_path / "b"),
            )
        )
    assert f"the session secret ({tmp_path / 'b'}, named by MFA_PORTAL_SECRET_KEY_FILE)" in str(
        refused.value
    )


def test_accepting_a_new_secret_on_purpose(
    tmp_path: Path, any_database: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in child_env() if n.startswith("MFA_PORTAL_")]:
        monkeypatch.delenv(name, raising=False)
    here = tmp_path / "data"

    def settings(secret: str) -> Settings:
        return load_settings(data_dir=here, database_url=any_database, secret_key=secret)

    def accept(secret: str) -> str:
        _load_commands()
        args = ["db", "accept-session-secret", "--data-dir", str(here)]
        if any_database:
            args += ["--database-url", any_database]
        result = CliRunner().invoke(app, args, env={"MFA_PORTAL_SECRET_KEY": secret})
        assert result.exit_code == 0, result.output
        return result.stdout

    bind_secret(settings(SECRET_A))
    with pytest.raises(StartupError):
        bind_secret(settings(SECRET_B))
    assert "now expects the session secret of MFA_PORTAL_SECRET_KEY" in accept(SECRET_B)
    bind_secret(settings(SECRET_B))
    with pytest.raises(StartupError):
        bind_secret(settings(SECRET_A))
    assert "already expects this session secret; nothing changed" in accept(SECRET_B)
