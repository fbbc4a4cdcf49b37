"""User attributes: names, formats, verified flags, and the uniqueness rules of aliases (spec §10).

Values are kept as Cognito returns them: strings, with ``email_verified`` and
``phone_number_verified`` as ``"true"``/``"false"``. ``sub`` is not stored among the
attributes (it is a column) and can never be written. Messages name the attribute, never its value.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool.pools import Pool
from mfa_portal.pool.users import names_another_user
from mfa_portal.storage import Connection, Row

STANDARD_ATTRIBUTES = frozenset(
    {
        "address",
        "birthdate",
        "email",
        "email_verified",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "phone_number",
        "phone_number_verified",
        "picture",
        "preferred_username",
        "profile",
        "sub",
        "updated_at",
        "website",
        "zoneinfo",
    }
)
VERIFIED_FLAGS = {"email_verified": "email", "phone_number_verified": "phone_number"}
READONLY = frozenset({"sub"})

# No whitespace and no control character (C0, DEL, C1) on either side of the one "@": an address
# with a NUL or an escape sequence in it can be delivered to no one and only forges what shows it.
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+")
_PHONE = re.compile(r"\+[0-9]{4,15}")
_SCHEMA = "Attributes did not conform to the schema: "


def to_dict(items: list[dict[str, Any]] | None) -> dict[str, str]:
    """Cognito's ``[{Name, Value}]`` list as a dict (a later duplicate wins)."""
    return {str(item["Name"]): str(item.get("Value") or "") for item in items or []}


def is_email(value: str) -> bool:
    return _EMAIL.fullmatch(value) is not None


def is_phone(value: str) -> bool:
    return _PHONE.fullmatch(value) is not None


def _schema(pool: Pool) -> dict[str, dict[str, Any]] | None:
    """The pool's attribute schema by name, or None when the pool record keeps none."""
    declared = pool.settings.get("SchemaAttributes")
    if declared is None:
        return None
    return {str(a["Name"]): a for a in declared}


def _check_name(pool: Pool, name: str) -> None:
    if name in READONLY:
        raise errors.InvalidParameterException(messages.schema_immutable(name))
    if name in STANDARD_ATTRIBUTES:
        return
    schema = _schema(pool)
    known = name.startswith("custom:") and len(name) > len("custom:")
    if schema is not None:
        known = name in schema
    if not known:
        raise errors.InvalidParameterException(messages.schema_unknown(name))


def validate(pool: Pool, attrs: dict[str, str], *, creating: bool) -> dict[str, str]:
    """Check names and formats; return the attributes with verified flags normalised.

    Blank values are kept (they mean "delete" in an update); ``creating`` drops them and lets
    immutable custom attributes be set.
    """
    schema = _schema(pool) or {}
    out: dict[str, str] = {}
    for name, value in attrs.items():
        _check_name(pool, name)
        if not creating and schema.get(name, {}).get("Mutable") is False:
            raise errors.InvalidParameterException(messages.schema_immutable(name))
        if value == "":
            if not creating:
                out[name] = value
            continue
        if name in VERIFIED_FLAGS:
            if value.lower() not in ("true", "false"):
                raise errors.InvalidParameterException(messages.schema_boolean(name))
            value = value.lower()
        elif name == "email" and not is_email(value):
            raise errors.InvalidParameterException(messages.INVALID_EMAIL)
        elif name == "phone_number" and not is_phone(value):
            raise errors.InvalidParameterException(messages.INVALID_PHONE)
        elif "\x00" in value:  # text nobody types, and PostgreSQL cannot store it
            raise errors.InvalidParameterException(messages.schema_nul(name))
        out[name] = value
    return out


def check_required(pool: Pool, attrs: dict[str, str], *, only: set[str] | None = None) -> None:
    """Every attribute the schema marks Required (of ``only``, when given) must have a value."""
    for name, spec in (_schema(pool) or {}).items():
        if only is not None and name not in only:
            continue
        if spec.get("Required") and name not in READONLY and not attrs.get(name):
            raise errors.InvalidParameterException(messages.schema_required(name))


def apply_changes(current: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
    """AdminUpdateUserAttributes semantics on a copy of ``current``.

    A blank value deletes the attribute (and the verified flag of a deleted email or phone). A new
    email or phone is unverified unless the same call also sends its ``*_verified`` flag.
    """
    result = dict(current)
    for name, value in changes.items():
        if value == "":
            result.pop(name, None)
            continue
        result[name] = value
    for flag, attr in VERIFIED_FLAGS.items():
        if attr not in changes:
            continue
        if changes[attr] == "":
            result.pop(flag, None)
        elif flag not in changes and changes[attr] != current.get(attr):
            result[flag] = "false"
    return result


def check_username(pool: Pool, username: str) -> str | None:
    """Apply the pool's username rules; return the username attribute ``username`` is a value of.

    In a UsernameAttributes pool the given name must be an email or phone number (the caller then
    generates the real username); in an alias pool it must not look like one.
    """
    if pool.username_attributes:
        for attr in pool.username_attributes:
            if (attr == "email" and is_email(username)) or (
                attr == "phone_number" and is_phone(username)
            ):
                return attr
        raise errors.InvalidParameterException(messages.USERNAME_EMAIL_OR_PHONE)
    if "email" in pool.alias_attributes and is_email(username):
        raise errors.InvalidParameterException(messages.USERNAME_NOT_EMAIL)
    if "phone_number" in pool.alias_attributes and is_phone(username):
        raise errors.InvalidParameterException(messages.USERNAME_NOT_PHONE)
    return None


def _holders(
    conn: Connection,
    pool: Pool,
    attr: str,
    value: str,
    user_id: int | None,
    *,
    verified: bool,
) -> list[Row]:
    fold = attr == "email" or (attr == "preferred_username" and not pool.case_sensitive)
    # attr comes from the pool settings (a fixed enum), never from the request
    column = f"json_extract(attributes, '$.{attr}')"
    where = f"lower({column}) = lower(?)" if fold else f"{column} = ?"
    if verified:
        where += f" AND json_extract(attributes, '$.{attr}_verified') = 'true'"
    return conn.execute(
        f"SELECT id, attributes FROM users WHERE pool_id = ? AND id != ? AND {where}",
        (pool.id, -1 if user_id is None else user_id, value),
    ).fetchall()


def enforce_uniqueness(
    conn: Connection,
    pool: Pool,
    attrs: dict[str, str],
    changed: set[str],
    *,
    user_id: int | None,
    force_alias: bool,
    now: float,
) -> None:
    """Refuse (or, with ``force_alias``, move) an alias or username attribute another user holds.

    Username attributes must be unique verified or not; email and phone aliases only once
    verified, and a forced alias is unverified on its previous holder; preferred_username always.
    None may be another user's username or sub (``users.names_another_user``), forced or not.
    """
    creating = user_id is None
    _refuse_other_users_names(conn, pool, attrs, changed, user_id)
    for attr in pool.username_attributes:
        if (
            attr in changed
            and attrs.get(attr)
            and _holders(conn, pool, attr, attrs[attr], user_id, verified=False)
        ):
            cls = errors.UsernameExistsException if creating else errors.AliasExistsException
            raise cls(f"An account with the given {attr} already exists.")
    for attr in pool.alias_attributes:
        if attr in pool.username_attributes or not attrs.get(attr):
            continue
        flag = f"{attr}_verified"
        if attr == "preferred_username":
            if attr in changed and _holders(conn, pool, attr, attrs[attr], user_id, verified=False):
                raise errors.AliasExistsException(messages.alias_exists("preferred_username"))
            continue
        if attrs.get(flag) != "true" or not ({attr, flag} & changed):
            continue
        holders = _holders(conn, pool, attr, attrs[attr], user_id, verified=True)
        if holders and not force_alias:
            raise errors.AliasExistsException(messages.alias_exists(attr))
        for row in holders:
            moved = json.loads(row["attributes"])
            moved[flag] = "false"
            conn.execute(
                "UPDATE users SET attributes = ?, modified = ? WHERE id = ?",
                (json.dumps(moved), now, row["id"]),
            )


def _refuse_other_users_names(
    conn: Connection, pool: Pool, attrs: dict[str, str], changed: set[str], user_id: int | None
) -> None:
    """AliasExistsException for a sign-in attribute set to another user's username or sub, which
    it would otherwise answer for: a name always reaches the user it names first."""
    for attr in dict.fromkeys([*pool.username_attributes, *pool.alias_attributes]):
        touched = attr in changed or f"{attr}_verified" in changed
        value = attrs.get(attr)
        if touched and value and names_another_user(conn, pool, attr, value, user_id):
            raise errors.AliasExistsException(messages.alias_exists(attr))


def new_user_attributes(
    pool: Pool, username: str, given: dict[str, str]
) -> tuple[str | None, dict[str, str]]:
    """A new user's attributes, validated; a UsernameAttributes pool also keeps the sign-in email
    or phone (it must equal the username when given). Returns that attribute's name, if any."""
    attrs = validate(pool, given, creating=True)
    username_attr = check_username(pool, username)
    if username_attr is not None:
        fold = str.lower if username_attr == "email" else str
        if username_attr in attrs and fold(attrs[username_attr]) != fold(username):
            raise errors.InvalidParameterException(
                messages.username_attribute_mismatch(username_attr)
            )
        attrs[username_attr] = username
    check_required(pool, attrs)
    return username_attr, attrs
