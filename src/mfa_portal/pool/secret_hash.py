"""SECRET_HASH for app clients with a secret (spec §4.2).

``Base64(HMAC_SHA256(key=client_secret, msg=username + client_id))``, required in AuthParameters and
in every ChallengeResponses when the client has a secret. The provided value is never echoed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from mfa_portal.pool import errors
from mfa_portal.pool.pools import AppClient


def compute_secret_hash(client_secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def require_secret_hash(client: AppClient, provided: str | None) -> None:
    """Fail early when a secret client sent no SECRET_HASH at all."""
    if client.secret and not provided:
        raise errors.NotAuthorizedException(
            f"Client {client.id} is configured for secret but secret was not received"
        )


def check_secret_hash(client: AppClient, usernames: Iterable[str], provided: str | None) -> None:
    """Accept ``provided`` if it was computed over any of ``usernames``; no-op for public clients."""
    if not client.secret:
        return
    require_secret_hash(client, provided)
    given = (provided or "").encode()
    matched = False
    for name in usernames:  # compare every candidate so timing does not depend on which matched
        expected = compute_secret_hash(client.secret, name, client.id).encode()
        matched |= hmac.compare_digest(expected, given)
    if not matched:
        raise errors.NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")
