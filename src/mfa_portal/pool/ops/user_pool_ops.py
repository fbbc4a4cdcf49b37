"""CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool and ListUserPools."""

from __future__ import annotations

import copy
import json
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import ids, pool_settings
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import Pool, delete_pool, load_pool, save_pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.storage import Connection, Row


def describe_pool(conn: Connection, ctx: Context, pool: Pool) -> dict[str, Any]:
    """The pool as Cognito's ``UserPoolType``."""
    users = conn.execute("SELECT count(*) FROM users WHERE pool_id = ?", (pool.id,)).fetchone()[0]
    described = copy.deepcopy(pool.settings)
    described.update(
        {
            "Id": pool.id,
            "Name": pool.name,
            "Arn": ids.pool_arn(ctx.engine.region, pool.id),
            "CreationDate": pool.created,
            "LastModifiedDate": pool.modified,
            "MfaConfiguration": pool.mfa_configuration,
            "EstimatedNumberOfUsers": int(users),
        }
    )
    return described


def _sms_block(settings: dict[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {"SmsConfiguration": copy.deepcopy(settings["SmsConfiguration"])}
    if "SmsAuthenticationMessage" in settings:
        block["SmsAuthenticationMessage"] = settings["SmsAuthenticationMessage"]
    return block


def _has_factor(mfa: dict[str, Any]) -> bool:
    totp = bool(mfa.get("SoftwareTokenMfaConfiguration", {}).get("Enabled", False))
    return totp or "EmailMfaConfiguration" in mfa or "SmsMfaConfiguration" in mfa


def _create_mfa(settings: dict[str, Any], level: str) -> dict[str, Any]:
    """CreateUserPool can only configure SMS MFA; TOTP and email come from SetUserPoolMfaConfig."""
    mfa: dict[str, Any] = {"MfaConfiguration": level}
    if level == "OFF":
        return mfa
    if "SmsConfiguration" not in settings or "phone_number" not in settings.get(
        "AutoVerifiedAttributes", []
    ):
        raise errors.InvalidParameterException(messages.SMS_REQUIRED_FOR_MFA)
    mfa["SmsMfaConfiguration"] = _sms_block(settings)
    return mfa


def _updated_mfa(pool: Pool, settings: dict[str, Any], level: str) -> dict[str, Any]:
    if level == "ON" and pool.mfa_configuration != "ON":
        raise errors.InvalidParameterException(messages.MFA_ON_AFTER_CREATION)
    if level == "OFF":
        return {"MfaConfiguration": "OFF"}
    mfa = copy.deepcopy(pool.mfa)
    mfa["MfaConfiguration"] = level
    if "SmsConfiguration" in settings and "phone_number" in settings.get(
        "AutoVerifiedAttributes", []
    ):
        mfa["SmsMfaConfiguration"] = _sms_block(settings)
    if not _has_factor(mfa):
        raise errors.InvalidParameterException(messages.SMS_REQUIRED_FOR_MFA)
    return mfa


@operation("CreateUserPool")
def create_user_pool(ctx: Context, p: Params) -> Result:
    settings = pool_settings.build_settings(p)
    mfa = _create_mfa(settings, p.get("MfaConfiguration", "OFF"))
    pool_settings.check_settings(settings, mfa)
    with ctx.tx() as conn:
        pool = Pool(ids.new_pool_id(ctx), p["PoolName"], settings, mfa, ctx.now, ctx.now)
        save_pool(conn, pool)
        return {"UserPool": describe_pool(conn, ctx, pool)}


@operation("DescribeUserPool")
def describe_user_pool(ctx: Context, p: Params) -> Result:
    with ctx.read() as conn:
        return {"UserPool": describe_pool(conn, ctx, load_pool(conn, p["UserPoolId"]))}


@operation("UpdateUserPool")
def update_user_pool(ctx: Context, p: Params) -> Result:
    """Every omitted member returns to its default, as in Cognito; immutable members are kept."""
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        settings = pool_settings.build_settings(p, base=pool.settings)
        if "UserPoolTags" not in p:
            settings["UserPoolTags"] = dict(pool.settings.get("UserPoolTags", {}))
        mfa = _updated_mfa(pool, settings, p.get("MfaConfiguration", "OFF"))
        pool_settings.check_settings(settings, mfa)
        pool.name = p.get("PoolName", pool.name)
        pool.settings, pool.mfa, pool.modified = settings, mfa, ctx.now
        save_pool(conn, pool)
    return {}


@operation("DeleteUserPool")
def delete_user_pool(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        if pool.settings.get("DeletionProtection") == "ACTIVE":
            raise errors.InvalidParameterException(messages.DELETION_PROTECTED)
        conn.execute("DELETE FROM auth_sessions WHERE pool_id = ?", (pool.id,))
        delete_pool(conn, pool.id)
    return {}


@operation("ListUserPools")
def list_user_pools(ctx: Context, p: Params) -> Result:
    limit = int(p["MaxResults"])
    start = ids.decode_page_token(p.get("NextToken")) or ""
    with ctx.read() as conn:
        rows = conn.execute(
            "SELECT id, name, settings, created, modified FROM pools "
            "WHERE id >= ? ORDER BY id LIMIT ?",
            (start, limit + 1),
        ).fetchall()
    result: Result = {"UserPools": [_description(row) for row in rows[:limit]]}
    if len(rows) > limit:
        result["NextToken"] = ids.encode_page_token(rows[limit]["id"])
    return result


def _description(row: Row) -> dict[str, Any]:
    settings = json.loads(row["settings"])
    return {
        "Id": row["id"],
        "Name": row["name"],
        "LambdaConfig": settings.get("LambdaConfig", {}),
        "CreationDate": row["created"],
        "LastModifiedDate": row["modified"],
    }
