"""SRP's ``SECRET_BLOCK``: the server's half of a PASSWORD_VERIFIER challenge, sealed and handed to
the client, so that starting an SRP sign-in writes nothing.

An SRP start needs no credential but a client id and a name, and costs the server an exponentiation.
Storing its state as well (the client's A, the server's secret b and its B, about 2 KB) would let
anyone who knows one username fill the database at the rate they can post starts. So the state
travels in the block the SDKs send back anyway: sealed with the pool's seed key (AES-GCM, bound to
the pool), padded to one length, with the app client and an expiry inside.

A block is good for one answer: the answer's transaction records its digest in ``srp_spent`` (pool
schema 10), whose primary key decides a race between two answers (exactly one is judged), and the
record outlives the block's expiry. A name that is no user gets a block of the same length that
carries the name instead (a decoy), with its own challenge's values, so the second step can count the
failure against it and do the same work as for a user; a decoy is answered once and expires too, so
replaying an answer is refused alike for a user and for a name.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag

from mfa_portal.pool.context import Context
from mfa_portal.pool.purge import purge_expired
from mfa_portal.storage import Connection

KEEP_AFTER_EXPIRY = 3600.0  # seconds an answered block stays recorded after it expired
# Every block's sealed text is padded to this, a user's and a decoy's alike: room for A (at most
# 770 hex digits), B (768), b (64), the rest (about 110) and a decoy's name of 128 characters even
# when each is escaped to six in JSON.
PLAIN_CHARACTERS = 2560
_USER, _DECOY = "user", "decoy"


@dataclass(frozen=True)
class Challenge:
    """What a user's block carries: whose challenge, for which client, until when, and the values
    the session key is computed from (``ready``: the user had a verifier, not a decoy's)."""

    user_id: int
    client_id: str
    expires_at: float
    big_a: str
    big_b: str
    b: str
    ready: bool

    def key_data(self) -> dict[str, Any]:
        return {"A": self.big_a, "B": self.big_b, "b": self.b, "ready": self.ready}


@dataclass(frozen=True)
class Decoy:
    """What a decoy block carries: the name (None when too long to carry), the app client and the
    expiry, so that it is answered once and expires exactly like a user's, and the challenge's
    values, so that the answer's session key can be computed as for a user."""

    name: str | None
    client_id: str
    expires_at: float
    big_a: str
    big_b: str
    b: str

    def key_data(self) -> dict[str, Any]:
        return {"A": self.big_a, "B": self.big_b, "b": self.b, "ready": False}


def digest(block: str) -> str:
    return hashlib.sha256(block.encode()).hexdigest()


def _context(pool_id: str) -> str:
    return f"srp-block:{pool_id}"


def _seal(ctx: Context, pool_id: str, fields: dict[str, Any]) -> str | None:
    text = json.dumps(fields, separators=(",", ":"))
    if len(text) > PLAIN_CHARACTERS:
        return None
    sealed = ctx.engine.seal.seal(text.ljust(PLAIN_CHARACTERS), context=_context(pool_id))
    # Standard base64 of the sealed text: the SDKs decode the block as base64 to sign it.
    return base64.b64encode(sealed.encode()).decode()


def _open(ctx: Context, pool_id: str, block: str) -> dict[str, Any] | None:
    try:
        sealed = base64.b64decode(block, validate=True).decode("ascii")
        fields = json.loads(ctx.engine.seal.open(sealed, context=_context(pool_id)))
    except (ValueError, UnicodeDecodeError, InvalidTag):  # forged, damaged, another pool's
        return None
    return fields if isinstance(fields, dict) else None


def user_block(ctx: Context, pool_id: str, challenge: Challenge) -> str:
    fields = {"k": _USER, "u": challenge.user_id, "c": challenge.client_id}
    fields |= {"e": challenge.expires_at, "A": challenge.big_a, "B": challenge.big_b}
    fields |= {"b": challenge.b, "r": challenge.ready}
    sealed = _seal(ctx, pool_id, fields)
    if sealed is None:  # cannot happen: A and B are bounded by the group's size
        raise ValueError("an SRP challenge does not fit its block")
    return sealed


def decoy_block(ctx: Context, pool_id: str, decoy: Decoy) -> str:
    """A block for a name that is no user, as long as a user's. A name too long to carry is left
    out (nothing to count it by)."""
    fields = {"k": _DECOY, "c": decoy.client_id, "e": decoy.expires_at}
    fields |= {"A": decoy.big_a, "B": decoy.big_b, "b": decoy.b}
    sealed = _seal(ctx, pool_id, {**fields, "n": decoy.name})
    if sealed is None:
        sealed = _seal(ctx, pool_id, fields)
    assert sealed is not None
    return sealed


def opened(ctx: Context, pool_id: str, block: str) -> Challenge | Decoy | None:
    """What ``block`` carries, a user's challenge or a decoy, from one decryption; None for a
    forgery or another pool's."""
    fields = _open(ctx, pool_id, block)
    if fields is None:
        return None
    return _challenge(fields) if fields.get("k") == _USER else _decoy(fields)


def challenge_of(ctx: Context, pool_id: str, block: str) -> Challenge | None:
    """The user's challenge ``block`` carries; None for a decoy, a forgery, another pool's."""
    fields = _open(ctx, pool_id, block)
    return None if fields is None else _challenge(fields)


def _challenge(fields: dict[str, Any]) -> Challenge | None:
    if fields.get("k") != _USER:
        return None
    try:
        return Challenge(
            int(fields["u"]),
            str(fields["c"]),
            float(fields["e"]),
            str(fields["A"]),
            str(fields["B"]),
            str(fields["b"]),
            bool(fields["r"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def decoy_of(ctx: Context, pool_id: str, block: str) -> Decoy | None:
    """The decoy ``block`` carries; None for a user's block, a forgery, another pool's."""
    fields = _open(ctx, pool_id, block)
    return None if fields is None else _decoy(fields)


def _decoy(fields: dict[str, Any]) -> Decoy | None:
    if fields.get("k") != _DECOY:
        return None
    name = fields.get("n")
    try:
        return Decoy(
            name if isinstance(name, str) else None,
            str(fields["c"]),
            float(fields["e"]),
            str(fields.get("A", "")),  # a block made before decoys carried their challenge
            str(fields.get("B", "")),
            str(fields.get("b", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None


def is_spent(conn: Connection, block: str) -> bool:
    row = conn.execute("SELECT 1 FROM srp_spent WHERE id_hash = ?", (digest(block),)).fetchone()
    return row is not None


def spend(ctx: Context, conn: Connection, block: str, expires_at: float) -> bool:
    """Record ``block`` as answered; False when another answer recorded it first."""
    won = conn.execute(
        "INSERT INTO srp_spent (id_hash, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (digest(block), expires_at),
    ).rowcount
    # An expired block is refused anyway; the hour's margin covers replicas whose clocks differ.
    purge_expired(conn, "srp_spent", "id_hash", ctx.now - KEEP_AFTER_EXPIRY)
    return bool(won == 1)
