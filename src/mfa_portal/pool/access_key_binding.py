"""Binding the pool's access key pair to its database, so a replica with another pair does not start.

Every SDK, script and the AWS CLI sign their admin calls with the pool's one key pair. Two replicas
of one deployment with different pairs would each refuse the other's callers, so requests fail or
succeed depending on where the load balancer sends them. The pool database keeps a check value of
the pair — HMAC-SHA256 of a fixed label and the key id under the secret, which tells nothing about
the secret — written by the first start; a start with another pair refuses with one line. Replacing
the pair on purpose is ``record_access_keys`` (``mfa-portal db accept-pool-keys``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mfa_portal.pool.credentials import (
    ENV_ACCESS_KEY_ID,
    ENV_SECRET_ACCESS_KEY,
    FILE_NAME,
    Credentials,
)
from mfa_portal.pool.storage import Database
from mfa_portal.storage import StartupError, check_values

if TYPE_CHECKING:
    from mfa_portal.pool.engine import Engine

CHECK = "pool_access_key_check"
LABEL = b"mfa-portal pool access key check v1:"


def check_value(credentials: Credentials) -> str:
    message = LABEL + credentials.access_key_id.encode()
    return hmac.new(credentials.secret_access_key.encode(), message, hashlib.sha256).hexdigest()


def _source(credentials: Credentials) -> str:
    if credentials.source == "env":
        return f"{ENV_ACCESS_KEY_ID}/{ENV_SECRET_ACCESS_KEY}"
    return FILE_NAME


def bind_access_keys(db: Database, credentials: Credentials) -> None:
    """Record the pair's check value on first start; refuse (``StartupError``) another pair."""
    if not check_values.matches_or_first(db, "meta", CHECK, check_value(credentials)):
        raise StartupError(
            f"the pool's access key pair ({_source(credentials)}) is not the one {db.where} was "
            "started with: give this replica the deployment's pair, or, to replace it on purpose, "
            "run `mfa-portal db accept-pool-keys` with the new one (callers signing with the old "
            "pair are refused)"
        )


def record_access_keys(db: Database, credentials: Credentials) -> bool:
    """Make ``credentials`` the pair the database expects; False when it already was."""
    return check_values.replace(db, "meta", CHECK, check_value(credentials))


def bound_credentials(
    engine: Engine, data_dir: Path, env: Mapping[str, str] | None = None
) -> tuple[Credentials, bool]:
    """The pool's key pair for a server of ``engine``, checked against its database; ``(pair,
    created)``. It is created only while the pool's database (the data directory's file, or the
    shared PostgreSQL database other replicas already use) holds no pool: a fresh data directory
    beside a used database must not mint a pair of its own. On refusal the engine's database is
    closed, as ``Engine`` does when its own keys are refused."""
    try:
        credentials, created = Credentials.load_or_create(
            data_dir, env, may_create=engine.was_empty, database=engine.db.where
        )
        bind_access_keys(engine.db, credentials)  # another replica's pair refuses here
    except BaseException:
        engine.db.close_all()
        raise
    return credentials, created
