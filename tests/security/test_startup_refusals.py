"""A start on a data directory that cannot be used as it is stops with one line, never a traceback.

The real ``mfa-portal`` command is started as a child process on a data directory holding a pool with
an enrolled user. A lost, empty, damaged or different key is never replaced silently (that would make
every enrolled user's correct code fail with a 500, or void every token); a damaged database or an
unusable directory is named with what to do. Replicas share keys through ``MFA_PORTAL_POOL_*`` variables
or files they name, and a start with a different key than the database expects is refused too.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.cli_process import (
    WITHOUT_DAC_OVERRIDE,
    Outcome,
    child_env,
    enrolled_data_dir,
    serving,
    start,
)
from tests.support.wire_server import free_port


def refused(outcome: Outcome, *names: str) -> str:
    """The one line a refused start printed; it names every ``names`` and says what to do."""
    assert outcome.returncode is not None, f"it started serving: {outcome.stdout}"
    assert outcome.returncode != 0
    [line] = outcome.error_lines
    assert "Traceback" not in outcome.stderr
    for name in names:
        assert name in line
    assert "restore" in line or "write access" in line or "move it" in line
    return line


def serve_args(data_dir: Path) -> list[str]:
    return ["serve", "--port", str(free_port()), "--data-dir", str(data_dir)]


def pool_serve_args(data_dir: Path) -> list[str]:
    return ["pool", "serve", "--port", str(free_port()), "--data-dir", str(data_dir)]


def new_seed_key() -> bytes:
    return base64.urlsafe_b64encode(os.urandom(32))


def new_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


# --- item 3: keys are never replaced over existing data ------------------------------------------


@pytest.mark.parametrize("damage", ["missing", "empty", "another key", "not a key"])
def test_serve_refuses_a_lost_or_different_seed_key_after_enrolment(
    tmp_path: Path, damage: str
) -> None:
    data = enrolled_data_dir(tmp_path / "data")
    key = data / "seed.key"
    if damage == "missing":
        key.unlink()
    elif damage == "empty":
        key.write_bytes(b"")
    elif damage == "another key":
        key.write_bytes(new_seed_key())
    else:
        key.write_bytes(b"not base64 at all!\n")
    before = key.read_bytes() if key.exists() else None

    line = refused(start(serve_args(data), tmp_path, child_env()), str(key))

    assert "MFA_PORTAL_POOL_SEED_KEY" in line  # where else the deployment's key can come from
    assert (key.read_bytes() if key.exists() else None) == before  # nothing was regenerated


def test_pool_serve_refuses_a_missing_seed_key(tmp_path: Path) -> None:
    data = enrolled_data_dir(tmp_path / "data")
    (data / "seed.key").unlink()
    refused(start(pool_serve_args(data), tmp_path, child_env()), str(data / "seed.key"))
    assert not (data / "seed.key").exists()


@pytest.mark.parametrize("damage", ["missing", "another key"])
def test_serve_refuses_a_lost_or_different_token_signing_key(tmp_path: Path, damage: str) -> None:
    data = enrolled_data_dir(tmp_path / "data")
    pem = data / "keys" / "id-token.pem"
    if damage == "missing":
        pem.unlink()
    else:
        pem.write_bytes(new_pem())
    line = refused(start(serve_args(data), tmp_path, child_env()), "id-token.pem")
    assert "MFA_PORTAL_POOL_ID_TOKEN_KEY" in line
    assert pem.exists() == (damage != "missing")


def test_pool_serve_refuses_a_missing_key_pair_beside_existing_pools(tmp_path: Path) -> None:
    data = enrolled_data_dir(tmp_path / "data")
    (data / "credentials.json").unlink()
    line = refused(
        start(pool_serve_args(data), tmp_path, child_env()), str(data / "credentials.json")
    )
    assert "MFA_PORTAL_POOL_ACCESS_KEY_ID" in line
    assert not (data / "credentials.json").exists()


def test_replicas_take_keys_from_files_named_in_the_environment(tmp_path: Path) -> None:
    """Keys from ``…_FILE`` variables stay out of the data directory; another key is refused."""
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    for name, material in [
        ("seed", new_seed_key()),
        ("other-seed", new_seed_key()),
        ("id", new_pem()),
        ("access", new_pem()),
    ]:
        (secrets_dir / name).write_bytes(material)
    keys = {
        "MFA_PORTAL_POOL_SEED_KEY_FILE": str(secrets_dir / "seed"),
        "MFA_PORTAL_POOL_ID_TOKEN_KEY_FILE": str(secrets_dir / "id"),
        "MFA_PORTAL_POOL_ACCESS_TOKEN_KEY_FILE": str(secrets_dir / "access"),
    }
    data = tmp_path / "data"
    with serving(["pool", "serve", "--data-dir", str(data)], tmp_path, child_env(**keys)):
        pass
    assert not (data / "seed.key").exists()
    assert not (data / "keys" / "id-token.pem").exists()

    other = {**keys, "MFA_PORTAL_POOL_SEED_KEY_FILE": str(secrets_dir / "other-seed")}
    line = refused(start(pool_serve_args(data), tmp_path, child_env(**other)), "other-seed")
    assert "MFA_PORTAL_POOL_SEED_KEY_FILE" in line

    with serving(["pool", "serve", "--data-dir", str(data)], tmp_path, child_env(**keys)):
        pass  # the right keys still start it


# --- item 12: a damaged or unusable data directory is one line ----------------------------------


def damaged_database(tmp_path: Path, name: str) -> Path:
    data = enrolled_data_dir(tmp_path / "data")
    (data / "portal.json").write_text('{"user_pool_id": "us-east-1_x", "client_id": "c"}\n')
    for suffix in ("-wal", "-shm"):
        (data / f"{name}{suffix}").unlink(missing_ok=True)
    (data / name).write_bytes(b"this is no longer a database " * 200)
    return data / name


@pytest.mark.parametrize(
    "command",
    [["serve"], ["pool", "serve"], ["users", "list"], ["audit", "list"]],
    ids=["serve", "pool-serve", "users", "audit"],
)
def test_a_damaged_pool_database_is_one_line_naming_it(tmp_path: Path, command: list[str]) -> None:
    path = damaged_database(tmp_path, "pool.sqlite3")
    data = path.parent
    if command[-1] == "serve":
        args = [*command, "--port", str(free_port()), "--data-dir", str(data)]
        env = child_env()
    else:
        args, env = command, child_env(MFA_PORTAL_DATA_DIR=str(data))
    line = refused(start(args, tmp_path, env), str(path))
    assert "damaged" in line


def test_a_damaged_portal_store_is_one_line_naming_it(tmp_path: Path) -> None:
    data = enrolled_data_dir(tmp_path / "data")
    (data / "portal.sqlite3").write_bytes(b"\x00garbage" * 1000)
    line = refused(start(serve_args(data), tmp_path, child_env()), str(data / "portal.sqlite3"))
    assert "damaged" in line


@pytest.mark.parametrize("command", [["serve"], ["pool", "serve"]], ids=["serve", "pool-serve"])
def test_a_data_directory_that_cannot_be_created_is_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    data = blocker / "data"
    args = [*command, "--port", str(free_port()), "--data-dir", str(data)]
    refused(start(args, tmp_path, child_env()), str(data))


def test_a_read_only_data_directory_is_one_line(tmp_path: Path) -> None:
    data = enrolled_data_dir(tmp_path / "data")
    data.chmod(0o500)
    as_user = WITHOUT_DAC_OVERRIDE if os.geteuid() == 0 else None  # root ignores modes otherwise
    try:
        line = refused(start(serve_args(data), tmp_path, child_env(), prefix=as_user), str(data))
    finally:
        data.chmod(0o700)
    assert "write access" in line
