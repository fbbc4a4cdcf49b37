"""Groups and group membership: Create/Get/Update/List/DeleteGroup, AdminAddUserToGroup,
AdminRemoveUserFromGroup, AdminListGroupsForUser and ListUsersInGroup."""

from __future__ import annotations

from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import ids
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import load_pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.pool.users import get_user, public_user_dict, user_from_row
from mfa_portal.storage import Connection, IntegrityError, Row

_COLUMNS = "name, pool_id, description, precedence, role_arn, created, modified"


def group_dict(row: Row) -> dict[str, Any]:
    """A stored group as Cognito's ``GroupType`` (absent optional members omitted)."""
    group: dict[str, Any] = {
        "GroupName": row["name"],
        "UserPoolId": row["pool_id"],
        "CreationDate": row["created"],
        "LastModifiedDate": row["modified"],
    }
    for key, column in (
        ("Description", "description"),
        ("Precedence", "precedence"),
        ("RoleArn", "role_arn"),
    ):
        if row[column] is not None:
            group[key] = row[column]
    return group


def load_group(conn: Connection, pool_id: str, name: str) -> Row:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM groups WHERE pool_id = ? AND name = ?", (pool_id, name)
    ).fetchone()
    if row is None:
        raise errors.ResourceNotFoundException(messages.GROUP_NOT_FOUND)
    return row  # type: ignore[no-any-return]


def _limit(p: Params) -> int:
    return int(p.get("Limit") or 60)


@operation("CreateGroup")
def create_group(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        try:
            conn.execute(
                "INSERT INTO groups (pool_id, name, description, precedence, role_arn, created, modified) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    pool.id,
                    p["GroupName"],
                    p.get("Description"),
                    p.get("Precedence"),
                    p.get("RoleArn"),
                    ctx.now,
                    ctx.now,
                ),
            )
        except IntegrityError as exc:
            raise errors.GroupExistsException(messages.GROUP_EXISTS) from exc
        return {"Group": group_dict(load_group(conn, pool.id, p["GroupName"]))}


@operation("GetGroup")
def get_group(ctx: Context, p: Params) -> Result:
    with ctx.read() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        return {"Group": group_dict(load_group(conn, pool.id, p["GroupName"]))}


@operation("UpdateGroup")
def update_group(ctx: Context, p: Params) -> Result:
    """Members the request omits keep their values."""
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        row = load_group(conn, pool.id, p["GroupName"])
        conn.execute(
            "UPDATE groups SET description = ?, precedence = ?, role_arn = ?, modified = ? "
            "WHERE pool_id = ? AND name = ?",
            (
                p.get("Description", row["description"]),
                p.get("Precedence", row["precedence"]),
                p.get("RoleArn", row["role_arn"]),
                ctx.now,
                pool.id,
                row["name"],
            ),
        )
        return {"Group": group_dict(load_group(conn, pool.id, row["name"]))}


@operation("DeleteGroup")
def delete_group(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        load_group(conn, pool.id, p["GroupName"])
        conn.execute("DELETE FROM groups WHERE pool_id = ? AND name = ?", (pool.id, p["GroupName"]))
    return {}


@operation("ListGroups")
def list_groups(ctx: Context, p: Params) -> Result:
    limit = _limit(p)
    start = ids.decode_page_token(p.get("NextToken")) or ""
    with ctx.read() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM groups WHERE pool_id = ? AND name >= ? ORDER BY name LIMIT ?",
            (pool.id, start, limit + 1),
        ).fetchall()
    return _group_page(rows, limit)


def _group_page(rows: list[Row], limit: int) -> Result:
    result: Result = {"Groups": [group_dict(row) for row in rows[:limit]]}
    if len(rows) > limit:
        result["NextToken"] = ids.encode_page_token(rows[limit]["name"])
    return result


@operation("AdminAddUserToGroup")
def admin_add_user_to_group(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        group = load_group(conn, pool.id, p["GroupName"])
        user = get_user(conn, pool, p["Username"])
        conn.execute(
            "INSERT INTO group_members (pool_id, group_name, user_id) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (pool.id, group["name"], user.id),
        )
    return {}


@operation("AdminRemoveUserFromGroup")
def admin_remove_user_from_group(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        group = load_group(conn, pool.id, p["GroupName"])
        user = get_user(conn, pool, p["Username"])
        conn.execute(
            "DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND user_id = ?",
            (pool.id, group["name"], user.id),
        )
    return {}


@operation("AdminListGroupsForUser")
def admin_list_groups_for_user(ctx: Context, p: Params) -> Result:
    limit = _limit(p)
    start = ids.decode_page_token(p.get("NextToken")) or ""
    with ctx.read() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        user = get_user(conn, pool, p["Username"])
        rows = conn.execute(
            f"SELECT {', '.join('g.' + c for c in _COLUMNS.split(', '))} FROM groups g "
            "JOIN group_members m ON m.pool_id = g.pool_id AND m.group_name = g.name "
            "WHERE m.user_id = ? AND g.name >= ? ORDER BY g.name LIMIT ?",
            (user.id, start, limit + 1),
        ).fetchall()
    return _group_page(rows, limit)


@operation("ListUsersInGroup")
def list_users_in_group(ctx: Context, p: Params) -> Result:
    limit = _limit(p)
    token = ids.decode_page_token(p.get("NextToken"))
    # ASCII digits that fit SQLite's 64-bit integer ("²".isdigit() is true, and int() refuses it).
    if token is not None and not (token.isascii() and token.isdigit() and len(token) <= 18):
        raise errors.InvalidParameterException(messages.INVALID_PAGINATION_TOKEN)
    with ctx.read() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        group = load_group(conn, pool.id, p["GroupName"])
        rows = conn.execute(
            "SELECT u.* FROM users u JOIN group_members m ON m.user_id = u.id "
            "WHERE m.pool_id = ? AND m.group_name = ? AND u.id >= ? ORDER BY u.id LIMIT ?",
            (pool.id, group["name"], int(token or 0), limit + 1),
        ).fetchall()
    result: Result = {"Users": [public_user_dict(user_from_row(row)) for row in rows[:limit]]}
    if len(rows) > limit:
        result["NextToken"] = ids.encode_page_token(str(rows[limit]["id"]))
    return result
