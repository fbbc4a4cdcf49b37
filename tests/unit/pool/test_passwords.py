"""argon2 runs on the caller's thread, at most one hash per core at a time, same cost for nobody."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from mfa_portal.pool.passwords import PasswordHasher
from tests.support.race import Overlap


class Argon:
    """Stands in for argon2-cffi's hasher (whose methods cannot be patched)."""

    def __init__(self, verify: Callable[[str, str], bool]) -> None:
        self.verify = verify


def test_no_more_hashes_at_once_than_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher(memory_kib=1024, time_cost=1)
    stored = hasher.hash("Correct-horse-1")
    overlap = Overlap()

    def slow_verify(hash_: str, password: str) -> bool:
        with overlap.inside():
            time.sleep(0.05)
        return True

    monkeypatch.setattr(hasher, "_argon", Argon(slow_verify))
    cores = os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=cores * 4) as pool:
        results = list(pool.map(lambda _: hasher.verify(stored, "x"), range(cores * 8)))
    assert all(results)
    assert overlap.most <= cores


def test_an_unknown_user_costs_a_verification_too(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher(memory_kib=1024, time_cost=1)
    seen: list[str] = []
    real = hasher._argon.verify

    def counting(hash_: str, password: str) -> bool:
        seen.append(hash_)
        return bool(real(hash_, password))

    monkeypatch.setattr(hasher, "_argon", Argon(counting))
    assert hasher.verify(None, "dummy-password-for-timing") is False  # even the dummy's password
    assert len(seen) == 1 and seen[0].startswith("$argon2id$")
