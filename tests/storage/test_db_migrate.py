"""``mfa-portal db migrate``: every store the configuration uses, on either engine, one line each."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfa_portal.cli import _load_commands, app
from mfa_portal.pool.schema import MIGRATIONS as POOL_MIGRATIONS

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    _load_commands()
    result = runner.invoke(app, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("MFA_PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_migrate_creates_every_schema_on_postgresql_and_is_repeatable(
    tmp_path: Path, empty_postgres_url: str
) -> None:
    for _ in range(2):
        code, output = run(
            "db", "migrate", "--data-dir", str(tmp_path), "--database-url", empty_postgres_url
        )
        assert code == 0, output
        lines = output.strip().splitlines()
        assert [line.split(":")[0] for line in lines] == ["pool", "portal", "sessions"]
        assert (
            f"pool: schema version {len(POOL_MIGRATIONS)} (postgresql://postgres:***@" in lines[0]
        )
        assert "(schema mfa_portal_sessions)" in lines[2]
    assert not (tmp_path / "pool.sqlite3").exists()  # nothing went to the data directory


def test_migrate_in_front_of_cognito_with_redis_keeps_only_the_portal_store(
    tmp_path: Path, empty_postgres_url: str
) -> None:
    env = {
        "MFA_PORTAL_USER_POOL_ID": "eu-west-1_abc",
        "MFA_PORTAL_CLIENT_ID": "client",
        "MFA_PORTAL_REDIS_URL": "redis://127.0.0.1:1/0",
        "MFA_PORTAL_DATABASE_URL": empty_postgres_url,
    }
    code, output = run("db", "migrate", env=env)
    assert code == 0, output
    assert [line.split(":")[0] for line in output.strip().splitlines()] == ["portal"]


def test_migrate_without_a_url_migrates_the_sqlite_files(tmp_path: Path) -> None:
    typo = tmp_path / "dat"  # a mistyped path creates nothing
    code, output = run("db", "migrate", "--data-dir", str(typo))
    assert code == 2 and f"error: no data directory at {typo}: nothing to migrate" in output
    assert not typo.exists()
    (tmp_path / "data").mkdir()
    code, output = run("db", "migrate", "--data-dir", str(tmp_path / "data"))
    assert code == 0, output
    assert (
        f"pool: schema version {len(POOL_MIGRATIONS)} ({tmp_path / 'data' / 'pool.sqlite3'})"
        in output
    )
    assert (tmp_path / "data" / "portal-sessions.sqlite3").exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://u:hunter2@h/db", "MFA_PORTAL_DATABASE_URL must be a postgresql:// URL"),
        ("postgresql://u:hunter2@127.0.0.1:1/db", "Connection refused"),
    ],
)
def test_an_unusable_url_is_one_line_without_the_password(
    tmp_path: Path, url: str, expected: str
) -> None:
    code, output = run("db", "migrate", "--data-dir", str(tmp_path), "--database-url", url)
    assert code == 2 and expected in output
    assert "hunter2" not in output
    assert output.count("error:") == 1


def test_serve_refuses_an_unusable_url_in_one_line(tmp_path: Path) -> None:
    code, output = run(
        "serve",
        "--port",
        "1",
        "--data-dir",
        str(tmp_path),
        "--database-url",
        "postgresql://u:hunter2@127.0.0.1:1/db",
    )
    assert code != 0 and "hunter2" not in output
