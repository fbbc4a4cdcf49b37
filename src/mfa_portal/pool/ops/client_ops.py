"""Create/Describe/Update/List/DeleteUserPoolClient, with Cognito's defaults and range rules.

Settings are stored in the ``UserPoolClientType`` shape with every default written out (auth flows,
token validities and their units), so ``AppClient`` and DescribeUserPoolClient read the same values.
"""

from __future__ import annotations

import copy
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import ids
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import (
    TOKEN_UNIT_SECONDS,
    AppClient,
    delete_client,
    load_client,
    load_pool,
    save_client,
)
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.storage import Row

DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
LEGACY_FLOWS = ("ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH")

# (member, unit key, default seconds, unit when a value comes without one, min s, max s) — spec §11
_VALIDITIES = (
    ("AccessTokenValidity", "AccessToken", 3600, "hours", 300, 86400),
    ("IdTokenValidity", "IdToken", 3600, "hours", 300, 86400),
    ("RefreshTokenValidity", "RefreshToken", 30 * 86400, "days", 3600, 10 * 365 * 86400),
)
_DEFAULT_UNITS = {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}

# Members kept exactly as given (stored and echoed; OAuth/hosted-UI members are not acted on).
_PASS_THROUGH = (
    "ReadAttributes",
    "WriteAttributes",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AnalyticsConfiguration",
    "RefreshTokenRotation",
)


def _flows(given: list[str] | None) -> list[str]:
    """The client's auth flows; an omitted or empty list means Cognito's default three."""
    if not given:
        return list(DEFAULT_FLOWS)
    flows = list(dict.fromkeys(given))
    if any(f in LEGACY_FLOWS for f in flows) and any(f.startswith("ALLOW_") for f in flows):
        raise errors.InvalidParameterException(messages.MIXED_AUTH_FLOWS)
    return flows


def _validities(p: Params) -> dict[str, Any]:
    """Token lifetimes with explicit units; InvalidParameterException outside spec §11 ranges."""
    given_units = p.get("TokenValidityUnits") or {}
    out: dict[str, Any] = {"TokenValidityUnits": {}}
    seconds: dict[str, int] = {}
    for member, unit_key, default_s, value_unit, low, high in _VALIDITIES:
        value = p.get(member)
        if value is None:
            unit = given_units.get(unit_key, _DEFAULT_UNITS[unit_key])
            value = max(1, default_s // TOKEN_UNIT_SECONDS[unit])
        else:
            unit = given_units.get(unit_key, value_unit)
        seconds[member] = int(value) * TOKEN_UNIT_SECONDS[unit]
        if not low <= seconds[member] <= high:
            raise errors.InvalidParameterException(messages.INVALID_TOKEN_VALIDITY)
        out[member] = int(value)
        out["TokenValidityUnits"][unit_key] = unit
    refresh = seconds["RefreshTokenValidity"]
    if seconds["AccessTokenValidity"] > refresh or seconds["IdTokenValidity"] > refresh:
        raise errors.InvalidParameterException(messages.INVALID_TOKEN_VALIDITY)
    return out


def build_client_settings(p: Params) -> dict[str, Any]:
    """A create or update request as stored settings; omitted members take their defaults."""
    settings: dict[str, Any] = {key: copy.deepcopy(p[key]) for key in _PASS_THROUGH if key in p}
    settings["ExplicitAuthFlows"] = _flows(p.get("ExplicitAuthFlows"))
    settings.update(_validities(p))
    settings["AllowedOAuthFlowsUserPoolClient"] = bool(
        p.get("AllowedOAuthFlowsUserPoolClient", False)
    )
    if settings["AllowedOAuthFlowsUserPoolClient"] and not p.get("AllowedOAuthFlows"):
        raise errors.InvalidParameterException(messages.OAUTH_FLOWS_REQUIRED)
    settings["PreventUserExistenceErrors"] = p.get("PreventUserExistenceErrors", "LEGACY")
    settings["EnableTokenRevocation"] = bool(p.get("EnableTokenRevocation", True))
    settings["EnablePropagateAdditionalUserContextData"] = bool(
        p.get("EnablePropagateAdditionalUserContextData", False)
    )
    settings["AuthSessionValidity"] = int(p.get("AuthSessionValidity", 3))
    return settings


def describe_client(client: AppClient) -> dict[str, Any]:
    """The client as Cognito's ``UserPoolClientType`` (secret included, as Cognito returns it)."""
    described = copy.deepcopy(client.settings)
    described.update(
        {
            "UserPoolId": client.pool_id,
            "ClientName": client.name,
            "ClientId": client.id,
            "CreationDate": client.created,
            "LastModifiedDate": client.modified,
        }
    )
    if client.secret is not None:
        described["ClientSecret"] = client.secret
    return described


def _secret(ctx: Context, p: Params) -> str | None:
    if p.get("ClientSecret") is not None:
        if p.get("GenerateSecret") is False:
            raise errors.InvalidParameterException(messages.CLIENT_SECRET_WITHOUT_GENERATE)
        return str(p["ClientSecret"])
    return ids.new_client_secret(ctx) if p.get("GenerateSecret") else None


@operation("CreateUserPoolClient")
def create_user_pool_client(ctx: Context, p: Params) -> Result:
    settings = build_client_settings(p)
    with ctx.tx() as conn:
        load_pool(conn, p["UserPoolId"])
        client = AppClient(
            ids.new_client_id(ctx),
            p["UserPoolId"],
            p["ClientName"],
            _secret(ctx, p),
            settings,
            ctx.now,
            ctx.now,
        )
        save_client(conn, client)
    return {"UserPoolClient": describe_client(client)}


@operation("DescribeUserPoolClient")
def describe_user_pool_client(ctx: Context, p: Params) -> Result:
    with ctx.read() as conn:
        load_pool(conn, p["UserPoolId"])
        return {
            "UserPoolClient": describe_client(load_client(conn, p["ClientId"], p["UserPoolId"]))
        }


@operation("UpdateUserPoolClient")
def update_user_pool_client(ctx: Context, p: Params) -> Result:
    """As in Cognito, omitted members return to their defaults; the id and secret never change."""
    settings = build_client_settings(p)
    with ctx.tx() as conn:
        load_pool(conn, p["UserPoolId"])
        client = load_client(conn, p["ClientId"], p["UserPoolId"])
        client.name = p.get("ClientName", client.name)
        client.settings, client.modified = settings, ctx.now
        save_client(conn, client)
    return {"UserPoolClient": describe_client(client)}


@operation("DeleteUserPoolClient")
def delete_user_pool_client(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        load_pool(conn, p["UserPoolId"])
        client = load_client(conn, p["ClientId"], p["UserPoolId"])
        conn.execute("DELETE FROM auth_sessions WHERE client_id = ?", (client.id,))
        delete_client(conn, client.id)
    return {}


@operation("ListUserPoolClients")
def list_user_pool_clients(ctx: Context, p: Params) -> Result:
    limit = int(p.get("MaxResults", 60))
    start = ids.decode_page_token(p.get("NextToken")) or ""
    with ctx.read() as conn:
        load_pool(conn, p["UserPoolId"])
        rows = conn.execute(
            "SELECT id, name FROM clients WHERE pool_id = ? AND id >= ? ORDER BY id LIMIT ?",
            (p["UserPoolId"], start, limit + 1),
        ).fetchall()
    result: Result = {"UserPoolClients": [_summary(p["UserPoolId"], row) for row in rows[:limit]]}
    if len(rows) > limit:
        result["NextToken"] = ids.encode_page_token(rows[limit]["id"])
    return result


def _summary(pool_id: str, row: Row) -> dict[str, Any]:
    return {"ClientId": row["id"], "UserPoolId": pool_id, "ClientName": row["name"]}
