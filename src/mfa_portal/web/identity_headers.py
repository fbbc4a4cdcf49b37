"""The ``X-Auth-*`` headers ``/auth/verify`` answers with: one encoding, for both of its paths.

HTTP header values are bytes; names are not. Cognito usernames, group names and email addresses
may hold any letter (``łukasz``, ``jürgen``), so the encoding is a decision, made here once:

- ``X-Auth-User``, ``X-Auth-Email``, ``X-Auth-Groups`` carry **UTF-8 bytes**, as Go-based
  forward-auth proxies (Traefik, oauth2-proxy, Authelia) send them. Frameworks that hand header
  values out as latin-1 text (WSGI, Starlette, Node) give ``jürgen`` as ``jÃ¼rgen``; the app must
  re-decode (``value.encode("latin-1").decode("utf-8")``). Before, these went out as latin-1, so
  a user named ``jÃ¼rgen`` arrived as ``jürgen`` to an app decoding UTF-8, and a name outside
  latin-1 was a 500 that locked the user out of every protected app.
- ``X-Auth-Sub`` (the user's immutable ``sub``, ASCII) and ``X-Auth-User-Encoded``,
  ``X-Auth-Email-Encoded``, ``X-Auth-Groups-Encoded`` (percent-encoded UTF-8, ASCII only, each
  group encoded on its own, so a comma inside a group name cannot split it) read the same in every
  framework, whatever it decodes with: apps key on these.

A value with a control character cannot travel as raw bytes (it would end the header): that raw
header is empty, and its ``-Encoded`` twin still carries it. Cognito allows no control characters
in usernames or group names, so only a pathological email address can meet this.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

Header = tuple[bytes, bytes]
#: Kept as they are in the ``-Encoded`` headers (RFC 3986 unreserved, plus ``@``).
_SAFE = "@-._~"


def _raw(value: str) -> bytes:
    """UTF-8 bytes, or nothing for a value a header cannot hold (CR, LF, NUL, other controls)."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return b""
    return value.encode("utf-8")


def _encoded(value: str) -> bytes:
    return quote(value, safe=_SAFE).encode("ascii")


def identity_headers(
    *, username: str, sub: str, email: str, groups: Sequence[str]
) -> tuple[Header, ...]:
    """The ``X-Auth-*`` headers (lower-case names) for a user; ``email`` is "" unless verified."""
    return (
        (b"x-auth-user", _raw(username)),
        (b"x-auth-email", _raw(email)),
        (b"x-auth-groups", _raw(",".join(groups))),
        (b"x-auth-sub", _encoded(sub)),
        (b"x-auth-user-encoded", _encoded(username)),
        (b"x-auth-email-encoded", _encoded(email)),
        (b"x-auth-groups-encoded", b",".join(_encoded(g) for g in groups)),
    )
