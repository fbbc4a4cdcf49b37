"""Binding the session secret to the portal store, so a replica with another one does not start.

Every replica of a deployment must hold the same session secret: a session written by one replica is
encrypted with it, and a replica with another secret cannot read it, so users would be signed out
whenever the load balancer switches, with nothing in any log saying why. The portal store (shared by
the replicas, or the data directory's file) keeps a check value of the secret — HMAC-SHA256 of a
fixed label under it, which tells nothing about the secret — written by the first start, and a start
with another secret refuses with one line. Changing the secret on purpose (it leaked) is
``record_session_secret`` (``mfa-portal db accept-session-secret``): every signed-in user is signed out.
"""

from __future__ import annotations

import hashlib
import hmac

from mfa_portal.admin.store import PortalStore
from mfa_portal.storage import StartupError, check_values

CHECK = "session_secret_check"
LABEL = b"mfa-portal session secret check v1"


def check_value(secret: bytes) -> str:
    return hmac.new(secret, LABEL, hashlib.sha256).hexdigest()


def bind_session_secret(store: PortalStore, secret: bytes, *, source: str) -> None:
    """Record the secret's check value on first start; refuse (``StartupError``) another secret.

    ``source`` names where the secret came from (a variable or a file), for the message only.
    """
    if not check_values.matches_or_first(store, "portal_meta", CHECK, check_value(secret)):
        raise StartupError(
            f"the session secret ({source}) is not the one {store.where} was started with: give "
            "this replica the deployment's secret, or, to change it on purpose, run `mfa-portal "
            "db accept-session-secret` with the new one (every signed-in user is signed out)"
        )


def record_session_secret(store: PortalStore, secret: bytes) -> bool:
    """Make ``secret`` the one the store expects; False when it already was."""
    return check_values.replace(store, "portal_meta", CHECK, check_value(secret))
