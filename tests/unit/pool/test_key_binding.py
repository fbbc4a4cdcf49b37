"""The pool database remembers its keys: a start with a lost, damaged or different key is refused.

``tests/security/test_startup_refusals.py`` drives the real command; these cover the remaining
branches of opening an ``Engine`` (a database from before the check values, keys named by
environment variables that cannot be read or parsed, an empty key file on an empty store).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.sqlite import StartupError
from tests.support.cli_process import enrolled_data_dir

ENV_NAMES = [
    "MFA_PORTAL_POOL_SEED_KEY",
    "MFA_PORTAL_POOL_SEED_KEY_FILE",
    "MFA_PORTAL_POOL_ID_TOKEN_KEY",
    "MFA_PORTAL_POOL_ID_TOKEN_KEY_FILE",
    "MFA_PORTAL_POOL_ACCESS_TOKEN_KEY",
    "MFA_PORTAL_POOL_ACCESS_TOKEN_KEY_FILE",
]


@pytest.fixture(autouse=True)
def no_env_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def open_engine(data_dir: Path) -> Engine:
    engine = Engine(data_dir, hasher=PasswordHasher(memory_kib=256, time_cost=1))
    engine.db.close_all()
    return engine


def forget_check_values(data_dir: Path) -> None:
    """Turn the database into one written before the check values existed (schema 2's content)."""
    engine = open_engine(data_dir)
    with engine.db.transaction() as conn:
        conn.execute("DELETE FROM meta")
    engine.db.close_all()


def test_a_first_start_creates_the_keys_and_a_restart_reuses_them(tmp_path: Path) -> None:
    first = open_engine(tmp_path)
    assert first.was_empty
    key = (tmp_path / "seed.key").read_bytes()
    again = open_engine(tmp_path)
    assert (tmp_path / "seed.key").read_bytes() == key
    assert again.signer.jwks() == first.signer.jwks()


def test_a_database_without_check_values_is_checked_against_a_sealed_seed(tmp_path: Path) -> None:
    data = enrolled_data_dir(tmp_path / "data")
    forget_check_values(data)
    right = (data / "seed.key").read_bytes()
    (data / "seed.key").write_bytes(base64.urlsafe_b64encode(os.urandom(32)))
    with pytest.raises(StartupError, match="is not the key the data in .* was sealed with"):
        open_engine(data)
    (data / "seed.key").write_bytes(right)
    open_engine(data)  # the right key passes, and its check value is written now
    (data / "seed.key").write_bytes(base64.urlsafe_b64encode(os.urandom(32)))
    with pytest.raises(StartupError, match="is not the key"):
        open_engine(data)


def test_a_database_without_check_values_never_gets_a_new_key(tmp_path: Path) -> None:
    data = enrolled_data_dir(tmp_path / "data")
    forget_check_values(data)
    (data / "seed.key").unlink()
    with pytest.raises(StartupError, match="seed.key is missing"):
        open_engine(data)
    assert not (data / "seed.key").exists()


def test_an_empty_key_file_is_not_overwritten_even_on_an_empty_store(tmp_path: Path) -> None:
    tmp_path.joinpath("seed.key").write_bytes(b"")
    with pytest.raises(StartupError, match="seed.key is empty"):
        open_engine(tmp_path)
    assert tmp_path.joinpath("seed.key").read_bytes() == b""


def test_a_key_file_named_by_the_environment_must_be_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-such-secret"
    monkeypatch.setenv("MFA_PORTAL_POOL_SEED_KEY_FILE", str(missing))
    with pytest.raises(StartupError, match=r"cannot read .*no-such-secret \(named by"):
        open_engine(tmp_path / "data")


def test_a_damaged_signing_key_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MFA_PORTAL_POOL_ACCESS_TOKEN_KEY", "-----BEGIN PRIVATE KEY-----\nxx\n")
    with pytest.raises(
        StartupError, match="MFA_PORTAL_POOL_ACCESS_TOKEN_KEY is not an RSA private key"
    ):
        open_engine(tmp_path)


def test_keys_from_the_environment_bind_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("MFA_PORTAL_POOL_SEED_KEY", key)
    open_engine(tmp_path)
    assert not (tmp_path / "seed.key").exists()
    monkeypatch.setenv(
        "MFA_PORTAL_POOL_SEED_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode()
    )
    with pytest.raises(StartupError, match="MFA_PORTAL_POOL_SEED_KEY is not the key"):
        open_engine(tmp_path)
