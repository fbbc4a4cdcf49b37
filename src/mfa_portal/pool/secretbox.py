"""Encryption at rest for TOTP seeds, with a key kept in the data directory outside the database.

A copied database file alone does not reveal any seed. The key file is created on first start with
mode 0600; ``MFA_PORTAL_POOL_SEED_KEY`` (urlsafe base64, 32 bytes) can supply it instead.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1:"


class SecretBox:
    """AES-256-GCM with a random 96-bit nonce per value; the user id is bound in as associated data."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("seed key must be 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> SecretBox:
        env = os.environ.get("MFA_PORTAL_POOL_SEED_KEY")
        if env:
            return cls(base64.urlsafe_b64decode(env))
        path = data_dir / "seed.key"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            _create_key_file(path)
        return cls(base64.urlsafe_b64decode(path.read_bytes().strip()))

    def seal(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        blob = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return _PREFIX + base64.urlsafe_b64encode(nonce + blob).decode()

    def open(self, sealed: str, context: str) -> str:
        if not sealed.startswith(_PREFIX):
            raise ValueError("unknown sealed format")
        raw = base64.urlsafe_b64decode(sealed[len(_PREFIX) :])
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()


def _create_key_file(path: Path) -> None:
    """Write a new key beside ``path`` and link it into place: a crash or a concurrent first start
    never leaves an empty or half-written key (which would make every sealed seed unreadable)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(base64.urlsafe_b64encode(os.urandom(32)))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # fails if another process won the race; then use its key
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
