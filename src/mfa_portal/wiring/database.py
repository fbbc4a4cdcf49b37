"""The stores of a deployment as ``mfa-portal db`` sees them: which exist, migrating them, copying them.

A deployment has up to three stores — the embedded pool (only with the embedded backend), the
portal store, and the portal sessions (only without Redis) — each a SQLite file in the data directory
or a schema of the PostgreSQL database. This module names them once, so ``db migrate`` and
``db copy`` cannot forget one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mfa_portal.admin import store as portal_store
from mfa_portal.pool import schema as pool_schema
from mfa_portal.pool import storage as pool_storage
from mfa_portal.settings import Backend, SessionStoreKind, Settings
from mfa_portal.storage import Database
from mfa_portal.storage.copy import Copied, copy_store
from mfa_portal.storage.copy import CopyError as CopyError  # re-exported for the CLI
from mfa_portal.web import session_store


@dataclass(frozen=True)
class Store:
    name: str
    file_name: str
    schema: str
    migrations: Sequence[str]


POOL = Store("pool", pool_storage.FILE_NAME, pool_storage.SCHEMA, pool_schema.MIGRATIONS)
PORTAL = Store("portal", portal_store.FILE_NAME, portal_store.SCHEMA, portal_store.MIGRATIONS)
SESSIONS = Store(
    "sessions", session_store.FILE_NAME, session_store.SCHEMA, session_store.MIGRATIONS
)


def stores_in_use(settings: Settings) -> list[Store]:
    """The stores this configuration keeps: no pool in front of Amazon Cognito, no sessions with
    Redis."""
    used = [PORTAL]
    if settings.backend is Backend.EMBEDDED:
        used.insert(0, POOL)
    if settings.store_kind is not SessionStoreKind.REDIS:
        used.append(SESSIONS)
    return used


def migrate(settings: Settings) -> list[str]:
    """Bring every store in use to the current schema; one line per store."""
    lines = []
    for store in stores_in_use(settings):
        db = Database(
            settings.data_dir / store.file_name,
            store.migrations,
            url=settings.database,
            schema=store.schema,
        )
        try:
            lines.append(f"{store.name}: schema version {db.schema_version()} ({db.where})")
        finally:
            db.close_all()
    return lines


def source_dir(source: str) -> Path:
    """``sqlite:///<data dir>`` (or a plain path; a database file means its directory)."""
    if source.startswith("sqlite:"):
        if not source.startswith("sqlite:///"):
            raise CopyError(f"{source}: write the data directory as sqlite:///<path>")
        path = Path(source[len("sqlite:///") :])
    elif "://" in source:
        raise CopyError(
            f"--from must be the SQLite data directory (sqlite:///<path>), not {source.split(':')[0]}"
        )
    else:
        path = Path(source)
    if path.is_file():
        path = path.parent
    if not path.is_dir():
        raise CopyError(f"{path} is not a data directory: nothing to copy")
    return path


def copy(source: str, target_url: str, *, sessions: bool, force: bool) -> list[Copied]:
    """Copy the pool, the portal store (and the sessions) of a SQLite data dir into PostgreSQL."""
    from mfa_portal.storage import is_postgres_url

    if not is_postgres_url(target_url):
        raise CopyError("--to must be a postgresql:// URL")
    data_dir = source_dir(source)
    stores = [POOL, PORTAL, *([SESSIONS] if sessions else [])]
    present = [s for s in stores if (data_dir / s.file_name).is_file()]
    if not present:
        raise CopyError(
            f"{data_dir} holds none of {', '.join(s.file_name for s in stores)}: nothing to copy"
        )
    return [
        copy_store(data_dir / s.file_name, target_url, s.schema, s.migrations, force=force)
        for s in present
    ]


def accept_pool_keys(settings: Settings) -> tuple[bool, str, str]:
    """Make the configured pool access key pair the deployment's; (changed, key id, where).

    The pair is read as ``pool serve`` reads it (the environment, else the data directory's
    ``credentials.json``) and never created here.
    """
    from mfa_portal.pool.access_key_binding import record_access_keys
    from mfa_portal.pool.credentials import Credentials

    credentials, _ = Credentials.load_or_create(settings.data_dir, may_create=False)
    db = pool_storage.Database(settings.data_dir / pool_storage.FILE_NAME, url=settings.database)
    try:
        return record_access_keys(db, credentials), credentials.access_key_id, db.where
    finally:
        db.close_all()
