"""Verified JWTs kept per process, so a token seen before is not parsed and RSA-checked again.

An entry maps the exact token string to the claims its signature vouched for; nothing about a token
can change without changing the string, so a hit is as good as a fresh verification. Only the
signature and structure are cached: ``exp`` is compared with the caller's ``now`` on every hit, and
everything server-side (a revoked family, a global sign-out, a disabled or deleted user) is checked
by the caller on every request, as before. Bounded (least recently used goes first) and never fed
by a failed verification, so forged tokens cost their sender and cannot fill it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

DEFAULT_SIZE = 4096  # about 2 KB per entry: a few MB for the busiest tokens


class VerifiedTokens:
    """``claims_of(use, token)`` → a copy of the cached claims, or None; ``keep`` adds one."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()  # engine calls run on worker threads

    def claims_of(self, use: str, token: str, now: float) -> dict[str, Any] | None:
        key = (use, token)
        with self._lock:
            claims = self._entries.get(key)
            if claims is None:
                return None
            if now >= claims["exp"]:
                del self._entries[key]  # expired: the caller verifies again and says so
                return None
            self._entries.move_to_end(key)
        return dict(claims)  # callers may not change what the next request sees

    def keep(self, use: str, token: str, claims: dict[str, Any]) -> None:
        with self._lock:
            self._entries[(use, token)] = dict(claims)
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
