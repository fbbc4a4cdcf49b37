"""Cognito's SRP-6a variant, server side: the verifier, the challenge and the password claim check.

What every Cognito SDK (amazon-cognito-identity-js, Amplify, pycognito, warrant-lite, the mobile SDKs)
implements for ``USER_SRP_AUTH``: the 3072-bit group of RFC 5054 with g = 2, SHA-256,
``k = H(N | g)``, ``x = H(salt | H(<pool name> <user> ":" <password>))`` where the pool name is the
part of the pool id after ``_``, ``u = H(A | B)``, and a 16-byte key from HKDF-SHA256 over S with u as
salt and the info string ``Caldera Derived Key``. The client proves the password by an HMAC of
``<pool name> <user> <secret block> <timestamp>`` under that key; the server never sees the password.

Every number is hashed in Cognito's padded hex form (``pad_hex``): even length, with a leading ``00``
when the high bit is set, so that it reads as a positive number. The verifier ``v = g^x`` is a
password equivalent for offline guessing: callers keep it sealed at rest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"
SALT_BYTES = 16
SECRET_BYTES = 32  # the server's ephemeral b: 256 bits, like the SDKs' own choice of size for a


def pad_hex(value: int) -> str:
    """Cognito's hex form of a non-negative number for hashing (see the module docstring)."""
    text = format(value, "x")
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def _hash_hex(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(_hash_hex(pad_hex(N) + pad_hex(G)), 16)


def pool_name(pool_id: str) -> str:
    """``us-east-1_AbCdEf123`` → ``AbCdEf123``: the part every SDK mixes into x and the claim."""
    return pool_id.split("_", 1)[1]


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
    inner = hashlib.sha256(f"{pool_name(pool_id)}{user_id}:{password}".encode()).hexdigest()
    x = int(_hash_hex(salt_hex + inner), 16)
    return Verifier(salt_hex, pow(G, x, N))


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
    big_b = (K * verifier.v + pow(G, b, N)) % N
    if big_b == 0:
        raise ValueError("B must not be zero")
    return ServerChallenge(b, big_b)


class BadClientValue(ValueError):
    """``SRP_A`` is not a usable public value (zero mod N, or not hex)."""


def parse_a(srp_a: str) -> int:
    """The client's A; refusing A ≡ 0 (mod N), which would make the shared key predictable."""
    try:
        big_a = int(srp_a, 16)
    except ValueError:
        raise BadClientValue("SRP_A is not a hexadecimal number") from None
    if big_a % N == 0:
        raise BadClientValue("SRP_A must not be zero modulo N")
    return big_a


def session_key(big_a: int, challenge: ServerChallenge, verifier: Verifier) -> bytes:
    """The 16-byte key both sides derive: HKDF(S, salt=u) with S = (A·v^u)^b mod N."""
    u = int(_hash_hex(pad_hex(big_a) + pad_hex(challenge.big_b)), 16)
    if u == 0:
        raise BadClientValue("u must not be zero")
    s = pow(big_a * pow(verifier.v, u, N), challenge.b, N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def claim_signature(
    key: bytes, pool_id: str, user_id: str, secret_block: bytes, timestamp: str
) -> bytes:
    """The HMAC a client sends as ``PASSWORD_CLAIM_SIGNATURE`` (base64-decoded)."""
    message = pool_name(pool_id).encode() + user_id.encode() + secret_block + timestamp.encode()
    return hmac.new(key, message, hashlib.sha256).digest()


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
