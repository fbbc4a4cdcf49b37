"""The throwaway PostgreSQL server the bench (and a developer trying replicas) starts outside pytest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests.support.pg_throwaway import PostgresServer, new_database
from tests.support.tools import REPO

pytestmark = pytest.mark.xdist_group("replicas")


def test_new_database_is_empty_and_reachable_with_the_password(
    postgres_server: PostgresServer,
) -> None:
    url = new_database(postgres_server, f"bench_{os.getpid()}")
    try:
        with psycopg.connect(url) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()
        assert tables == (0,)
    finally:
        postgres_server.admin(f"DROP DATABASE IF EXISTS bench_{os.getpid()} WITH (FORCE)")


@pytest.mark.parametrize("name", ["", "1abc", "a-b", "a;DROP DATABASE postgres", "a b"])
def test_new_database_refuses_a_name_that_is_not_one(
    postgres_server: PostgresServer, name: str
) -> None:
    with pytest.raises(ValueError, match="not a database name"):
        new_database(postgres_server, name)


def test_the_command_prints_a_url_and_removes_the_server_when_stopped() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.pg_throwaway"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("postgresql://postgres:"), proc.stderr.read() if proc.stderr else ""
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("mfa",)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)
    password = url.split(":")[2].split("@")[0]
    left = [p for p in Path(tempfile.gettempdir()).glob("mfa-pg-*/pw") if password in p.read_text()]
    assert left == []  # its directory (data, password file, log) is gone
