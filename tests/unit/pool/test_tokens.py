"""The signing keys, JWKS and JWT verification of the embedded pool (pool/tokens.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
from collections.abc import Mapping
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mfa_portal.clock import FakeClock
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.tokens import TokenExpired, TokenInvalid, TokenSigner

NOW = 1_800_000_015


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> TokenSigner:
    return TokenSigner.from_data_dir(tmp_path_factory.mktemp("signer"))


def _claims(use: str, *, exp: int = NOW + 3600) -> dict[str, object]:
    return {"sub": "s-1", "token_use": use, "iat": NOW, "exp": exp}


def _b64(data: Mapping[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_key_files_are_created_private_and_reused_across_engines(tmp_path: Path) -> None:
    first = Engine(tmp_path, clock=FakeClock(), hasher=PasswordHasher(1024, 1))
    keys = sorted((tmp_path / "keys").iterdir())
    assert [k.name for k in keys] == ["access-token.pem", "id-token.pem"]
    for key in keys:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    token = first.signer.sign(_claims("access"), "access")
    first.db.close()

    second = Engine(tmp_path, clock=FakeClock(), hasher=PasswordHasher(1024, 1))
    assert second.signer.jwks() == first.signer.jwks()
    assert second.signer.decode(token, "access", now=NOW)["sub"] == "s-1"
    second.db.close()


def test_another_data_dir_has_other_keys(tmp_path: Path, signer: TokenSigner) -> None:
    other = TokenSigner.from_data_dir(tmp_path)
    with pytest.raises(TokenInvalid):
        other.decode(signer.sign(_claims("access"), "access"), "access", now=NOW)


@pytest.mark.parametrize("use", ["id", "access"])
def test_token_verifies_with_the_jwks_alone(signer: TokenSigner, use: str) -> None:
    token = signer.sign(_claims(use), use)  # type: ignore[arg-type]
    kid = jwt.get_unverified_header(token)["kid"]
    jwks = jwt.PyJWKSet.from_dict(signer.jwks())
    claims = jwt.decode(
        token,
        jwks[kid].key,
        algorithms=["RS256"],
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["token_use"] == use
    assert kid == signer.kid(use)  # type: ignore[arg-type]


def test_id_and_access_tokens_use_different_published_keys(signer: TokenSigner) -> None:
    keys = signer.jwks()["keys"]
    assert {k["kid"] for k in keys} == {signer.kid("id"), signer.kid("access")}
    assert len({k["kid"] for k in keys}) == 2
    for key in keys:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
        assert set(key) == {"kty", "alg", "use", "kid", "n", "e"}
        assert len(base64.urlsafe_b64decode(key["n"] + "==")) == 256  # RSA-2048


def test_token_signed_for_one_use_is_rejected_for_the_other(signer: TokenSigner) -> None:
    id_token = signer.sign(_claims("id"), "id")
    with pytest.raises(TokenInvalid):
        signer.decode(id_token, "access", now=NOW)
    mislabelled = signer.sign(_claims("id"), "access")  # right key, wrong token_use
    with pytest.raises(TokenInvalid):
        signer.decode(mislabelled, "access", now=NOW)


def test_expiry_follows_the_now_passed_in(signer: TokenSigner) -> None:
    token = signer.sign(_claims("access", exp=NOW + 60), "access")
    assert signer.decode(token, "access", now=NOW + 59.9)["exp"] == NOW + 60
    with pytest.raises(TokenExpired):
        signer.decode(token, "access", now=NOW + 60)


def test_alg_none_is_rejected(signer: TokenSigner) -> None:
    header = {"alg": "none", "kid": signer.kid("access"), "typ": "JWT"}
    token = f"{_b64(header)}.{_b64(_claims('access'))}."
    with pytest.raises(TokenInvalid):
        signer.decode(token, "access", now=NOW)


def test_hs256_signed_with_the_public_key_is_rejected(signer: TokenSigner) -> None:
    jwk = next(k for k in signer.jwks()["keys"] if k["kid"] == signer.kid("access"))
    body = f"{_b64({'alg': 'HS256', 'kid': jwk['kid']})}.{_b64(_claims('access'))}"
    mac = hmac.new(json.dumps(jwk).encode(), body.encode(), hashlib.sha256).digest()
    token = body + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=")
    with pytest.raises(TokenInvalid):
        signer.decode(token, "access", now=NOW)


def test_token_from_a_foreign_key_with_our_kid_is_rejected(signer: TokenSigner) -> None:
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(
        _claims("access"), foreign, algorithm="RS256", headers={"kid": signer.kid("access")}
    )
    with pytest.raises(TokenInvalid):
        signer.decode(token, "access", now=NOW)


def test_tampered_payload_is_rejected(signer: TokenSigner) -> None:
    header, _, sig = signer.sign(_claims("access"), "access").split(".")
    forged = f"{header}.{_b64({**_claims('access'), 'sub': 'someone-else'})}.{sig}"
    with pytest.raises(TokenInvalid):
        signer.decode(forged, "access", now=NOW)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "eyJhbGciOiJSUzI1NiJ9..", "x" * 50])
def test_garbage_is_invalid(signer: TokenSigner, garbage: str) -> None:
    with pytest.raises(TokenInvalid):
        signer.decode(garbage, "access", now=NOW)


def test_missing_exp_is_invalid(signer: TokenSigner) -> None:
    token = signer.sign({"sub": "s", "token_use": "access", "iat": NOW}, "access")
    with pytest.raises(TokenInvalid):
        signer.decode(token, "access", now=NOW)


def test_openid_configuration_points_at_the_jwks() -> None:
    doc = TokenSigner.openid_configuration("http://127.0.0.1:9229/us-east-1_abc")
    assert doc["issuer"] == "http://127.0.0.1:9229/us-east-1_abc"
    assert doc["jwks_uri"] == "http://127.0.0.1:9229/us-east-1_abc/.well-known/jwks.json"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "public" in doc["subject_types_supported"]
