"""Encryption at rest for TOTP seeds, with a key kept in the data directory outside the database.

A copied database file alone does not reveal any seed. The key file is created on first start with
mode 0600; ``MFA_PORTAL_POOL_SEED_KEY`` (urlsafe base64, 32 bytes) or a file named by
``MFA_PORTAL_POOL_SEED_KEY_FILE`` can supply it instead (replicas share one key). A key is created only
when the caller says the store is empty: a new key over existing sealed seeds would make every
enrolled user's code fail, so a missing key there is an error (see ``key_binding``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mfa_portal.pool.keyfiles import KeyMaterial, create_secret_file, find_key
from mfa_portal.sqlite import StartupError

_PREFIX = "v1:"
ENV_SEED_KEY = "MFA_PORTAL_POOL_SEED_KEY"
KEY_FILE = "seed.key"
RESTORE_HINT = (
    f"restore {KEY_FILE} from a backup, or set {ENV_SEED_KEY} or {ENV_SEED_KEY}_FILE "
    "to this deployment's key"
)


class SecretBox:
    """AES-256-GCM with a random 96-bit nonce per value; the user id is bound in as associated data."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("seed key must be 32 bytes")
        self._aead = AESGCM(key)
        self._mac_key = hmac.new(key, b"mfa-portal digest v1", hashlib.sha256).digest()

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> SecretBox:
        """The data directory's key, created if absent (for a store known to be empty)."""
        return cls.load(data_dir, may_create=True)[0]

    @classmethod
    def load(
        cls, data_dir: Path, env: Mapping[str, str] | None = None, *, may_create: bool
    ) -> tuple[SecretBox, str]:
        """The key and where it came from; ``StartupError`` when it is missing or damaged."""
        env = os.environ if env is None else env
        path = data_dir / KEY_FILE
        found = find_key(ENV_SEED_KEY, path, env)
        if found is None:
            if not may_create:
                raise StartupError(
                    f"{path} is missing but the pool database holds data sealed with it: "
                    f"{RESTORE_HINT}"
                )
            _create_key_file(path)
            found = find_key(ENV_SEED_KEY, path, env)
            assert found is not None  # just created (or a concurrent first start's)
        return cls(_decode(found)), found.source

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


def _decode(found: KeyMaterial) -> bytes:
    text = found.data.strip()
    if not text:
        raise StartupError(f"{found.source} is empty: {RESTORE_HINT}")
    try:
        key = base64.urlsafe_b64decode(text)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise StartupError(
            f"{found.source} is not a seed key (32 bytes in urlsafe base64): {RESTORE_HINT}"
        )
    return key


def _create_key_file(path: Path) -> None:
    """A new random key at ``path``, unless a concurrent first start already wrote one (then keep it)."""
    create_secret_file(path, base64.urlsafe_b64encode(os.urandom(32)))
