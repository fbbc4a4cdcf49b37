"""SECRET_HASH for app clients with a secret: one computation for the pool and the portal.

``Base64(HMAC_SHA256(key=client_secret, msg=username + client_id))``, required in AuthParameters and
in every ChallengeResponses when the client has a secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def compute_secret_hash(client_secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def secret_hash_parameter(
    client_secret: str | None, username: str, client_id: str
) -> dict[str, str]:
    """``{"SECRET_HASH": ...}`` for a client with a secret, else nothing, ready to merge into
    AuthParameters or ChallengeResponses."""
    if not client_secret:
        return {}
    return {"SECRET_HASH": compute_secret_hash(client_secret, username, client_id)}
