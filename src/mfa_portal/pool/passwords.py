"""Password hashing (argon2id, OWASP parameters) and the pool's password policy.

Hashing runs in ``HASH_SLOTS`` (see ``hash_slots``): right on a password-call thread, which runs
a whole call that hashes, otherwise on one of the process's hashing threads while the caller waits.
argon2-cffi releases the GIL, so one process hashes on every core. At most one hash per core runs at
a time: more would not finish sooner, and each holds 19 MiB, so forty waiting sign-ins do not cost
760 MiB.
"""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from mfa_portal.pool.hash_slots import HashSlots, process_cores

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, t=2, p=1.
MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1
HASH_SLOTS = HashSlots(process_cores())  # joined to the machine's slots by a --workers worker


class PasswordHasher:
    """argon2id hashing; a dummy hash is verified for unknown users to even out timing."""

    def __init__(self, memory_kib: int = MEMORY_KIB, time_cost: int = TIME_COST) -> None:
        self._argon = _Argon2(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=PARALLELISM, type=Type.ID
        )
        self._dummy = self._argon.hash("dummy-password-for-timing")

    def hash(self, password: str) -> str:
        return HASH_SLOTS.run(self._argon.hash, password)

    def verify(self, stored: str | None, password: str) -> bool:
        """True when ``password`` matches; with no stored hash, spend the same time and say False."""
        try:
            matched = HASH_SLOTS.run(self._argon.verify, stored or self._dummy, password)
            return matched and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
