"""Verify Cognito ID tokens against the pool's JWKS before trusting who signed in.

The portal gets tokens straight from Cognito over TLS, but it still checks signature, issuer, audience,
``token_use`` and expiry: a misconfigured endpoint or a proxy must not be able to hand it an identity.
Time comes from an injected clock (the embedded pool's tests run on a fake one).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import jwt

MAX_PARSED_KEYS = 64  # parsed public keys kept per verifier (a pool publishes two)


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who a verified ID token names; ``email`` only with the token's ``email_verified`` flag."""

    sub: str
    username: str
    email: str | None = None
    email_verified: bool = False
    groups: list[str] = field(default_factory=list)


class TokenInvalid(Exception):
    """The ID token failed verification (the reason is for logs only)."""


class JwksSource(Protocol):
    def jwks(self, refresh: bool = False) -> dict[str, Any]:
        """The pool's JSON Web Key Set; ``refresh`` asks for a fresh copy (unknown ``kid``)."""
        ...


class StaticJwks:
    """JWKS from a function, e.g. the embedded engine's signer in the same process."""

    def __init__(self, fetch: Callable[[], dict[str, Any]]) -> None:
        self._fetch = fetch

    def jwks(self, refresh: bool = False) -> dict[str, Any]:
        return self._fetch()


class HttpJwks:
    """JWKS fetched from ``<issuer>/.well-known/jwks.json`` and cached; refetched on a new ``kid``."""

    def __init__(self, url: str, *, max_age: float = 3600.0, timeout: float = 5.0) -> None:
        self.url = url
        self._max_age = max_age
        self._timeout = timeout
        self._lock = threading.Lock()
        self._cached: dict[str, Any] | None = None
        self._fetched = 0.0

    def jwks(self, refresh: bool = False) -> dict[str, Any]:
        with self._lock:
            now = time.monotonic()
            stale = now - self._fetched > self._max_age
            rate_ok = now - self._fetched > 30.0
            if self._cached is None or stale or (refresh and rate_ok):
                response = httpx.get(self.url, timeout=self._timeout)
                response.raise_for_status()
                self._cached = dict(response.json())
                self._fetched = now
            return self._cached


def cognito_issuer(region: str, pool_id: str, endpoint_url: str | None = None) -> str:
    """The ``iss`` of a pool's tokens: AWS's, or ``<endpoint>/<pool id>`` for a compatible endpoint."""
    base = (
        endpoint_url.rstrip("/") if endpoint_url else f"https://cognito-idp.{region}.amazonaws.com"
    )
    return f"{base}/{pool_id}"


class IdTokenVerifier:
    def __init__(
        self,
        source: JwksSource,
        *,
        issuer: str,
        client_id: str,
        clock: Callable[[], float] = time.time,
        leeway: float = 60.0,
    ) -> None:
        self._source = source
        self.issuer = issuer
        self._client_id = client_id
        self._clock = clock
        self._leeway = leeway
        self._parsed_keys: dict[str, Any] = {}

    def verify(self, id_token: str) -> VerifiedIdentity:
        claims = self.claims(id_token)
        groups = claims.get("cognito:groups") or []
        verified = claims.get("email_verified")
        return VerifiedIdentity(
            sub=str(claims["sub"]),
            username=str(claims.get("cognito:username") or claims["sub"]),
            email=claims.get("email"),
            email_verified=verified is True or str(verified).lower() == "true",
            groups=[str(group) for group in groups],
        )

    def claims(self, id_token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise TokenInvalid("malformed token") from exc
        if header.get("alg") != "RS256":
            raise TokenInvalid("unexpected algorithm")
        key = self._key(str(header.get("kid", "")))
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key,
                algorithms=["RS256"],
                audience=self._client_id,
                issuer=self.issuer,
                # Expiry is checked below against the injected clock, not the wall clock.
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError as exc:
            raise TokenInvalid(type(exc).__name__) from exc
        if claims.get("token_use") != "id":
            raise TokenInvalid("not an ID token")
        if float(claims.get("exp", 0)) + self._leeway < self._clock():
            raise TokenInvalid("expired")
        if "sub" not in claims:
            raise TokenInvalid("no subject")
        return claims

    def _key(self, kid: str) -> Any:
        for refresh in (False, True):
            for jwk in self._source.jwks(refresh=refresh).get("keys", []):
                if jwk.get("kid") == kid:
                    return self._parsed(jwk)
        raise TokenInvalid("unknown signing key")

    def _parsed(self, jwk: dict[str, Any]) -> Any:
        """The public key of ``jwk``, parsed once per distinct key document (a rotated or replaced
        key has a different document, so it is never answered from an old entry)."""
        document = json.dumps(jwk, sort_keys=True)
        key = self._parsed_keys.get(document)
        if key is None:
            key = jwt.PyJWK.from_json(document).key
            if len(self._parsed_keys) >= MAX_PARSED_KEYS:
                self._parsed_keys.clear()
            self._parsed_keys[document] = key
        return key
