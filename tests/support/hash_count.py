"""Count the argon2 hashes a pool makes: the proof that a refused request bought none."""

from __future__ import annotations

import pytest

from mfa_portal.pool.passwords import PasswordHasher


def counted_hashes(hasher: PasswordHasher, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, every password ``hasher.hash`` is asked for, in order (it still hashes)."""
    hashed: list[str] = []
    real_hash = hasher.hash

    def counting(password: str) -> str:
        hashed.append(password)
        return real_hash(password)

    monkeypatch.setattr(hasher, "hash", counting)
    return hashed
