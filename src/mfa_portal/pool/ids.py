"""Identifiers in Cognito's formats, drawn from the engine's injected CSPRNG.

Pool ids are ``<region>_<9 alphanumerics>``, client ids 26 lowercase alphanumerics and generated
client secrets 51 lowercase alphanumerics, as real Cognito issues them. Characters are drawn by
rejection sampling so every character is uniform (no modulo bias in secrets).
"""

from __future__ import annotations

import base64
import string
from typing import TYPE_CHECKING

from mfa_portal.cognito_api import errors, messages

if TYPE_CHECKING:
    from mfa_portal.pool.context import Context

ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
LOCAL_ACCOUNT_ID = "000000000000"  # the embedded pool has no AWS account; ARNs use this one


_VARIANTS = "89ab"  # RFC 4122's variant: the top bits of the 17th hex digit are 10


def uuid4_text(raw: bytes) -> str:
    """The version-4 UUID made of 16 random bytes, as text. Built from the hex digits directly:
    going through ``uuid.UUID`` cost three times as much, and a sign-in makes four of them."""
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANTS[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def random_string(ctx: Context, alphabet: str, length: int) -> str:
    """``length`` characters chosen uniformly from ``alphabet`` (at most 256 symbols)."""
    limit = 256 - 256 % len(alphabet)
    out: list[str] = []
    while len(out) < length:
        for byte in ctx.random_bytes(length * 2):
            if byte < limit:
                out.append(alphabet[byte % len(alphabet)])
                if len(out) == length:
                    break
    return "".join(out)


def numeric_code(ctx: Context, digits: int) -> str:
    """A one-time code of ``digits`` decimal digits (email MFA, password reset): 64 random bits
    reduced mod 10^digits, a bias below 10^digits / 2^64 (2^-30 for 8 digits)."""
    value = int.from_bytes(ctx.random_bytes(8), "big") % 10**digits
    return f"{value:0{digits}d}"


def new_pool_id(ctx: Context) -> str:
    return f"{ctx.engine.region}_{random_string(ctx, ALNUM, 9)}"


def new_client_id(ctx: Context) -> str:
    return random_string(ctx, LOWER_ALNUM, 26)


def new_client_secret(ctx: Context) -> str:
    return random_string(ctx, LOWER_ALNUM, 51)


def pool_arn(region: str, pool_id: str) -> str:
    return f"arn:aws:cognito-idp:{region}:{LOCAL_ACCOUNT_ID}:userpool/{pool_id}"


def encode_page_token(key: str) -> str:
    """An opaque NextToken naming the first item of the next page."""
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_page_token(token: str | None) -> str | None:
    """The key a NextToken names; ``InvalidParameterException`` for a token we did not issue."""
    if token is None:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.InvalidParameterException(messages.INVALID_PAGINATION_TOKEN) from exc
