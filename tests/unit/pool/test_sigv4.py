"""SigV4 verification against requests signed by botocore's own ``SigV4Auth``."""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Callable
from datetime import datetime
from email.utils import formatdate
from urllib.parse import urlsplit

import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from mfa_portal.cognito_api import messages
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool.credentials import Credentials
from mfa_portal.pool.sigv4 import SignedRequest, verify

KEYS = Credentials("AKIAUNITTEST00000001", "s3cr3t/KEY+unit-test-0123456789abcdefghij")
SIGNED_AT = datetime(2026, 11, 28, 12, 0, 0)  # naive UTC, as botocore's clock returns it
NOW = float(calendar.timegm(SIGNED_AT.timetuple()))
BODY = b'{"MaxResults": 10}'
TARGET = "AWSCognitoIdentityProviderService.ListUserPools"


@pytest.fixture(autouse=True)
def botocore_signs_at_a_fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: SIGNED_AT)


def sign(
    url: str = "http://127.0.0.1:9229/",
    body: bytes = BODY,
    *,
    headers: dict[str, str] | None = None,
    akid: str = KEYS.access_key_id,
    secret: str = KEYS.secret_access_key,
    service: str = "cognito-idp",
    region: str = "us-east-1",
    prepare: Callable[[AWSRequest], None] | None = None,
) -> AWSRequest:
    sent = {
        "Host": urlsplit(url).netloc,
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": TARGET,
        **(headers or {}),
    }
    request = AWSRequest(method="POST", url=url, data=body, headers=sent)
    if prepare:
        prepare(request)
    SigV4Auth(BotoCredentials(akid, secret), service, region).add_auth(request)
    return request


def received(request: AWSRequest, *, body: bytes | None = None) -> SignedRequest:
    """What a server would see for ``request`` (optionally with another body)."""
    parts = urlsplit(request.url)
    headers = tuple((k.lower(), str(v)) for k, v in request.headers.items())
    data = request.body if body is None else body
    return SignedRequest("POST", parts.path or "/", parts.query, headers, bytes(data or b""))


def replace_header(request: SignedRequest, name: str, value: str | None) -> SignedRequest:
    headers = tuple((k, v) for k, v in request.headers if k != name)
    if value is not None:
        headers += ((name, value),)
    return SignedRequest(request.method, request.path, request.query, headers, request.body)


def refused(request: SignedRequest, now: float = NOW) -> CognitoError:
    with pytest.raises(CognitoError) as info:
        verify(request, KEYS, now)
    assert KEYS.secret_access_key not in info.value.message
    return info.value


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9229/",
        "http://127.0.0.1:8000/cognito",
        "http://127.0.0.1:8000/cognito/",
        "https://pool.example.com/cognito/a/../b/./c",
        "http://127.0.0.1:9229/path%20with%20space",
        "http://127.0.0.1:9229/?b=2&a=1&a=0&empty=",
    ],
)
def test_botocore_signatures_verify(url: str) -> None:
    assert verify(received(sign(url)), KEYS, NOW) == KEYS.access_key_id


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3", "ap-southeast-2", "local"])
def test_any_region_is_accepted(region: str) -> None:
    assert verify(received(sign(region=region)), KEYS, NOW) == KEYS.access_key_id


def test_empty_body_verifies() -> None:
    assert verify(received(sign(body=b"")), KEYS, NOW) == KEYS.access_key_id


def test_date_header_instead_of_x_amz_date() -> None:
    def use_date(request: AWSRequest) -> None:
        request.headers["Date"] = formatdate(NOW, usegmt=True)

    request = received(sign(prepare=use_date))
    assert request.header("x-amz-date") is None
    assert verify(request, KEYS, NOW) == KEYS.access_key_id


def test_header_values_are_compared_trimmed() -> None:
    def spaced(request: AWSRequest) -> None:
        request.headers["X-Custom"] = "  a   b  "

    signed = received(sign(prepare=spaced))
    assert verify(signed, KEYS, NOW) == KEYS.access_key_id


def test_missing_authorization_header() -> None:
    error = refused(replace_header(received(sign()), "authorization", None))
    assert (error.code, error.message) == (
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )


def test_unknown_access_key() -> None:
    error = refused(received(sign(akid="AKIAUNKNOWN000000000")))
    assert (error.code, error.message) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )


def test_wrong_secret() -> None:
    error = refused(received(sign(secret="not-the-secret")))
    assert (error.code, error.message) == ("InvalidSignatureException", messages.SIGNATURE_MISMATCH)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: SignedRequest(r.method, r.path, r.query, r.headers, b'{"MaxResults": 60}'),
        lambda r: SignedRequest("PUT", r.path, r.query, r.headers, r.body),
        lambda r: SignedRequest(r.method, "/cognito", r.query, r.headers, r.body),
        lambda r: SignedRequest(r.method, r.path, "extra=1", r.headers, r.body),
        lambda r: replace_header(
            r, "x-amz-target", "AWSCognitoIdentityProviderService.AdminDeleteUser"
        ),
        lambda r: replace_header(r, "host", "evil.example.com"),
        lambda r: replace_header(r, "content-type", "application/json"),
    ],
    ids=["body", "method", "path", "query", "target", "host", "signed-header"],
)
def test_any_change_after_signing_is_refused(
    tamper: Callable[[SignedRequest], SignedRequest],
) -> None:
    error = refused(tamper(received(sign())))
    assert (error.code, error.message) == ("InvalidSignatureException", messages.SIGNATURE_MISMATCH)


def test_signature_for_another_service_is_refused() -> None:
    error = refused(received(sign(service="sts")))
    assert error.code == "InvalidSignatureException"
    assert error.message == "Credential should be scoped to correct service: 'cognito-idp'."


@pytest.mark.parametrize(("skew", "ok"), [(-300, True), (300, True), (-301, False), (301, False)])
def test_five_minutes_of_clock_skew_are_allowed(skew: int, ok: bool) -> None:
    request = received(sign())
    if ok:
        assert verify(request, KEYS, NOW - skew) == KEYS.access_key_id
    else:
        assert refused(request, NOW - skew).code == "InvalidSignatureException"


def test_expired_signature_message() -> None:
    error = refused(received(sign()), NOW + 600)
    assert error.message == (
        "Signature expired: 20261128T120000Z is now earlier than 20261128T120500Z "
        "(20261128T121000Z - 5 min.)"
    )


def test_future_signature_message() -> None:
    error = refused(received(sign()), NOW - 600)
    assert error.message == (
        "Signature not yet current: 20261128T120000Z is still later than 20261128T115500Z "
        "(20261128T115000Z + 5 min.)"
    )


def test_payload_hash_header_must_match_the_body() -> None:
    def unsigned_payload(request: AWSRequest) -> None:
        request.headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"

    error = refused(received(sign(prepare=unsigned_payload)))
    assert error.code == "InvalidSignatureException"
    assert "x-amz-content-sha256" in error.message


def test_matching_payload_hash_header_is_accepted() -> None:
    def hashed(request: AWSRequest) -> None:
        request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(BODY).hexdigest()

    assert verify(received(sign(prepare=hashed)), KEYS, NOW) == KEYS.access_key_id


def authorization(request: SignedRequest) -> str:
    value = request.header("authorization")
    assert value is not None
    return value


@pytest.mark.parametrize(
    ("rewrite", "code"),
    [
        (lambda a: a.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"), "IncompleteSignatureException"),
        (lambda a: a.split(", Signature=")[0], "IncompleteSignatureException"),
        (lambda a: a.replace("SignedHeaders=", "Signed="), "IncompleteSignatureException"),
        (lambda a: a.replace("/aws4_request", ""), "IncompleteSignatureException"),
        (lambda a: a.replace("/aws4_request", "/aws5_request"), "InvalidSignatureException"),
        (lambda a: a.replace("/20261128/", "/20261127/"), "InvalidSignatureException"),
        (lambda a: a.replace("host;", ""), "InvalidSignatureException"),
        (lambda a: a.replace(";x-amz-target", ""), "InvalidSignatureException"),
        (lambda a: a[:-4] + "é\u2603zz", "InvalidSignatureException"),
        (lambda a: "garbage", "IncompleteSignatureException"),
    ],
    ids=[
        "algorithm",
        "no-signature",
        "no-signed-headers",
        "short-scope",
        "terminator",
        "scope-date",
        "host-unsigned",
        "target-unsigned",
        "non-ascii-signature",
        "garbage",
    ],
)
def test_malformed_authorization_header(rewrite: Callable[[str], str], code: str) -> None:
    request = received(sign())
    error = refused(replace_header(request, "authorization", rewrite(authorization(request))))
    assert error.code == code


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("x-amz-date", "2026-11-28 12:00:00"),
        ("x-amz-date", "20261328T120000Z"),
        ("x-amz-date", "20261128T126000Z"),
        ("x-amz-date", "\uff12\uff10\uff12\uff16" + "1128T120000Z"),
        ("x-amz-date", "20261128T120000"),
        ("x-amz-date", None),
    ],
    ids=["bad-format", "month-13", "minute-60", "non-ascii-digits", "no-zone", "no-date"],
)
def test_missing_or_malformed_date(name: str, value: str | None) -> None:
    error = refused(replace_header(received(sign()), name, value))
    assert error.code == "IncompleteSignatureException"


def test_from_scope_keeps_the_mount_prefix_from_raw_path() -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/cognito/",
        "root_path": "/cognito",
        "raw_path": b"/cognito",
        "query_string": b"a=1",
        "headers": [(b"Host", b"127.0.0.1:8000"), (b"X-Amz-Target", TARGET.encode())],
    }
    request = SignedRequest.from_scope(scope, BODY)

    assert (request.method, request.path, request.query) == ("POST", "/cognito", "a=1")
    assert request.header("host") == "127.0.0.1:8000"
    assert request.header("x-amz-target") == TARGET


def test_from_scope_without_raw_path_rebuilds_the_full_path() -> None:
    scope = {"method": "post", "path": "/", "root_path": "/cognito", "headers": []}

    assert SignedRequest.from_scope(scope, b"").path == "/cognito/"


def test_signed_request_verifies_when_read_from_an_asgi_scope() -> None:
    signed = sign("http://127.0.0.1:8000/cognito")
    scope = {
        "method": "POST",
        "path": "/cognito/",
        "root_path": "/cognito",
        "raw_path": b"/cognito",
        "query_string": b"",
        "headers": [(k.encode(), str(v).encode()) for k, v in signed.headers.items()],
    }

    assert verify(SignedRequest.from_scope(scope, BODY), KEYS, NOW) == KEYS.access_key_id
