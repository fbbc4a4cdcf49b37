"""The CLI's way to the pool: the embedded one on the same data directory, or Amazon Cognito.

For the embedded pool the CLI runs the engine in-process on the directory ``mfa-portal serve`` uses
(SQLite in WAL mode lets both work at once), or on the PostgreSQL database of
``MFA_PORTAL_DATABASE_URL`` that the replicas share; it never creates a pool — start the portal once
first.
For Cognito it uses boto3's standard credential chain and region.
"""

from __future__ import annotations

from mfa_portal.admin.support import Support
from mfa_portal.settings import Backend, Settings, load_settings
from mfa_portal.wiring.backend import open_cognito, open_embedded
from mfa_portal.wiring.bootstrap import NoDefaultPool, load_ids
from mfa_portal.wiring.support import build_support, portal_mailer


class NoPool(RuntimeError):
    """The embedded data directory holds no pool yet."""


def open_support(settings: Settings | None = None) -> Support:
    settings = settings or load_settings()
    if settings.backend is Backend.COGNITO:
        backend = open_cognito(settings)
    else:
        known = settings.user_pool_id and settings.client_id
        if not known and settings.database is None and load_ids(settings.data_dir) is None:
            raise NoPool(
                f"no embedded pool in {settings.data_dir.resolve()}: run `mfa-portal serve` once, "
                "or give the portal's data directory (--data-dir, or MFA_PORTAL_DATA_DIR)"
            )
        base = settings.public_url or "http://127.0.0.1:8000"
        try:
            backend = open_embedded(settings, base_url=base, with_wire=False, may_create_pool=False)
        except NoDefaultPool:
            raise NoPool(
                "no embedded pool in the database of MFA_PORTAL_DATABASE_URL: run "
                "`mfa-portal serve` once"
            ) from None
        if backend.engine is not None:  # invitations (users create --send-email) go out for real
            backend.engine.mailer = portal_mailer(settings)
    return build_support(backend.settings, backend.client, backend.settings.user_pool_id or "")
