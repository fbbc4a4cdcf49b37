"""Encryption at rest for TOTP seeds: AES-GCM bound to the user, key file kept outside the database."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag

from mfa_portal.pool.engine import Engine
from mfa_portal.pool.secretbox import SecretBox
from mfa_portal.sqlite import StartupError
from tests.support.postgres import stored_text

SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ENV = "MFA_PORTAL_POOL_SEED_KEY"


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)


def box() -> SecretBox:
    return SecretBox(bytes(range(32)))


def test_round_trip() -> None:
    sealed = box().seal(SEED, "user:1")
    assert sealed.startswith("v1:")
    assert SEED not in sealed
    assert box().open(sealed, "user:1") == SEED


def test_round_trip_of_non_ascii_text() -> None:
    assert box().open(box().seal("clé 🔑", "c"), "c") == "clé 🔑"


def test_each_seal_uses_a_fresh_nonce() -> None:
    assert box().seal(SEED, "user:1") != box().seal(SEED, "user:1")


def test_sealed_for_one_user_does_not_open_for_another() -> None:
    sealed = box().seal(SEED, "user:1")
    with pytest.raises(InvalidTag):
        box().open(sealed, "user:2")


def test_tampering_is_detected() -> None:
    sealed = box().seal(SEED, "user:1")
    raw = bytearray(base64.urlsafe_b64decode(sealed[3:]))
    raw[-1] ^= 0x01
    with pytest.raises(InvalidTag):
        box().open("v1:" + base64.urlsafe_b64encode(bytes(raw)).decode(), "user:1")
    raw[-1] ^= 0x01
    raw[15] ^= 0x80  # a ciphertext byte
    with pytest.raises(InvalidTag):
        box().open("v1:" + base64.urlsafe_b64encode(bytes(raw)).decode(), "user:1")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown sealed format"):
        box().open(SEED, "user:1")


def test_wrong_key_fails() -> None:
    sealed = box().seal(SEED, "user:1")
    with pytest.raises(InvalidTag):
        SecretBox(bytes(32)).open(sealed, "user:1")


@pytest.mark.parametrize("length", [0, 16, 31, 33])
def test_key_must_be_32_bytes(length: int) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        SecretBox(b"k" * length)


def test_key_file_is_created_0600_once_and_reused(tmp_path: Path) -> None:
    first = SecretBox.from_data_dir(tmp_path / "data")
    key_file = tmp_path / "data" / "seed.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = key_file.read_bytes()
    assert len(base64.urlsafe_b64decode(content.strip())) == 32
    sealed = first.seal(SEED, "user:1")
    second = SecretBox.from_data_dir(tmp_path / "data")
    assert key_file.read_bytes() == content
    assert second.open(sealed, "user:1") == SEED
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["seed.key"]  # no temp file left


def test_another_data_dir_has_another_key(tmp_path: Path) -> None:
    sealed = SecretBox.from_data_dir(tmp_path / "a").seal(SEED, "user:1")
    with pytest.raises(InvalidTag):
        SecretBox.from_data_dir(tmp_path / "b").open(sealed, "user:1")


def test_env_key_overrides_the_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = os.urandom(32)
    monkeypatch.setenv(ENV, base64.urlsafe_b64encode(key).decode())
    from_env = SecretBox.from_data_dir(tmp_path / "data")
    assert not (tmp_path / "data" / "seed.key").exists()
    assert SecretBox(key).open(from_env.seal(SEED, "c"), "c") == SEED


def test_a_bad_env_key_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, base64.urlsafe_b64encode(b"short").decode())
    with pytest.raises(StartupError, match=f"{ENV} is not a seed key \\(32 bytes"):
        SecretBox.from_data_dir(tmp_path)


def test_a_crash_while_writing_the_key_leaves_no_half_written_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty seed.key would make every stored seed unreadable forever; the key appears whole or not."""
    real_fsync = os.fsync

    def crash(fd: int) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr("mfa_portal.pool.secretbox.os.fsync", crash)
    with pytest.raises(OSError, match="disk gone"):
        SecretBox.from_data_dir(tmp_path)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr("mfa_portal.pool.secretbox.os.fsync", real_fsync)
    SecretBox.from_data_dir(tmp_path).seal(SEED, "c")


def test_a_concurrent_first_start_uses_the_winners_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes starting on an empty data dir must agree on one key."""
    winner = base64.urlsafe_b64encode(os.urandom(32))
    real_link = os.link

    def link_after_rival(src: Any, dst: Any) -> None:
        Path(dst).write_bytes(winner)  # the other process linked its key first
        real_link(src, dst)

    monkeypatch.setattr("mfa_portal.pool.secretbox.os.link", link_after_rival)
    loser = SecretBox.from_data_dir(tmp_path)
    assert (tmp_path / "seed.key").read_bytes() == winner
    assert SecretBox(base64.urlsafe_b64decode(winner)).open(loser.seal(SEED, "c"), "c") == SEED


def test_engine_stores_totp_seeds_only_encrypted(engine: Engine) -> None:
    iam = "test"
    pool = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal=iam)["UserPool"]["Id"]
    engine.call(
        "SetUserPoolMfaConfig",
        {
            "UserPoolId": pool,
            "MfaConfiguration": "OPTIONAL",
            "SoftwareTokenMfaConfiguration": {"Enabled": True},
        },
        iam_principal=iam,
    )
    client = engine.call(
        "CreateUserPoolClient",
        {"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]},
        iam_principal=iam,
    )["UserPoolClient"]["ClientId"]
    engine.call(
        "AdminCreateUser",
        {"UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS"},
        iam_principal=iam,
    )
    engine.call(
        "AdminSetUserPassword",
        {
            "UserPoolId": pool,
            "Username": "alice",
            "Password": "Correct-Horse-9!",
            "Permanent": True,
        },
        iam_principal=iam,
    )
    signed_in = engine.call(
        "InitiateAuth",
        {
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Correct-Horse-9!"},
        },
    )
    access = signed_in["AuthenticationResult"]["AccessToken"]
    secret = engine.call("AssociateSoftwareToken", {"AccessToken": access})["SecretCode"]
    assert secret not in stored_text(engine.db, engine.data_dir)
    with engine.db.read() as conn:
        stored = conn.execute("SELECT pending_secret FROM software_tokens").fetchone()[0]
    assert stored.startswith("v1:")
