"""Cognito's SRP-6a variant: what the client and the pool share, and the client's side.

Every Cognito SDK (amazon-cognito-identity-js, Amplify, pycognito, warrant-lite, the mobile SDKs)
implements this for ``USER_SRP_AUTH``: the 3072-bit group of RFC 5054 with g = 2, SHA-256,
``k = H(N | g)``, ``x = H(salt | H(<pool name> <user> ":" <password>))`` where the pool name is the
part of the pool id after ``_``, ``u = H(A | B)``, and a 16-byte key from HKDF-SHA256 over S with u as
salt and the info string ``Caldera Derived Key``. The client proves the password with an HMAC of
``<pool name> <user> <secret block> <timestamp>`` under that key; the password never travels.

Every number is hashed in Cognito's padded hex form (``pad_hex``): even length, with a leading ``00``
when the high bit is set, so that it reads as a positive number. The portal signs in with
``SrpClient`` (so its app client need not allow USER_PASSWORD_AUTH); the pool's server side is
``mfa_portal.pool.srp``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import gmpy2

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
TIMESTAMP_FORMAT = "%a %b %d %H:%M:%S UTC %Y"  # "Tue Sep 5 07:08:09 UTC 2026" (day not padded)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def modpow(base: int, exponent: int) -> int:
    """``base^exponent mod N`` with GMP's constant-time ``mpz_powm_sec``.

    The exponents are secrets (the password's x, the ephemeral a and b), so their time must not
    depend on their bits, which ``pow`` does not promise. It is also about 5x faster than ``pow``
    (1 ms against 5.6 ms on the bench machine): the pool computes one for anyone who asks for an
    SRP challenge, and two more for each answer.
    """
    if exponent <= 0:
        raise ValueError("SRP exponents are positive")
    return int(gmpy2.powmod_sec(base % N, exponent, N))


def pad_hex(value: int) -> str:
    """Cognito's hex form of a non-negative number for hashing (see the module docstring)."""
    text = format(value, "x")
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def hash_hex(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(hash_hex(pad_hex(N) + pad_hex(G)), 16)


def pool_name(pool_id: str) -> str:
    """``us-east-1_AbCdEf123`` → ``AbCdEf123``: the part every SDK mixes into x and the claim."""
    return pool_id.split("_", 1)[1]


def password_x(pool_id: str, user_id: str, password: str, salt_hex: str) -> int:
    inner = hashlib.sha256(f"{pool_name(pool_id)}{user_id}:{password}".encode()).hexdigest()
    return int(hash_hex(pad_hex(int(salt_hex, 16)) + inner), 16)


def scramble(big_a: int, big_b: int) -> int:
    """u = H(A | B); zero would let either side skip the password."""
    return int(hash_hex(pad_hex(big_a) + pad_hex(big_b)), 16)


def derive_key(s: int, u: int) -> bytes:
    """HKDF-SHA256(ikm=S, salt=u, info="Caldera Derived Key"), 16 bytes."""
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def claim_signature(
    key: bytes, pool_id: str, user_id: str, secret_block: bytes, timestamp: str
) -> bytes:
    """The HMAC a client sends as ``PASSWORD_CLAIM_SIGNATURE`` (before base64)."""
    message = pool_name(pool_id).encode() + user_id.encode() + secret_block + timestamp.encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def timestamp(when: float) -> str:
    """Cognito's TIMESTAMP: English names whatever the locale, day of month not padded."""
    t = datetime.fromtimestamp(when, UTC)
    return f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day} {t:%H:%M:%S} UTC {t.year}"


class SrpClient:
    """The client side, for one sign-in: ``SRP_A`` first, then the PASSWORD_VERIFIER answers."""

    def __init__(self, pool_id: str, password: str, *, secret: bytes | None = None) -> None:
        self._pool_id = pool_id
        self._password = password
        self._a = int.from_bytes(secret or secrets.token_bytes(128), "big") % N
        self.big_a = modpow(G, self._a)

    @property
    def srp_a(self) -> str:
        return format(self.big_a, "x")

    def answer(self, parameters: dict[str, str], now: float) -> dict[str, str]:
        """``PASSWORD_CLAIM_SIGNATURE``, ``PASSWORD_CLAIM_SECRET_BLOCK`` and ``TIMESTAMP``."""
        user_id = parameters["USER_ID_FOR_SRP"]
        big_b = int(parameters["SRP_B"], 16)
        if big_b % N == 0:
            raise ValueError("the pool sent B = 0 (mod N)")
        u = scramble(self.big_a, big_b)
        if u == 0:
            raise ValueError("u must not be zero")
        x = password_x(self._pool_id, user_id, self._password, parameters["SALT"])
        s = modpow(big_b - K * modpow(G, x), self._a + u * x)
        stamp = timestamp(now)
        block = parameters["SECRET_BLOCK"]
        signature = claim_signature(
            derive_key(s, u), self._pool_id, user_id, base64.b64decode(block), stamp
        )
        return {
            "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(signature).decode(),
            "PASSWORD_CLAIM_SECRET_BLOCK": block,
            "TIMESTAMP": stamp,
        }
