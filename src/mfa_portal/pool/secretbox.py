"""Encryption at rest for TOTP seeds, with a key kept in the data directory outside the database.

A copied database file alone does not reveal any seed. The key file is created on first start with
mode 0600; ``MFA_PORTAL_POOL_SEED_KEY`` (urlsafe base64, 32 bytes) can supply it instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mfa_portal.pool.keyfiles import create_secret_file

_PREFIX = "v1:"


class SecretBox:
    """AES-256-GCM with a random 96-bit nonce per value; the user id is bound in as associated data."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("seed key must be 32 bytes")
        self._aead = AESGCM(key)
        self._mac_key = hmac.new(key, b"mfa-portal digest v1", hashlib.sha256).digest()

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

    def digest(self, text: str, context: str) -> str:
        """A stable keyed digest (HMAC-SHA256 under a subkey): a lookup key that a copied database
        file alone cannot be searched against."""
        message = context.encode() + b"\x00" + text.encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()

    def open(self, sealed: str, context: str) -> str:
        if not sealed.startswith(_PREFIX):
            raise ValueError("unknown sealed format")
        raw = base64.urlsafe_b64decode(sealed[len(_PREFIX) :])
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()


def _create_key_file(path: Path) -> None:
    """A new random key at ``path``, unless a concurrent first start already wrote one (then keep it)."""
    create_secret_file(path, base64.urlsafe_b64encode(os.urandom(32)))
