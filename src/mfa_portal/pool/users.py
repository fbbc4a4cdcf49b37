"""Users as typed records, and resolution of a sign-in name to a user.

A name resolves as Cognito does (spec §10): the username (case-folded when the pool is
case-insensitive), then the ``sub``, then a *verified* alias attribute (email, phone_number,
preferred_username) when the pool lists it in ``AliasAttributes``, or any value of a
``UsernameAttributes`` attribute.

Those names must reach one user whatever the order, so a new username may not equal another user's
sub or sign-in attribute value (``username_taken``), nor such a value another user's username or sub
(``names_another_user``): otherwise anyone who signs up as a victim's sub or preferred_username
takes over every call that names the victim by it. A sub, which nobody chooses, is tried first when
the name has its shape, so a collision stored before those checks existed still reaches its owner.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import json_codec
from mfa_portal.pool.pools import Pool
from mfa_portal.storage import Connection, Row

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class User:
    id: int
    pool_id: str
    username: str
    sub: str
    status: str
    enabled: bool
    attributes: dict[str, str]
    password_hash: str | None
    temp_password_expires: float | None
    mfa_enabled: list[str]
    preferred_mfa: str | None
    tokens_valid_after: float
    failed_attempts: int
    last_failure: float
    locked_until: float
    created: float
    modified: float
    groups: list[str] = field(default_factory=list)
    # What ``save_user`` writes, as read from the row (empty: never read from one); compared by
    # ``save_user_if_changed``.
    stored: tuple[object, ...] = field(default=(), repr=False, compare=False)

    def attribute_list(self, names: list[str] | None = None) -> list[dict[str, str]]:
        """Cognito's ``[{Name, Value}]`` list, ``sub`` first, optionally restricted to ``names``."""
        items = [{"Name": "sub", "Value": self.sub}]
        items += [{"Name": k, "Value": v} for k, v in sorted(self.attributes.items())]
        if names is not None:
            items = [item for item in items if item["Name"] in names]
        return items


def user_from_row(row: Row) -> User:
    user = User(
        id=row["id"],
        pool_id=row["pool_id"],
        username=row["username"],
        sub=row["sub"],
        status=row["status"],
        enabled=bool(row["enabled"]),
        attributes=json_codec.loads_text(row["attributes"]),
        password_hash=row["password_hash"],
        temp_password_expires=row["temp_password_expires"],
        mfa_enabled=json_codec.loads_text(row["mfa_enabled"]),
        preferred_mfa=row["preferred_mfa"],
        tokens_valid_after=row["tokens_valid_after"],
        failed_attempts=row["failed_attempts"],
        last_failure=row["last_failure"],
        locked_until=row["locked_until"],
        created=row["created"],
        modified=row["modified"],
    )
    user.stored = _written(user)
    return user


def _written(user: User) -> tuple[object, ...]:
    """The values ``save_user`` writes, copied so that changes made in place show."""
    return (
        user.status,
        user.enabled,
        dict(user.attributes),
        user.password_hash,
        user.temp_password_expires,
        list(user.mfa_enabled),
        user.preferred_mfa,
        user.tokens_valid_after,
        user.failed_attempts,
        user.last_failure,
        user.locked_until,
    )


def username_taken(conn: Connection, pool: Pool, username: str) -> bool:
    """Whether ``username`` already names someone in ``pool``, by the pool's case rules: as a
    username, a sub, or a value of a sign-in attribute (UsernameAttributes, AliasAttributes,
    verified or not). What a new user's name must not be."""
    key = pool.username_key(username)  # subs are lower case, so a folded name compares as is
    row = conn.execute(
        "SELECT 1 FROM users WHERE pool_id = ? AND (username_key = ? OR sub = ?)",
        (pool.id, key, key),
    ).fetchone()
    if row is not None:
        return True
    attrs = [*pool.username_attributes, *pool.alias_attributes]
    return any(
        _match_attribute(conn, pool, attr, username, verified_only=False) is not None
        for attr in attrs
    )


def names_another_user(
    conn: Connection, pool: Pool, attr: str, value: str, user_id: int | None
) -> bool:
    """Whether ``value``, about to become sign-in attribute ``attr`` of ``user_id`` (None: a new
    user), is another user's username or sub as the lookup would compare them."""
    folds = attr == "email" or not pool.case_sensitive  # as ``_match_attribute`` folds the value
    # Both forms, each an indexed lookup: in a case-sensitive pool an address is compared folded,
    # and a username there cannot look like an address in the first place (an email alias pool
    # refuses such usernames), so its exact form and its folded form are the ones that can meet.
    other = -1 if user_id is None else user_id
    for name in sorted({value, value.lower()} if folds else {value}):
        for column in ("username_key", "sub"):  # one indexed lookup each (an OR scans the pool)
            row = conn.execute(
                f"SELECT 1 FROM users WHERE pool_id = ? AND {column} = ? AND id != ?",
                (pool.id, name, other),
            ).fetchone()
            if row is not None:
                return True
    return False


def find_user(conn: Connection, pool: Pool, name: str) -> User | None:
    """The user a sign-in name refers to, or None."""
    row = _find_by_sub(conn, pool, name) if _UUID.fullmatch(name) else None
    if row is None:
        row = conn.execute(
            "SELECT * FROM users WHERE pool_id = ? AND username_key = ?",
            (pool.id, pool.username_key(name)),
        ).fetchone()
    if row is None:
        row = _find_by_alias(conn, pool, name)
    return None if row is None else user_from_row(row)


def _find_by_sub(conn: Connection, pool: Pool, name: str) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT * FROM users WHERE pool_id = ? AND sub = ?", (pool.id, name)
    ).fetchone()
    return row


def _find_by_alias(conn: Connection, pool: Pool, name: str) -> Row | None:
    for attr in pool.username_attributes:
        row = _match_attribute(conn, pool, attr, name, verified_only=False)
        if row is not None:
            return row
    for attr in pool.alias_attributes:
        row = _match_attribute(conn, pool, attr, name, verified_only=attr != "preferred_username")
        if row is not None:
            return row
    return None


def _match_attribute(
    conn: Connection, pool: Pool, attr: str, value: str, *, verified_only: bool
) -> Row | None:
    fold = attr == "email" or (attr == "preferred_username" and not pool.case_sensitive)
    column = f"json_extract(attributes, '$.{attr}')"
    where = f"lower({column}) = lower(?)" if fold else f"{column} = ?"
    if verified_only:
        where += f" AND json_extract(attributes, '$.{attr}_verified') = 'true'"
    row: Row | None = conn.execute(  # attr comes from the pool's settings (an enum)
        f"SELECT * FROM users WHERE pool_id = ? AND {where} ORDER BY modified DESC LIMIT 1",
        (pool.id, value),
    ).fetchone()
    return row


def get_user(conn: Connection, pool: Pool, name: str) -> User:
    """The user, or ``UserNotFoundException`` (admin operations always reveal existence)."""
    user = find_user(conn, pool, name)
    if user is None:
        raise errors.UserNotFoundException(messages.USER_NOT_FOUND)
    user.groups = user_groups(conn, user.id)
    return user


def load_user_by_id(conn: Connection, user_id: int, *, groups: bool = True) -> User:
    """The user with their groups; ``groups=False`` for a caller that only signs the user in
    (``token_store.start_family`` reads the groups it puts in the tokens itself)."""
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise errors.UserNotFoundException(messages.USER_NOT_FOUND)
    user = user_from_row(row)
    if groups:
        user.groups = user_groups(conn, user.id)
    return user


def user_groups(conn: Connection, user_id: int) -> list[str]:
    rows = conn.execute(
        "SELECT m.group_name FROM group_members m JOIN groups g ON g.pool_id = m.pool_id "
        "AND g.name = m.group_name WHERE m.user_id = ? ORDER BY g.precedence IS NULL, g.precedence, g.name",
        (user_id,),
    ).fetchall()
    return [r[0] for r in rows]


def save_user(conn: Connection, user: User, now: float) -> None:
    """Write back every mutable column of an existing user."""
    user.modified = now
    conn.execute(
        "UPDATE users SET status=?, enabled=?, attributes=?, email=?, password_hash=?, "
        "temp_password_expires=?, mfa_enabled=?, preferred_mfa=?, tokens_valid_after=?, "
        "failed_attempts=?, last_failure=?, locked_until=?, modified=? WHERE id=?",
        (
            user.status,
            int(user.enabled),
            json.dumps(user.attributes),
            user.attributes.get("email"),  # the indexed copy ListUsers searches (migration 8)
            user.password_hash,
            user.temp_password_expires,
            json.dumps(user.mfa_enabled),
            user.preferred_mfa,
            user.tokens_valid_after,
            user.failed_attempts,
            user.last_failure,
            user.locked_until,
            user.modified,
            user.id,
        ),
    )
    user.stored = _written(user)


def save_user_if_changed(conn: Connection, user: User, now: float) -> None:
    """``save_user``, unless nothing it writes differs from the row as read: a sign-in with no
    failures to forget leaves the row (and its ``UserLastModifiedDate``) alone, and costs no write."""
    if user.stored != _written(user):
        save_user(conn, user, now)


def public_user_dict(user: User) -> dict[str, Any]:
    """Fields shared by AdminGetUser and ListUsers' UserType."""
    return {
        "Username": user.username,
        "Attributes": user.attribute_list(),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }


def mfa_options(user: User) -> list[dict[str, str]]:
    """The legacy MFAOptions: SMS only (spec §3.1)."""
    if "SMS_MFA" in user.mfa_enabled and user.attributes.get("phone_number"):
        return [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    return []


def mfa_fields(user: User) -> dict[str, Any]:
    """GetUser's and AdminGetUser's MFA fields, each omitted when empty (as Cognito does)."""
    fields: dict[str, Any] = {}
    options = mfa_options(user)
    if options:
        fields["MFAOptions"] = options
    if user.preferred_mfa:
        fields["PreferredMfaSetting"] = user.preferred_mfa
    if user.mfa_enabled:
        fields["UserMFASettingList"] = list(user.mfa_enabled)
    return fields


def insert_user(
    conn: Connection,
    pool: Pool,
    *,
    username: str,
    sub: str,
    status: str,
    attrs: dict[str, str],
    password_hash: str,
    temp_password_expires: float | None,
    now: float,
) -> User:
    """A new user row (AdminCreateUser, SignUp), returned as stored."""
    cursor = conn.execute(
        "INSERT INTO users (pool_id, username, username_key, sub, status, enabled, attributes, "
        "email, password_hash, temp_password_expires, created, modified) "
        "VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            pool.id,
            username,
            pool.username_key(username),
            sub,
            status,
            json.dumps(attrs),
            attrs.get("email"),
            password_hash,
            temp_password_expires,
            now,
            now,
        ),
    )
    return load_user_by_id(conn, int(cursor.fetchone()[0]))
