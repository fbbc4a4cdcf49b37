"""AWS Signature Version 4 verification for the wire front (service ``cognito-idp``).

The canonical request is rebuilt from what actually arrived: the method, the path as the client sent
it (including a mount prefix such as ``/cognito``), the query, the headers the client says it signed
and the SHA-256 of the body. A signature made for one request therefore never authorises another.
Errors carry AWS's own exception names and messages; none of them contains a secret or a signature.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import quote

from mfa_portal.cognito_api import errors, messages

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "cognito-idp"
TERMINATOR = "aws4_request"
MAX_SKEW_SECONDS = 300
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_TIMESTAMP = re.compile(r"[0-9]{8}T[0-9]{6}Z", re.ASCII)


class SecretLookup(Protocol):
    def lookup(self, access_key_id: str) -> str | None:
        """The secret of ``access_key_id``, or None for an unknown key."""
        ...


@dataclass(frozen=True)
class SignedRequest:
    """The parts of an HTTP request that SigV4 covers, as received."""

    method: str
    path: str  # percent-encoded as sent, with any mount prefix
    query: str  # raw query string, without "?"
    headers: tuple[tuple[str, str], ...]  # (lower-case name, value), in arrival order
    body: bytes

    @classmethod
    def from_scope(cls, scope: Mapping[str, Any], body: bytes) -> SignedRequest:
        """Build from an ASGI scope; ``raw_path`` keeps the mount prefix the client signed."""
        raw = scope.get("raw_path")
        if raw:
            path = bytes(raw).decode("latin-1").split("?", 1)[0]
        else:
            path, root = str(scope["path"]), str(scope.get("root_path", ""))
            path = quote(path if path.startswith(root) else root + path, safe="/~%!$&'()*+,;=:@")
        headers = tuple(
            (bytes(k).decode("latin-1").lower(), bytes(v).decode("utf-8", "replace"))
            for k, v in scope.get("headers", [])
        )
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        return cls(str(scope["method"]).upper(), path, query, headers, body)

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return ",".join(values) if values else None


def _fail(code: str, message: str) -> errors.CognitoError:
    return errors.error(code, message)


def _parse_authorization(value: str) -> tuple[list[str], list[str], str]:
    """Split ``Credential=…, SignedHeaders=…, Signature=…`` into scope, header names, signature."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise _fail("IncompleteSignatureException", messages.unsupported_algorithm(ALGORITHM))
    parts: dict[str, str] = {}
    for item in rest.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            parts[key.strip()] = val.strip()
    for required in ("Credential", "SignedHeaders", "Signature"):
        if not parts.get(required):
            raise _fail(
                "IncompleteSignatureException",
                messages.authorization_parameter(required),
            )
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or not all(scope):
        raise _fail(
            "IncompleteSignatureException",
            messages.CREDENTIAL_FORM,
        )
    return scope, parts["SignedHeaders"].split(";"), parts["Signature"]


def _parse_timestamp(stamp: str) -> datetime:
    """``YYYYMMDDTHHMMSSZ`` as a UTC datetime; ``ValueError`` otherwise. (``strptime`` does the same
    at several times the cost, on every signed call.)"""
    if not _TIMESTAMP.fullmatch(stamp):
        raise ValueError(stamp)
    return datetime(
        int(stamp[0:4]),
        int(stamp[4:6]),
        int(stamp[6:8]),
        int(stamp[9:11]),
        int(stamp[11:13]),
        int(stamp[13:15]),
        tzinfo=UTC,
    )


def _request_time(req: SignedRequest) -> tuple[str, datetime]:
    """The signing timestamp (``YYYYMMDDTHHMMSSZ``) from X-Amz-Date, else from Date."""
    amz = req.header("x-amz-date")
    if amz is not None:
        try:
            when = _parse_timestamp(amz.strip())
        except ValueError:
            raise _fail(
                "IncompleteSignatureException",
                messages.AMZ_DATE_FORMAT,
            ) from None
        return amz.strip(), when
    date = req.header("date")
    if date is None:
        raise _fail(
            "IncompleteSignatureException",
            messages.DATE_REQUIRED,
        )
    try:
        when = parsedate_to_datetime(date).astimezone(UTC)
    except (TypeError, ValueError):
        raise _fail("IncompleteSignatureException", messages.DATE_HEADER_INVALID) from None
    return when.strftime(TIMESTAMP_FORMAT), when


def _check_skew(stamp: str, when: datetime, now: float) -> None:
    current = datetime.fromtimestamp(now, UTC)
    skew = (when - current).total_seconds()
    now_s = current.strftime(TIMESTAMP_FORMAT)
    if skew < -MAX_SKEW_SECONDS:
        limit = datetime.fromtimestamp(now - MAX_SKEW_SECONDS, UTC).strftime(TIMESTAMP_FORMAT)
        raise _fail(
            "InvalidSignatureException",
            messages.signature_expired(stamp, limit, now_s),
        )
    if skew > MAX_SKEW_SECONDS:
        limit = datetime.fromtimestamp(now + MAX_SKEW_SECONDS, UTC).strftime(TIMESTAMP_FORMAT)
        raise _fail(
            "InvalidSignatureException",
            messages.signature_not_yet_current(stamp, limit, now_s),
        )


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, as botocore applies it before signing."""
    if not path:
        return "/"
    out: list[str] = []
    for segment in path.split("/"):
        if segment == ".":
            continue
        if segment == "..":
            if out:
                out.pop()
        elif segment:
            out.append(segment)
    result = "/" + "/".join(out)
    return result + "/" if path.endswith("/") and result != "/" else result


def canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = [pair.partition("=")[::2] for pair in query.split("&")]
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def canonical_request(req: SignedRequest, signed_headers: list[str], payload_hash: str) -> str:
    lines = []
    for name in signed_headers:
        values = [" ".join(v.split()) for k, v in req.headers if k == name]
        lines.append(f"{name}:{','.join(values)}")
    return "\n".join(
        [
            req.method,
            quote(_remove_dot_segments(req.path), safe="/~"),
            canonical_query(req.query),
            "\n".join(lines) + "\n",
            ";".join(signed_headers),
            payload_hash,
        ]
    )


@functools.lru_cache(maxsize=32)  # one key per secret, day and region: four HMACs saved per call
def signing_key(secret: str, date: str, region: str, service: str = SERVICE) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, TERMINATOR):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def verify(req: SignedRequest, keys: SecretLookup, now: float) -> str:
    """Return the access key id that validly signed ``req``; raise a ``CognitoError`` otherwise."""
    authorization = req.header("authorization")
    if not authorization:
        raise _fail("MissingAuthenticationTokenException", messages.MISSING_AUTHENTICATION_TOKEN)
    scope, signed_headers, signature = _parse_authorization(authorization)
    akid, scope_date, region, service, terminator = scope
    if service != SERVICE:
        raise _fail(
            "InvalidSignatureException",
            messages.credential_service(SERVICE),
        )
    if terminator != TERMINATOR:
        raise _fail(
            "InvalidSignatureException",
            messages.credential_terminator(TERMINATOR),
        )
    stamp, when = _request_time(req)
    secret = keys.lookup(akid)
    if secret is None:
        raise _fail("UnrecognizedClientException", messages.SECURITY_TOKEN_INVALID)
    _check_skew(stamp, when, now)
    if scope_date != stamp[:8]:
        raise _fail(
            "InvalidSignatureException",
            messages.scope_date_mismatch(scope_date, stamp[:8]),
        )
    date_header = "x-amz-date" if req.header("x-amz-date") is not None else "date"
    for needed in ("host", date_header, "x-amz-target"):
        if needed not in signed_headers:
            raise _fail(
                "InvalidSignatureException",
                messages.header_not_signed(needed),
            )
    payload_hash = hashlib.sha256(req.body).hexdigest()
    declared = req.header("x-amz-content-sha256")
    if declared is not None and declared != payload_hash:
        raise _fail(
            "InvalidSignatureException",
            messages.CONTENT_SHA256_MISMATCH,
        )
    canonical = canonical_request(req, signed_headers, payload_hash)
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            stamp,
            f"{scope_date}/{region}/{SERVICE}/{TERMINATOR}",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    expected = hmac.new(
        signing_key(secret, scope_date, region), string_to_sign.encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise _fail("InvalidSignatureException", messages.SIGNATURE_MISMATCH)
    return akid
