"""SRP verifiers at rest: computed whenever a password is set, sealed, bound to the user.

A verifier lets anyone who holds it guess the password offline as fast as SHA-256 allows, so it is
sealed with the pool's seed key (like TOTP seeds) and never leaves the server. Users whose password
was set before the pool knew SRP get theirs at their next password sign-in (the one moment the
pool sees the password again); until then USER_SRP_AUTH refuses them like a wrong password.
"""

from __future__ import annotations

from mfa_portal.pool import srp
from mfa_portal.pool.context import Context
from mfa_portal.storage import Connection


def _context(user_id: int) -> str:
    return f"srp-verifier:{user_id}"


def new_verifier(ctx: Context, *, pool_id: str, username: str, password: str) -> srp.Verifier:
    """The verifier for a password about to be set. A 3072-bit exponentiation (about 1 ms of a
    core): computed before the write transaction, so that no other writer waits for it."""
    return srp.make_verifier(pool_id, username, password, ctx.random_bytes(srp.SALT_BYTES))


def store_verifier(ctx: Context, conn: Connection, user_id: int, verifier: srp.Verifier) -> None:
    """Seal ``verifier`` to ``user_id`` and store it, in the caller's transaction."""
    sealed = ctx.engine.seal.seal(verifier.dump(), context=_context(user_id))
    conn.execute(
        "INSERT INTO srp_verifiers (user_id, verifier) VALUES (?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET verifier = excluded.verifier",
        (user_id, sealed),
    )


def save_verifier(
    ctx: Context,
    conn: Connection,
    *,
    user_id: int,
    pool_id: str,
    username: str,
    password: str,
) -> None:
    """Compute and store the verifier inside the caller's transaction: only where the name is
    settled there (a reset by alias, a user's first sign-in since SRP)."""
    verifier = new_verifier(ctx, pool_id=pool_id, username=username, password=password)
    store_verifier(ctx, conn, user_id, verifier)


def load_verifier(ctx: Context, conn: Connection, user_id: int) -> srp.Verifier | None:
    row = conn.execute(
        "SELECT verifier FROM srp_verifiers WHERE user_id = ?", (user_id,)
    ).fetchone()
    if row is None:
        return None
    return srp.Verifier.load(ctx.engine.seal.open(row["verifier"], context=_context(user_id)))


def has_verifier(conn: Connection, user_id: int) -> bool:
    row = conn.execute("SELECT 1 FROM srp_verifiers WHERE user_id = ?", (user_id,)).fetchone()
    return row is not None
