"""Is a request straight from this machine, with no proxy in between?

The development outbox shows every code the portal or the pool mailed. "Bound to loopback" is not
enough to keep it private: a local nginx (the documented base-path layout forwards every
``/_mfa/…`` path) or a rate-limiting proxy in front of ``pool serve`` also connects from loopback,
on behalf of anyone. Such a request carries a proxy's headers, so a loopback peer that sends none
of them is the only one trusted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

#: Headers a proxy adds (or a client forges); any one of them means "not straight from here".
PROXY_HEADERS = frozenset(
    {b"forwarded", b"x-real-ip", b"via", b"x-forwarded-for", b"x-forwarded-host"}
)
_PROXY_PREFIX = b"x-forwarded-"  # -proto, -port, -prefix, -server: proxies' family of headers


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses; a wildcard or any other address is not."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def has_proxy_headers(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    return any(
        name.lower() in PROXY_HEADERS or name.lower().startswith(_PROXY_PREFIX)
        for name, _ in headers
    )


def direct_from_loopback(scope: Mapping[str, Any]) -> bool:
    """True only for a request whose peer is a loopback address and that names no proxy.

    ``scope["client"]`` is what the server says after its own proxy-header handling (uvicorn
    replaces it from ``X-Forwarded-For`` sent by a trusted proxy); the headers stay, and refuse.
    """
    client = scope.get("client")
    if not client or not is_loopback(str(client[0])):
        return False
    return not has_proxy_headers(scope.get("headers") or ())
