"""ID-token checks: a good Cognito ID token gives the identity; any other token is refused."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mfa_portal.cognito_api.id_tokens import (
    IdTokenVerifier,
    StaticJwks,
    TokenInvalid,
    cognito_issuer,
)

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ISSUER = cognito_issuer("eu-west-1", "eu-west-1_abc")


def _jwks(key: Any, kid: str) -> dict[str, Any]:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {"keys": [{**jwk, "kid": kid, "alg": "RS256", "use": "sig"}]}


def _token(key: Any = KEY, kid: str = "k1", **claims: Any) -> str:
    body = {
        "sub": "s-1",
        "cognito:username": "alice",
        "email": "a@example.com",
        "cognito:groups": ["admins"],
        "aud": "client-1",
        "iss": ISSUER,
        "token_use": "id",
        "exp": time.time() + 300,
        "iat": time.time(),
    }
    body.update(claims)
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def _verifier() -> IdTokenVerifier:
    return IdTokenVerifier(
        StaticJwks(lambda: _jwks(KEY, "k1")), issuer=ISSUER, client_id="client-1"
    )


def test_a_good_id_token_gives_the_identity() -> None:
    identity = _verifier().verify(_token())
    assert (identity.sub, identity.username, identity.email) == ("s-1", "alice", "a@example.com")
    assert identity.groups == ["admins"]
    assert ISSUER == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"


@pytest.mark.parametrize(
    "token",
    [
        _token(key=OTHER),
        _token(kid="unknown"),
        _token(aud="another-client"),
        _token(iss="https://evil.example/eu-west-1_abc"),
        _token(token_use="access"),
        _token(exp=time.time() - 3600),
        jwt.encode({"sub": "s"}, "x" * 32, algorithm="HS256", headers={"kid": "k1"}),
        "not-a-jwt",
    ],
    ids=[
        "wrong-key",
        "unknown-kid",
        "audience",
        "issuer",
        "access-token",
        "expired",
        "hs256",
        "garbage",
    ],
)
def test_bad_id_tokens_are_refused(token: str) -> None:
    with pytest.raises(TokenInvalid):
        _verifier().verify(token)
