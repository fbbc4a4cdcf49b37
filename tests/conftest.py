"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from tests.support.shapes import assert_output_shape

pytest_plugins = [
    "tests.support.backends",
    "tests.support.wire",
    "tests.support.portal",
    "tests.support.support_desk",
    "tests.support.postgres",
]


@pytest.fixture(autouse=True)
def _reuse_rsa_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the ~0.2 s of RSA generation per Engine (see tests/support/keys.py)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from tests.support.keys import cached_generate_private_key

    monkeypatch.setattr(rsa, "generate_private_key", cached_generate_private_key)


@pytest.fixture(autouse=True)
def _restore_portal_logging() -> Iterator[None]:
    """A command run in-process (``serve``, ``pool serve``) sets up the ``mfa_portal`` log; undo it
    so later tests' captured stderr stays theirs."""
    import logging

    root = logging.getLogger("mfa_portal")
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def clock() -> FakeClock:
    """A clock at a fixed instant, in the middle of a 30-second TOTP step."""
    return FakeClock(1_800_000_015.0)


@pytest.fixture
def engine(tmp_path: Path, clock: FakeClock, database_url: str | None) -> Iterator[Engine]:
    """An embedded pool engine on a fresh data directory, with a fake clock.

    Tests use cheaper argon2 parameters than production (still argon2id) to keep the suite fast.
    """
    eng = Engine(
        tmp_path / "pool",
        clock=clock,
        hasher=PasswordHasher(memory_kib=1024, time_cost=1),
        database_url=database_url,
    )
    real_call = eng.call

    def checked_call(operation: str, params: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Every response a unit test sees must parse as botocore's output shape."""
        response = real_call(operation, params, **kwargs)
        assert_output_shape(operation, response)
        return response

    eng.call = checked_call  # type: ignore[method-assign]
    yield eng
    eng.db.close_all()
