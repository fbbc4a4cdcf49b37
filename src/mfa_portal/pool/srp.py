"""Cognito's SRP, the pool's side: the verifier, the challenge and the check of the password claim.

The shared math (the group, padding, the key derivation, the claim) is the seam's
(``mfa_portal.cognito_api.srp``). The verifier ``v = g^x`` is a password equivalent for offline
guessing: callers keep it sealed at rest (``srp_store``).
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass

from mfa_portal.cognito_api.srp import (
    G,
    K,
    N,
    claim_signature,
    derive_key,
    modpow,
    pad_hex,
    password_x,
    scramble,
)

SALT_BYTES = 16
SECRET_BYTES = 32  # the server's ephemeral b: 256 bits
# A is below N: 768 hex digits for the 3072-bit group, plus one byte of "00" for SDKs that send it
# in the padded form they hash. Anything longer is no A, and would not fit the sealed block.
MAX_A_DIGITS = len(format(N, "x")) + 2
_HEX = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True)
class Verifier:
    """What the pool keeps instead of a password for SRP: the salt (hex, as sent) and v."""

    salt: str
    v: int

    def dump(self) -> str:
        return f"{self.salt}:{format(self.v, 'x')}"

    @classmethod
    def load(cls, text: str) -> Verifier:
        salt, v = text.split(":", 1)
        return cls(salt, int(v, 16))


def make_verifier(pool_id: str, user_id: str, password: str, salt: bytes) -> Verifier:
    """The verifier for ``user_id`` (Cognito's ``USER_ID_FOR_SRP``) and ``password`` in ``pool_id``."""
    salt_hex = pad_hex(int.from_bytes(salt, "big"))
    return Verifier(salt_hex, modpow(G, password_x(pool_id, user_id, password, salt_hex)))


@dataclass(frozen=True)
class ServerChallenge:
    """The server's ephemeral secret b and public B for one PASSWORD_VERIFIER challenge."""

    b: int
    big_b: int


def server_challenge(verifier: Verifier, secret: bytes) -> ServerChallenge:
    """``B = k·v + g^b mod N`` from ``secret`` (random bytes; b must never be 0 mod N)."""
    b = int.from_bytes(secret, "big") % N
    if b == 0:
        raise ValueError("b must not be zero")
    big_b = (K * verifier.v + modpow(G, b)) % N
    if big_b == 0:
        raise ValueError("B must not be zero")
    return ServerChallenge(b, big_b)


@dataclass(frozen=True)
class PreparedKey:
    """A session key computed before the answer's transaction, and what it was computed from: the
    transaction uses it only if those are unchanged."""

    inputs: tuple[str, ...]
    key: bytes


class BadClientValue(ValueError):
    """``SRP_A`` is not a usable public value (zero mod N, too long, or not hex)."""


def parse_a(srp_a: str) -> int:
    """The client's A: hex digits only (``int`` would also take a sign, ``0x``, blanks and ``_``),
    no longer than the group allows; refusing A ≡ 0 (mod N), which would make the shared key
    predictable."""
    if len(srp_a) > MAX_A_DIGITS or not _HEX.fullmatch(srp_a):
        raise BadClientValue("SRP_A is not a hexadecimal number of the group's size")
    big_a = int(srp_a, 16)
    if big_a % N == 0:
        raise BadClientValue("SRP_A must not be zero modulo N")
    return big_a


def session_key(big_a: int, challenge: ServerChallenge, verifier: Verifier) -> bytes:
    """The 16-byte key both sides derive, with S = (A·v^u)^b mod N on this side."""
    u = scramble(big_a, challenge.big_b)
    if u == 0:
        raise BadClientValue("u must not be zero")
    return derive_key(modpow(big_a * modpow(verifier.v, u), challenge.b), u)


def claim_matches(
    key: bytes, pool_id: str, user_id: str, secret_block: bytes, timestamp: str, signature: str
) -> bool:
    """Constant-time check of the client's base64 ``PASSWORD_CLAIM_SIGNATURE``."""
    try:
        sent = base64.b64decode(signature, validate=True)
    except ValueError:
        return False
    expected = claim_signature(key, pool_id, user_id, secret_block, timestamp)
    return hmac.compare_digest(expected, sent)
