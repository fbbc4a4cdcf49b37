"""The data directory is this user's alone, and the development outbox stays on loopback.

The data files hold password hashes, sealed seeds, signing keys, the IAM key pair and the audit
trail. Started from a usual login shell (umask 022), the real command must still create the data
directory 0700 and every file in it 0600, SQLite's ``-wal`` and ``-shm`` files included. The
development outbox (``/dev/outbox``) shows every code the portal mailed, so it is not served when the
portal listens beyond loopback.
"""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from tests.support.cli_process import child_env, serving


def modes(data: Path) -> dict[str, int]:
    """Permission bits of the data directory (``.``) and everything in it, by relative path."""
    found = {".": stat.S_IMODE(data.stat().st_mode)}
    for path in data.rglob("*"):
        found[str(path.relative_to(data))] = stat.S_IMODE(path.stat().st_mode)
    return found


def assert_private(found: dict[str, int], data: Path, expected: set[str]) -> None:
    assert expected <= set(found), sorted(found)
    loose = {
        name: oct(mode)
        for name, mode in found.items()
        if mode != (0o700 if (data / name).is_dir() else 0o600)
    }
    assert loose == {}


POOL_FILES = {
    "pool.sqlite3",
    "pool.sqlite3-wal",
    "pool.sqlite3-shm",
    "seed.key",
    "credentials.json",
    "keys",
    "keys/id-token.pem",
    "keys/access-token.pem",
}


def test_pool_serve_creates_its_data_for_this_user_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(["pool", "serve", "--data-dir", str(data)], tmp_path, child_env()):
        found = modes(data)  # while it runs: the -wal and -shm files exist now
    assert_private(found, data, POOL_FILES)


def test_serve_creates_its_data_for_this_user_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(["serve", "--data-dir", str(data)], tmp_path, child_env()):
        found = modes(data)
    portal = {"portal.json", "portal.sqlite3", "portal.sqlite3-wal", "secret_key"}
    assert_private(found, data, POOL_FILES | portal)


def outbox_status(host: str, tmp_path: Path) -> tuple[int, list[str]]:
    """``/dev/outbox`` of ``serve --host <host>`` in development mode, and the start-up warnings."""
    env = child_env(MFA_PORTAL_MODE="development")
    args = ["serve", "--host", host, "--data-dir", str(tmp_path / "data")]
    with serving(args, tmp_path, env) as running:
        status = httpx.get(running.url + "/dev/outbox", timeout=10).status_code
    output = (running.stdout + running.stderr).splitlines()
    return status, [line for line in output if "/dev/outbox" in line and "GET" not in line]


def test_the_outbox_is_not_served_when_the_portal_listens_beyond_loopback(tmp_path: Path) -> None:
    status, warnings = outbox_status("0.0.0.0", tmp_path)
    assert status == 404
    [warning] = warnings
    assert warning.startswith("warning: /dev/outbox is off") and "0.0.0.0" in warning


@pytest.mark.parametrize("host", ["127.0.0.1"])
def test_the_outbox_is_served_on_loopback(tmp_path: Path, host: str) -> None:
    status, warnings = outbox_status(host, tmp_path)
    assert status == 200
    assert warnings == []
