"""Single-use recovery codes (lookup secrets): ten per set, 80 bits each, argon2id-hashed.

NIST 800-63B 5.1.2.2 / ASVS 2.6: single use, from a CSPRNG, salted and hashed at rest. A code is
16 base32 characters shown as four groups. Using one is a compare-and-set on its row, so when two
requests race on one code exactly one wins. Issuing a new set deletes the old one in the same
transaction. Codes are keyed by the user's ``sub``, which a re-created username does not inherit.
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from collections.abc import Callable

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from mfa_portal.admin.store import PortalStore

CODES_PER_SET = 10
CODE_BYTES = 10  # 80 bits -> 16 base32 characters
_CONFUSABLE = str.maketrans({"0": "O", "1": "I", "8": "B"})


def default_hasher() -> PasswordHasher:
    """OWASP argon2id parameters: 19 MiB, t=2, p=1."""
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)


def generate_code(token_bytes: Callable[[int], bytes] = secrets.token_bytes) -> str:
    raw = base64.b32encode(token_bytes(CODE_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise(code: str) -> str:
    """Upper-case, drop spaces and dashes, and read 0/1/8 as the base32 letters O/I/B."""
    return "".join(ch for ch in code.upper() if ch.isalnum()).translate(_CONFUSABLE)


def as_text_file(username: str, codes: list[str]) -> str:
    lines = [
        f"Recovery codes for {username}",
        "Each code works once. Keep them somewhere safe, away from your phone.",
        "",
        *codes,
        "",
    ]
    return "\n".join(lines)


class RecoveryCodes:
    def __init__(
        self,
        store: PortalStore,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], float] = time.time,
        token_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        self._store = store
        self._hasher = hasher or default_hasher()
        self._clock = clock
        self._token_bytes = token_bytes

    def issue(self, pool_id: str, user_sub: str) -> list[str]:
        """A fresh set of codes (returned once, in clear); the previous set stops working."""
        codes = [generate_code(self._token_bytes) for _ in range(CODES_PER_SET)]
        hashes = [self._hasher.hash(normalise(code)) for code in codes]
        set_id = uuid.uuid4().hex
        now = self._clock()
        with self._store.transaction() as conn:
            conn.execute(
                "DELETE FROM recovery_codes WHERE pool_id = ? AND user_sub = ?", (pool_id, user_sub)
            )
            conn.executemany(
                "INSERT INTO recovery_codes (pool_id, user_sub, set_id, code_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [(pool_id, user_sub, set_id, h, now) for h in hashes],
            )
        return codes

    def remaining(self, pool_id: str, user_sub: str) -> int:
        with self._store.read() as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM recovery_codes"
                " WHERE pool_id = ? AND user_sub = ? AND used_at IS NULL",
                (pool_id, user_sub),
            ).fetchone()
        return int(row[0])

    def consume(self, pool_id: str, user_sub: str, code: str) -> bool:
        """True when ``code`` is one of the user's unused codes, which is now spent."""
        wanted = normalise(code)
        if len(wanted) != 16:
            return False
        with self._store.read() as conn:
            rows = conn.execute(
                "SELECT id, code_hash FROM recovery_codes"
                " WHERE pool_id = ? AND user_sub = ? AND used_at IS NULL",
                (pool_id, user_sub),
            ).fetchall()
        for row in rows:
            if self._matches(row["code_hash"], wanted):
                with self._store.transaction() as conn:
                    cur = conn.execute(
                        "UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
                        (self._clock(), row["id"]),
                    )
                return cur.rowcount == 1
        return False

    def void(self, pool_id: str, user_sub: str) -> int:
        with self._store.transaction() as conn:
            cur = conn.execute(
                "DELETE FROM recovery_codes WHERE pool_id = ? AND user_sub = ?", (pool_id, user_sub)
            )
        return cur.rowcount

    def _matches(self, stored: str, code: str) -> bool:
        try:
            return self._hasher.verify(stored, code)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
