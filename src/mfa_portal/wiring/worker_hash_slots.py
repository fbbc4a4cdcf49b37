"""The machine's argon2 slots for one server's workers (``pool.hash_slots``): created by the serving
parent before its workers start, joined by each worker as it builds its app."""

from __future__ import annotations

from mfa_portal.pool import passwords
from mfa_portal.pool.hash_slots import machine_slots, process_cores

__all__ = ["join", "machine_slots", "process_cores"]


def join(name: str, workers: int) -> None:
    """Make this process's password hashing share the slots the parent created as ``name`` with
    the server's other workers (``workers`` in all)."""
    if not passwords.HASH_SLOTS.shared:
        passwords.HASH_SLOTS.join(name, workers)
