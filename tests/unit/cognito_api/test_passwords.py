"""The one temporary-password generator: whatever the random bytes, Cognito's default policy
accepts the result, so a user is never handed a password the pool would refuse."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfa_portal.cognito_api.passwords import temporary_password
from mfa_portal.pool.password_policy import enforce_policy
from mfa_portal.pool.pools import Pool

DEFAULT_POLICY_POOL = Pool("us-east-1_Default01", "default", {}, {}, 0, 0)


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**64), length=st.integers(min_value=0, max_value=64)
)
def test_every_password_satisfies_the_default_policy(seed: int, length: int) -> None:
    password = temporary_password(random.Random(seed).randbytes, length=length)
    enforce_policy(DEFAULT_POLICY_POOL, password)  # raises InvalidPasswordException otherwise
    assert len(password) == max(length, 8)
    assert password == password.strip() and " " not in password


def test_bytes_the_picker_must_reject_still_give_a_valid_password() -> None:
    """Mostly 0xff (rejected by every alphabet's rejection sampling), then usable bytes."""
    stream = iter([0xFF] * 500 + list(range(256)) * 10)
    password = temporary_password(lambda n: bytes(next(stream) for _ in range(n)), length=12)
    enforce_policy(DEFAULT_POLICY_POOL, password)


@pytest.mark.parametrize("length", [16, 20])
def test_the_system_csprng_by_default(length: int) -> None:
    seen = {temporary_password(length=length) for _ in range(50)}
    assert len(seen) == 50
    for password in seen:
        enforce_policy(DEFAULT_POLICY_POOL, password)
        assert len(password) == length
