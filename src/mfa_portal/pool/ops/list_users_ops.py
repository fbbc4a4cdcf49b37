"""ListUsers: one page of a pool's users, optionally filtered on one searchable attribute.

Pages follow the users' row ids (a prefix search: the searched value, then the row id), so a
PaginationToken stays valid while users are added or removed: no user is listed twice and none
present throughout (with the searched value unchanged) is skipped. Every page is one index range
(see ``user_search``), whatever the pool's size. The token is sealed (encrypted and authenticated,
bound to the pool), so it is opaque and cannot be forged or replayed on another pool."""

from __future__ import annotations

import json
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool.attributes import STANDARD_ATTRIBUTES
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import load_pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.pool.user_filter import parse_filter
from mfa_portal.pool.user_search import search_for
from mfa_portal.pool.users import User, mfa_options, public_user_dict, user_from_row

DEFAULT_LIMIT = 60


def user_type(user: User, attributes_to_get: list[str] | None = None) -> dict[str, Any]:
    """Cognito's UserType (ListUsers, AdminCreateUser): no MFA preference fields."""
    shown = public_user_dict(user)
    shown["Attributes"] = user.attribute_list(attributes_to_get)
    options = mfa_options(user)
    if options:
        shown["MFAOptions"] = options
    return shown


def _token_context(pool_id: str) -> str:
    return f"ListUsers:{pool_id}"


def _read_token(ctx: Context, pool_id: str, token: str | None) -> tuple[int, str | None]:
    """The position a token names: the last listed id and, for a prefix search, its value."""
    if token is None:
        return 0, None
    try:
        position = json.loads(ctx.engine.seal.open(token, _token_context(pool_id)))
        after, key = position["after"], position.get("key")
    except Exception as exc:  # any tampering, truncation or foreign token reads the same
        raise errors.InvalidParameterException(messages.INVALID_PAGINATION_TOKEN) from exc
    if not isinstance(after, int) or not (key is None or isinstance(key, str)):
        raise errors.InvalidParameterException(messages.INVALID_PAGINATION_TOKEN)
    return after, key


def _check_requested(names: list[str] | None) -> None:
    for name in names or []:
        if name not in STANDARD_ATTRIBUTES and not name.startswith("custom:"):
            raise errors.InvalidParameterException(messages.UNKNOWN_REQUESTED_ATTRIBUTES)


@operation("ListUsers")
def list_users(ctx: Context, p: Params) -> Result:
    pool_id = str(p["UserPoolId"])
    search = parse_filter(p.get("Filter"))
    names: list[str] | None = p.get("AttributesToGet")
    _check_requested(names)
    limit = int(p.get("Limit") or DEFAULT_LIMIT)
    after, key = _read_token(ctx, pool_id, p.get("PaginationToken"))
    query = search_for(search)
    if query.order is not None and after and key is None:  # not a page of this kind of search
        raise errors.InvalidParameterException(messages.INVALID_PAGINATION_TOKEN)
    sql, args = query.page_sql(pool_id, after, key, limit + 1)
    with ctx.read() as conn:
        load_pool(conn, pool_id)
        rows = conn.execute(sql, args).fetchall()
    users = [user_from_row(row) for row in rows[:limit]]
    result: Result = {"Users": [user_type(user, names) for user in users]}
    if len(rows) > limit:
        position: dict[str, Any] = {"after": users[-1].id}
        if query.order is not None:
            position["key"] = rows[limit - 1][query.order]
        result["PaginationToken"] = ctx.engine.seal.seal(
            json.dumps(position), _token_context(pool_id)
        )
    return result
