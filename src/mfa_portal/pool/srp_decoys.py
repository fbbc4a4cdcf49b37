"""What USER_SRP_AUTH shows for a name that is no user: what it would show for a user, every time.

A real user's SALT is the same on every start, and the name they typed comes back as their
username (``USER_ID_FOR_SRP``). So an unknown name's salt, its verifier and that id are derived
from the name with a keyed hash (the seed key's digest, which never leaves the server) instead of
drawn at random: repeated starts give the same values, and nobody without the key can tell them
from a user's.

The decoy verifier is ``c² mod N`` for a keyed ``c``: one multiplication, where a user's ``g^x`` is
read from the database. ``N`` is a safe prime with ``N ≡ 7 (mod 8)``, so ``g = 2`` generates exactly
the squares mod N, and ``c²`` is spread over the same values as ``g^x``; a start therefore does one
big exponentiation (the challenge's ``g^b``) for a name as for a user.
"""

from __future__ import annotations

import re

from mfa_portal.cognito_api import errors
from mfa_portal.cognito_api.srp import N, pad_hex
from mfa_portal.pool import attributes, srp
from mfa_portal.pool.context import Context
from mfa_portal.pool.ids import uuid4_text
from mfa_portal.pool.pools import Pool

_DIGEST_BITS = 256
_VERIFIER_DIGESTS = (N.bit_length() + 64) // _DIGEST_BITS + 1  # 64 bits past N: no visible bias
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _key(pool: Pool, name: str) -> str:
    """``name`` as the lookup compares it: folded in a case-insensitive pool, and an email always
    (an email alias matches in any case, so its case variants must share one decoy)."""
    folds_email = "email" in pool.alias_attributes or "email" in pool.username_attributes
    if not pool.case_sensitive or (folds_email and attributes.is_email(name)):
        return name.lower()
    return name


def _digest(ctx: Context, pool: Pool, name: str, purpose: str) -> str:
    return ctx.engine.seal.digest(_key(pool, name), f"srp-decoy-{purpose}:{pool.id}")


def verifier(ctx: Context, pool: Pool, name: str) -> srp.Verifier:
    """The same salt and v for ``name`` on every start, shaped like a user's, matched by no password."""
    salt = bytes.fromhex(_digest(ctx, pool, name, "salt"))[: srp.SALT_BYTES]
    text = "".join(_digest(ctx, pool, name, f"v{i}") for i in range(_VERIFIER_DIGESTS))
    c = int(text, 16) % N
    return srp.Verifier(pad_hex(int.from_bytes(salt, "big")), c * c % N or 4)


def user_id_for_srp(ctx: Context, pool: Pool, name: str) -> str:
    """What a user would get back as ``USER_ID_FOR_SRP`` for the name typed: a username the pool
    generated (a UUID) where ``name`` cannot be a username itself (an email or phone number in a
    pool that signs in or aliases with it), the name otherwise."""
    if _UUID.fullmatch(name):  # a sub, or a generated username: a user would get it back
        return pool.username_key(name)
    try:
        could_be_username = attributes.check_username(pool, name) is None
    except errors.InvalidParameterException:
        could_be_username = False
    if could_be_username:
        return name
    return uuid4_text(bytes.fromhex(_digest(ctx, pool, name, "user"))[:16])
