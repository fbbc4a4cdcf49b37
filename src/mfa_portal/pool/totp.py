"""The TOTP factor (RFC 6238): sealed per-user secrets, a ±1-step window and a replay guard.

Cognito's parameters (spec §5): HMAC-SHA1, 6 digits, 30-second steps, codes accepted from T-1 to
T+1. Secrets are 160 random bits (RFC 4226 R6), shown once as 32 base32 characters and stored only
sealed with the user id bound in, so a copied database reveals no seed.

Replay (RFC 6238 §5.2, ASVS 2.8.4): ``software_tokens.last_step`` is the highest step ever accepted
for the user, shared by the verified and the pending secret. A code is accepted only by moving it
forward with a compare-and-set whose row count decides the race, so a step once accepted — at
enrolment or at sign-in — is never accepted again, and of two requests racing with one code exactly
one wins.
"""

from __future__ import annotations

import base64
import enum
import hmac
import logging
from typing import NamedTuple

import pyotp

from mfa_portal.pool.context import Context
from mfa_portal.pool.users import User
from mfa_portal.security_events import emit
from mfa_portal.storage import Connection, Row

NAME = "SOFTWARE_TOKEN_MFA"
DIGITS = 6
PERIOD = 30
WINDOW = 1  # steps accepted either side of the current one
SECRET_BYTES = 20

log = logging.getLogger("mfa_portal.pool.totp")


class Verdict(enum.Enum):
    """Why a code was or was not accepted; ``NO_TOKEN`` means "not mine", distinct from "wrong"."""

    ACCEPTED = "accepted"
    WRONG = "wrong code"
    REPLAYED = "replayed code (time step already used)"
    NO_TOKEN = "no software token"


def new_secret(ctx: Context) -> str:
    """A fresh shared secret: 20 bytes from the injected CSPRNG as 32 base32 characters."""
    return base64.b32encode(ctx.random_bytes(SECRET_BYTES)).decode("ascii")


def step_at(now: float) -> int:
    return int(now // PERIOD)


def code_at(secret: str, step: int) -> str:
    """The code an authenticator shows for ``secret`` during time step ``step``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).generate_otp(step)


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The highest step in the window whose code equals ``code``, compared in constant time."""
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    current = step_at(now)
    found: int | None = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            found = step
    return found


def consume_step(conn: Connection, user_id: int, step: int) -> bool:
    """Mark ``step`` used for the user; False when it (or a later one) already was."""
    cur = conn.execute(
        "UPDATE software_tokens SET last_step = ? WHERE user_id = ? AND last_step < ?",
        (step, user_id, step),
    )
    return cur.rowcount == 1


def _context(user_id: int) -> str:
    return f"totp:{user_id}"


def _row(conn: Connection, user_id: int) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT * FROM software_tokens WHERE user_id = ?", (user_id,)
    ).fetchone()
    return row


def _check(ctx: Context, conn: Connection, user: User, sealed: str | None, code: str) -> Verdict:
    if sealed is None:
        return Verdict.NO_TOKEN
    secret = ctx.engine.seal.open(sealed, context=_context(user.id))
    step = matching_step(secret, code, ctx.now)
    if step is None:
        return Verdict.WRONG
    return Verdict.ACCEPTED if consume_step(conn, user.id, step) else Verdict.REPLAYED


def _log(ctx: Context, purpose: str, user: User, verdict: Verdict) -> None:
    """Both addresses (``ctx.addresses``) as every other security event: the address a caller
    claims in UserContextData is only its word, so the real sender is kept beside it."""
    log.info("TOTP %s for user %s in %s: %s", purpose, user.sub, user.pool_id, verdict.value)
    if verdict is Verdict.REPLAYED:  # ASVS 2.8.5: a re-used TOTP is logged and rejected
        emit("totp.replayed", logging.WARNING, user=user.username, pool=user.pool_id,
             **ctx.addresses(), purpose=purpose, outcome="failure", reason=verdict.value)  # fmt: skip
    elif verdict is Verdict.WRONG:
        emit("totp.mismatch", user=user.username, pool=user.pool_id, **ctx.addresses(),
             purpose=purpose, outcome="failure", reason=verdict.value)  # fmt: skip


def check_signin_code(ctx: Context, conn: Connection, user: User, code: str) -> Verdict:
    """Check a SOFTWARE_TOKEN_MFA answer against the verified secret; consume its step if right."""
    row = _row(conn, user.id)
    verdict = _check(ctx, conn, user, None if row is None else row["secret"], code)
    _log(ctx, "sign-in", user, verdict)
    return verdict


def verify_signin_code(ctx: Context, conn: Connection, user: User, code: str) -> bool:
    """True when ``code`` is right and its step was unused (now consumed); False otherwise."""
    return check_signin_code(ctx, conn, user, code) is Verdict.ACCEPTED


def start_association(ctx: Context, conn: Connection, user_id: int) -> str:
    """Store a new pending secret (replacing any earlier one); return it, shown this once only."""
    secret = new_secret(ctx)
    sealed = ctx.engine.seal.seal(secret, context=_context(user_id))
    conn.execute(
        "INSERT INTO software_tokens (user_id, pending_secret, pending_created) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET pending_secret = excluded.pending_secret, "
        "pending_created = excluded.pending_created",
        (user_id, sealed, ctx.now),
    )
    return secret


def verify_association(
    ctx: Context, conn: Connection, user: User, code: str, device_name: str | None
) -> Verdict:
    """Check ``code`` against the pending secret; on success it replaces the verified one."""
    row = _row(conn, user.id)
    verdict = _check(ctx, conn, user, None if row is None else row["pending_secret"], code)
    if verdict is Verdict.ACCEPTED:
        conn.execute(
            "UPDATE software_tokens SET secret = pending_secret, pending_secret = NULL, "
            "pending_created = NULL, verified_at = ?, friendly_name = ? WHERE user_id = ?",
            (ctx.now, device_name, user.id),
        )
    _log(ctx, "enrolment", user, verdict)
    return verdict


class Association(NamedTuple):
    verified: bool  # a verified token: SOFTWARE_TOKEN_MFA can be asked for
    pending: bool  # an association started and not yet verified (spec §3.3)


def association(conn: Connection, user_id: int) -> Association:
    """Both of the user's token states from one read (the sign-in decision needs both)."""
    row = _row(conn, user_id)
    if row is None:
        return Association(False, False)
    return Association(row["secret"] is not None, row["pending_secret"] is not None)


def has_verified_token(conn: Connection, user_id: int) -> bool:
    return association(conn, user_id).verified


def pending_since(conn: Connection, user_id: int) -> float | None:
    """When the pending association was started, or None when there is none."""
    row = _row(conn, user_id)
    if row is None or row["pending_secret"] is None:
        return None
    return float(row["pending_created"])


def drop_pending(conn: Connection, user_id: int) -> None:
    """Forget an unverified association; the verified secret, if any, stays."""
    conn.execute(
        "UPDATE software_tokens SET pending_secret = NULL, pending_created = NULL WHERE user_id = ?",
        (user_id,),
    )


def friendly_name(conn: Connection, user_id: int) -> str | None:
    """The FriendlyDeviceName given at verification (Cognito's FRIENDLY_DEVICE_NAME)."""
    row = _row(conn, user_id)
    if row is None or row["secret"] is None:
        return None
    name: str | None = row["friendly_name"]
    return name


def delete_token(conn: Connection, user_id: int) -> bool:
    """Forget the verified and pending secrets; False when there was neither.

    ``last_step`` stays: the replay guard is per user and never moves back, so no step already
    accepted becomes usable again after a reset and re-enrolment.
    """
    cur = conn.execute(
        "UPDATE software_tokens SET secret = NULL, pending_secret = NULL, pending_created = NULL, "
        "verified_at = NULL, friendly_name = NULL "
        "WHERE user_id = ? AND (secret IS NOT NULL OR pending_secret IS NOT NULL)",
        (user_id,),
    )
    return cur.rowcount == 1
