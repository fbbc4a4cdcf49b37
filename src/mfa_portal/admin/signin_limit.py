"""The sign-in page's limit on failed password steps per client address (``storage.address_limit``),
counted in the portal store's ``signin_limits`` table (portal store migration 7)."""

from __future__ import annotations

import time
from collections.abc import Callable

from mfa_portal.admin.store import PortalStore
from mfa_portal.storage.address_limit import (
    MAX_FAILURES,
    WINDOW_SECONDS,
    AddressLimit,
    Admission,
    Reached,
    address_key,
)

__all__ = [
    "MAX_FAILURES",
    "WINDOW_SECONDS",
    "Admission",
    "Reached",
    "SignInLimit",
    "address_key",
]


class SignInLimit(AddressLimit):
    """Counters in the portal store's ``signin_limits`` table."""

    def __init__(
        self,
        store: PortalStore,
        clock: Callable[[], float] = time.time,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        super().__init__(store, "signin_limits", clock, max_failures, window_seconds)
