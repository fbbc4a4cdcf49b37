"""RS256 signing keys of the embedded pool, the JWKS that publishes them, and JWT sign/verify.

Cognito signs ID and access tokens with different keys (different ``kid``), so we keep two RSA-2048
keys. They live as PEM files (mode 0600) under ``<data_dir>/keys/`` and are created on first start.
Unlike real Cognito, which has one key pair per user pool, all pools of one data directory share
these two keys; the ``iss`` claim still names the pool (see docs/compatibility.md).

``decode`` never reads the wall clock: the caller passes ``now`` (the call's injected time), so
tests can move a fake clock across an expiry.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

TokenUse = Literal["id", "access"]
ALGORITHM = "RS256"
KEY_BITS = 2048


class TokenError(Exception):
    """A token failed verification; callers map it to the Cognito message for their token type."""


class TokenInvalid(TokenError):
    """Malformed, forged, wrong key, wrong algorithm or wrong ``token_use``."""


class TokenExpired(TokenError):
    """Correctly signed, but ``exp`` is not after ``now``."""


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < KEY_BITS:
            raise ValueError("token signing key must be an RSA key of at least 2048 bits")
        return cls(_thumbprint(key.public_key()), key)

    def public_jwk(self) -> dict[str, str]:
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "alg": ALGORITHM,
            "use": "sig",
            "kid": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }


def _thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint: a stable ``kid`` derived from the key itself."""
    numbers = public_key.public_numbers()
    canonical = json.dumps(
        {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)},
        separators=(",", ":"),
        sort_keys=True,
    )
    return (
        base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).decode().rstrip("=")
    )


def _load_or_create(path: Path) -> SigningKey:
    """Read the PEM at ``path``; if absent, create it atomically (never half-written)."""
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
            try:
                os.link(tmp, path)  # fails if another process won the race; then use its key
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    return SigningKey.from_pem(path.read_bytes())


class TokenSigner:
    """Signs and verifies the pool's JWTs with one key per token use."""

    def __init__(self, id_key: SigningKey, access_key: SigningKey) -> None:
        if id_key.kid == access_key.kid:
            raise ValueError("ID and access tokens must be signed with different keys")
        self._keys: dict[TokenUse, SigningKey] = {"id": id_key, "access": access_key}

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> TokenSigner:
        keys_dir = data_dir / "keys"
        keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return cls(
            _load_or_create(keys_dir / "id-token.pem"),
            _load_or_create(keys_dir / "access-token.pem"),
        )

    def kid(self, use: TokenUse) -> str:
        return self._keys[use].kid

    def sign(self, claims: dict[str, Any], use: TokenUse) -> str:
        key = self._keys[use]
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})

    def decode(self, token: str, use: TokenUse, *, now: float) -> dict[str, Any]:
        """Verified claims of ``token``; ``TokenInvalid`` or ``TokenExpired`` otherwise.

        Only RS256 with this use's key is accepted (no ``none``, no HMAC, no key from the header).
        ``exp`` is checked against ``now``; issuer and audience are the caller's business.
        """
        key = self._keys[use]
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM or header.get("kid") != key.kid:
                raise TokenInvalid("wrong algorithm or key")
            claims: dict[str, Any] = jwt.decode(
                token,
                key.private_key.public_key(),
                algorithms=[ALGORITHM],
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "require": ["exp", "iat"],
                },
            )
        except jwt.PyJWTError as exc:
            raise TokenInvalid("signature or structure") from exc
        exp, iat = claims["exp"], claims["iat"]
        if not isinstance(exp, int | float) or not isinstance(iat, int | float):
            raise TokenInvalid("non-numeric exp or iat")
        if claims.get("token_use") != use:
            raise TokenInvalid("wrong token_use")
        if now >= exp:
            raise TokenExpired("expired")
        return claims

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """Both public keys, as served at ``/{poolId}/.well-known/jwks.json``."""
        return {"keys": [self._keys["id"].public_jwk(), self._keys["access"].public_jwk()]}

    @staticmethod
    def openid_configuration(issuer: str) -> dict[str, Any]:
        """The discovery document served at ``{issuer}/.well-known/openid-configuration``."""
        return {
            "issuer": issuer,
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "subject_types_supported": ["public"],
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "token_use",
                "cognito:username",
                "cognito:groups",
                "email",
                "email_verified",
                "phone_number",
                "phone_number_verified",
            ],
        }
