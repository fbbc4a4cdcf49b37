"""User pools and app clients as typed records over their stored Cognito-shaped settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import config_cache
from mfa_portal.storage import Connection, Row

T = TypeVar("T")
TOKEN_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


@dataclass
class Pool:
    id: str
    name: str
    settings: dict[
        str, Any
    ]  # UserPoolType fields (Policies, AliasAttributes, UsernameConfiguration, ...)
    mfa: dict[str, Any]  # MfaConfiguration plus the SetUserPoolMfaConfig factor blocks
    created: float
    modified: float

    @property
    def mfa_configuration(self) -> str:
        return str(self.mfa.get("MfaConfiguration", "OFF"))

    @property
    def totp_enabled(self) -> bool:
        return bool(self.mfa.get("SoftwareTokenMfaConfiguration", {}).get("Enabled", False))

    @property
    def email_mfa_enabled(self) -> bool:
        return "EmailMfaConfiguration" in self.mfa and self.mfa_configuration != "OFF"

    @property
    def sms_mfa_enabled(self) -> bool:
        return "SmsMfaConfiguration" in self.mfa and self.mfa_configuration != "OFF"

    @property
    def case_sensitive(self) -> bool:
        # The API default is case-sensitive (spec §10).
        return bool(self.settings.get("UsernameConfiguration", {}).get("CaseSensitive", True))

    @property
    def alias_attributes(self) -> list[str]:
        return list(self.settings.get("AliasAttributes", []))

    @property
    def username_attributes(self) -> list[str]:
        return list(self.settings.get("UsernameAttributes", []))

    @property
    def password_policy(self) -> dict[str, Any]:
        return dict(self.settings.get("Policies", {}).get("PasswordPolicy", {}))

    def username_key(self, username: str) -> str:
        return username if self.case_sensitive else username.lower()


@dataclass
class AppClient:
    id: str
    pool_id: str
    name: str
    secret: str | None
    settings: dict[str, Any]  # UserPoolClientType fields
    created: float
    modified: float

    @property
    def explicit_auth_flows(self) -> list[str]:
        return list(self.settings.get("ExplicitAuthFlows", []))

    def allows(self, flow: str) -> bool:
        """Whether the client permits ``flow`` (an ``ALLOW_*`` name); legacy-only clients always refresh."""
        legacy = {
            "ALLOW_ADMIN_USER_PASSWORD_AUTH": "ADMIN_NO_SRP_AUTH",
            "ALLOW_USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH",
        }
        flows = self.explicit_auth_flows
        if (
            flow == "ALLOW_REFRESH_TOKEN_AUTH"
            and flows
            and not any(f.startswith("ALLOW_") for f in flows)
        ):
            return True
        return flow in flows or legacy.get(flow, "") in flows

    @property
    def auth_session_seconds(self) -> int:
        return int(self.settings.get("AuthSessionValidity", 3)) * 60

    @property
    def prevent_user_existence_errors(self) -> bool:
        return bool(self.settings.get("PreventUserExistenceErrors", "LEGACY") == "ENABLED")

    @property
    def rotates_refresh_tokens(self) -> bool:
        """``RefreshTokenRotation.Feature``: each refresh hands out a new refresh token."""
        return bool((self.settings.get("RefreshTokenRotation") or {}).get("Feature") == "ENABLED")

    @property
    def refresh_retry_grace_seconds(self) -> int:
        """How long a just-replaced refresh token still works (a client retrying a lost answer)."""
        rotation = self.settings.get("RefreshTokenRotation") or {}
        return int(rotation.get("RetryGracePeriodSeconds", 0))

    @property
    def token_revocation(self) -> bool:
        return bool(self.settings.get("EnableTokenRevocation", True))

    def _validity(self, key: str, unit_key: str, default_seconds: int, default_unit: str) -> int:
        value = self.settings.get(key)
        if value is None:
            return default_seconds
        unit = self.settings.get("TokenValidityUnits", {}).get(unit_key, default_unit)
        return int(value) * TOKEN_UNIT_SECONDS[unit]

    @property
    def access_token_seconds(self) -> int:
        return self._validity("AccessTokenValidity", "AccessToken", 3600, "hours")

    @property
    def id_token_seconds(self) -> int:
        return self._validity("IdTokenValidity", "IdToken", 3600, "hours")

    @property
    def refresh_token_seconds(self) -> int:
        return self._validity("RefreshTokenValidity", "RefreshToken", 30 * 86400, "days")


def pool_from_row(row: Row) -> Pool:
    return Pool(
        row["id"],
        row["name"],
        json.loads(row["settings"]),
        json.loads(row["mfa"]),
        row["created"],
        row["modified"],
    )


def client_from_row(row: Row) -> AppClient:
    return AppClient(
        row["id"],
        row["pool_id"],
        row["name"],
        row["secret"],
        json.loads(row["settings"]),
        row["created"],
        row["modified"],
    )


def load_pool(conn: Connection, pool_id: str, *, stamp: str | None = None) -> Pool:
    """The pool, parsed once per configuration stamp (``config_cache``); its dictionaries are shared
    between calls, so change a pool by assigning new ones, never in place. ``stamp``: the current
    stamp, when the caller already read it (``ConfigCache.get``)."""
    p = _cached(conn, "pools", pool_id, pool_from_row, stamp)
    if p is None:
        raise errors.ResourceNotFoundException(messages.pool_not_found(pool_id))
    return Pool(
        p.id, p.name, p.settings, p.mfa, p.created, p.modified
    )  # a new record, shared dicts


def load_client(
    conn: Connection, client_id: str, pool_id: str | None = None, *, stamp: str | None = None
) -> AppClient:
    """The app client (of ``pool_id``, when given); shared dictionaries and ``stamp`` as in
    ``load_pool``."""
    c = _cached(conn, "clients", client_id, client_from_row, stamp)
    if c is None or (pool_id is not None and c.pool_id != pool_id):
        raise errors.ResourceNotFoundException(messages.client_not_found(client_id))
    return AppClient(c.id, c.pool_id, c.name, c.secret, c.settings, c.created, c.modified)


def _cached(
    conn: Connection, table: str, key: str, parse: Callable[[Row], T], stamp: str | None = None
) -> T | None:
    def load() -> T | None:
        row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (key,)).fetchone()
        return None if row is None else parse(row)

    cache = config_cache.cache_for(conn)
    return load() if cache is None else cache.get(conn, table, key, load, stamp)


def delete_pool(conn: Connection, pool_id: str) -> None:
    """Delete a pool (its clients, users and groups go with it) and invalidate cached copies."""
    conn.execute("DELETE FROM pools WHERE id = ?", (pool_id,))
    config_cache.bump(conn)


def delete_client(conn: Connection, client_id: str) -> None:
    conn.execute("DELETE FROM clients WHERE id = ?", (client_id,))
    config_cache.bump(conn)


def save_pool(conn: Connection, pool: Pool) -> None:
    conn.execute(
        "INSERT INTO pools (id, name, settings, mfa, created, modified) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET name=excluded.name, settings=excluded.settings, mfa=excluded.mfa, "
        "modified=excluded.modified",
        (
            pool.id,
            pool.name,
            json.dumps(pool.settings),
            json.dumps(pool.mfa),
            pool.created,
            pool.modified,
        ),
    )
    config_cache.bump(conn)


def save_client(conn: Connection, client: AppClient) -> None:
    conn.execute(
        "INSERT INTO clients (id, pool_id, name, secret, settings, created, modified) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name=excluded.name, "
        "secret=excluded.secret, settings=excluded.settings, modified=excluded.modified",
        (
            client.id,
            client.pool_id,
            client.name,
            client.secret,
            json.dumps(client.settings),
            client.created,
            client.modified,
        ),
    )
    config_cache.bump(conn)
