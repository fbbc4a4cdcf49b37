"""The pool's SECRET_HASH checks (the computation itself is the seam's, in ``cognito_api``).

Required in AuthParameters and in every ChallengeResponses when the client has a secret. The
provided value is never echoed.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from mfa_portal.cognito_api import errors, messages
from mfa_portal.cognito_api.secret_hash import compute_secret_hash
from mfa_portal.pool.pools import AppClient


def require_secret_hash(client: AppClient, provided: str | None) -> None:
    """Fail early when a secret client sent no SECRET_HASH at all."""
    if client.secret and not provided:
        raise errors.NotAuthorizedException(messages.secret_not_received(client.id))


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
        raise errors.NotAuthorizedException(messages.secret_hash_mismatch(client.id))
