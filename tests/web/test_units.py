"""Small pieces: error-to-message mapping, the otpauth URI, safe redirects, ID-token checks."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mfa_portal.cognito_api.errors import error
from mfa_portal.cognito_api.id_tokens import (
    IdTokenVerifier,
    StaticJwks,
    TokenInvalid,
    cognito_issuer,
)
from mfa_portal.web.deps import safe_next
from mfa_portal.web.messages import code_error, password_policy_errors, signin_error
from mfa_portal.web.qr import grouped, otpauth_uri
from mfa_portal.web.strings import STRINGS, t


@pytest.mark.parametrize(
    ("code", "message", "key"),
    [
        ("NotAuthorizedException", "Incorrect username or password.", "signin.incorrect"),
        ("UserNotFoundException", "User does not exist.", "signin.incorrect"),
        ("NotAuthorizedException", "Password attempts exceeded", "signin.locked"),
        ("NotAuthorizedException", "User is disabled.", "signin.disabled"),
        (
            "NotAuthorizedException",
            "Temporary password has expired and must be reset by an administrator.",
            "signin.temp_expired",
        ),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
            "signin.expired",
        ),
        (
            "PasswordResetRequiredException",
            "Password reset required for the user",
            "signin.reset_required",
        ),
        ("UserNotConfirmedException", "User is not confirmed.", "signin.not_confirmed"),
        ("TooManyRequestsException", "Rate exceeded", "signin.unavailable"),
    ],
)
def test_sign_in_errors(code: str, message: str, key: str) -> None:
    assert signin_error(error(code, message)) == key
    assert key in STRINGS


@pytest.mark.parametrize(
    ("code", "message", "key"),
    [
        ("CodeMismatchException", "Invalid code or auth state for the user.", "code.wrong"),
        (
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
            "code.wrong",
        ),
        (
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
            "code.wrong",
        ),
        ("NotAuthorizedException", "Invalid session for the user.", "signin.restart"),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
            "signin.expired",
        ),
        ("NotAuthorizedException", "Password attempts exceeded", "code.locked"),
        ("InternalErrorException", "boom", "signin.unavailable"),
    ],
)
def test_code_errors(code: str, message: str, key: str) -> None:
    assert code_error(error(code, message)) == key


def test_password_policy_failures_are_listed() -> None:
    exc = error(
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have uppercase characters",
    )
    assert password_policy_errors(exc) == ["password.rule.upper"]
    exc = error(
        "InvalidPasswordException",
        "Password did not conform with policy: Password must "
        "have numeric characters and symbol characters",
    )
    assert password_policy_errors(exc) == ["password.rule.number", "password.rule.symbol"]
    reused = error("PasswordHistoryPolicyViolationException", "x")
    assert password_policy_errors(reused) == ["password.rule.reused"]
    assert password_policy_errors(error("NotAuthorizedException", "x")) is None


def test_every_template_string_exists() -> None:
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "src/mfa_portal/web/templates"
    for path in templates.glob("*.html"):
        for key in re.findall(r't\("([a-z_.A-Z]+)"\)', path.read_text()):
            assert key in STRINGS, f"{path.name}: {key}"
    assert (
        t("code.intro.email", destination="a***@e***")
        == "We sent a code to a***@e***. Enter it below."
    )


def test_otpauth_uri_and_grouping() -> None:
    uri = otpauth_uri("JBSWY3DPEHPK3PXP", issuer="Example Corp", account="alice@example.com")
    assert uri == (
        "otpauth://totp/Example%20Corp:alice@example.com?secret=JBSWY3DPEHPK3PXP"
        "&issuer=Example%20Corp&algorithm=SHA1&digits=6&period=30"
    )
    assert grouped("JBSWY3DPEHPK3PXPAB") == "JBSW Y3DP EHPK 3PXP AB"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/account", "/account"),
        ("/account?tab=mfa", "/account?tab=mfa"),
        ("", "/"),
        (None, "/"),
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/x\r\nSet-Cookie: a=b", "/"),
        ("/https://evil.example", "/"),
    ],
)
def test_safe_next(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


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


def test_refused_password_steps_take_as_long_as_accepted_ones() -> None:
    from mfa_portal.web.delay import Delayer

    delayer = Delayer()
    for _ in range(20):
        started = time.monotonic() - 0.2  # an accepted step that took 0.2 s
        delayer.accepted(started)
    started = time.monotonic()
    delayer.refused(started)
    assert time.monotonic() - started >= 0.15
    floor = Delayer(floor_seconds=0.05)
    started = time.monotonic()
    floor.refused(started)
    assert time.monotonic() - started >= 0.05


def test_browser_story_skips_locally_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from tests.browser import test_story

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        test_story._require_tools()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="zbarimg"):
        test_story._require_tools()
