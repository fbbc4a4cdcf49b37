"""Admin user operations: create, read, delete, set password, attributes, enable and disable.

Passwords are hashed (argon2id) before the write transaction opens, so the database's write lock
is never held during the slow hash, and the invitation is sent after commit. Shapes were validated
at dispatch; these handlers do the semantic checks only.
"""

from __future__ import annotations

import uuid

from mfa_portal.cognito_api import errors, messages
from mfa_portal.mail import Message
from mfa_portal.pool import attributes, token_store
from mfa_portal.pool.context import Context
from mfa_portal.pool.delivery import send_all
from mfa_portal.pool.ops.list_users_ops import user_type
from mfa_portal.pool.password_policy import (
    enforce_policy,
    generate_temporary_password,
    temporary_password_seconds,
)
from mfa_portal.pool.pools import Pool, load_pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.pool.srp_store import new_verifier, store_verifier
from mfa_portal.pool.users import (
    User,
    get_user,
    insert_user,
    load_user_by_id,
    mfa_fields,
    save_user,
    username_taken,
)
from mfa_portal.storage import Connection

DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_INVITE_BODY = "Your username is {username} and temporary password is {####}."


def _read_user(ctx: Context, p: Params) -> tuple[Pool, User]:
    with ctx.read() as conn:
        pool = load_pool(conn, str(p["UserPoolId"]))
        return pool, get_user(conn, pool, str(p["Username"]))


def _sign_in_name(pool: Pool, user: User) -> str:
    """What the user types to sign in: the email or phone in a UsernameAttributes pool."""
    for attr in pool.username_attributes:
        if user.attributes.get(attr):
            return user.attributes[attr]
    return user.username


def _invite(ctx: Context, pool: Pool, user: User, password: str, p: Params) -> None:
    """Send the invitation by email unless suppressed, SMS-only or the user has no email."""
    mediums = p.get("DesiredDeliveryMediums")
    email = user.attributes.get("email")
    if p.get("MessageAction") == "SUPPRESS" or not email:
        return
    if mediums is not None and "EMAIL" not in mediums:
        return
    template = pool.settings.get("AdminCreateUserConfig", {}).get("InviteMessageTemplate", {})
    body = str(template.get("EmailMessage") or DEFAULT_INVITE_BODY)
    if "{####}" not in body:  # Cognito does not deliver an invitation without the password
        return
    body = body.replace("{username}", _sign_in_name(pool, user)).replace("{####}", password)
    subject = str(template.get("EmailSubject") or DEFAULT_INVITE_SUBJECT)
    # The user exists either way; MessageAction=RESEND retries.
    send_all(
        ctx.engine.mailer,
        [Message(to=email, subject=subject, body=body)],
        failure=messages.INVITATION_DELIVERY_FAILED,
    )


def _temporary_password(ctx: Context, pool: Pool, p: Params) -> str:
    given = p.get("TemporaryPassword")
    if given is None:
        return generate_temporary_password(ctx, pool)
    enforce_policy(pool, str(given), field="temporaryPassword")
    return str(given)


@operation("AdminCreateUser")
def admin_create_user(ctx: Context, p: Params) -> Result:
    if p.get("MessageAction") == "RESEND":
        return _resend_invitation(ctx, p)
    given = str(p["Username"])
    with ctx.read() as conn:
        pool = load_pool(conn, str(p["UserPoolId"]))
    username_attr, attrs = attributes.new_user_attributes(
        pool, given, attributes.to_dict(p.get("UserAttributes"))
    )
    sub = str(uuid.UUID(bytes=ctx.random_bytes(16), version=4))
    username = sub if username_attr is not None else given
    password = _temporary_password(ctx, pool, p)
    password_hash = ctx.engine.hasher.hash(password)  # both before the write lock
    verifier = new_verifier(ctx, pool_id=pool.id, username=username, password=password)
    with ctx.tx() as conn:
        pool = load_pool(conn, pool.id)
        if username_taken(conn, pool, username):
            raise errors.UsernameExistsException(messages.USER_EXISTS)
        attributes.enforce_uniqueness(
            conn,
            pool,
            attrs,
            set(attrs),
            user_id=None,
            force_alias=bool(p.get("ForceAliasCreation")),
            now=ctx.now,
        )
        user = insert_user(
            conn,
            pool,
            username=username,
            sub=sub,
            status="FORCE_CHANGE_PASSWORD",
            attrs=attrs,
            password_hash=password_hash,
            temp_password_expires=ctx.now + temporary_password_seconds(pool),
            now=ctx.now,
        )
        store_verifier(ctx, conn, user.id, verifier)
    _invite(ctx, pool, user, password, p)
    return {"User": user_type(user)}


def _resend_invitation(ctx: Context, p: Params) -> Result:
    """MessageAction=RESEND: a new temporary password and expiry for a user who never signed in."""
    pool, user = _read_user(ctx, p)
    if user.status != "FORCE_CHANGE_PASSWORD":
        raise errors.UnsupportedUserStateException(messages.resend_refused(user.status))
    password = _temporary_password(ctx, pool, p)
    password_hash = ctx.engine.hasher.hash(password)
    verifier = new_verifier(ctx, pool_id=pool.id, username=user.username, password=password)
    with ctx.tx() as conn:
        user = load_user_by_id(conn, user.id)
        if user.status != "FORCE_CHANGE_PASSWORD":
            raise errors.UnsupportedUserStateException(messages.resend_refused(user.status))
        user.password_hash = password_hash
        user.temp_password_expires = ctx.now + temporary_password_seconds(pool)
        save_user(conn, user, ctx.now)
        store_verifier(ctx, conn, user.id, verifier)
    _invite(ctx, pool, user, password, p)
    return {"User": user_type(user)}


@operation("AdminGetUser")
def admin_get_user(ctx: Context, p: Params) -> Result:
    _, user = _read_user(ctx, p)
    result: Result = {
        "Username": user.username,
        "UserAttributes": user.attribute_list(),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
        **mfa_fields(user),
    }
    return result


@operation("AdminDeleteUser")
def admin_delete_user(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, str(p["UserPoolId"]))
        user = get_user(conn, pool, str(p["Username"]))
        # Cascades to the user's software token, sessions, token families and group memberships.
        conn.execute("DELETE FROM users WHERE id = ?", (user.id,))
    return {}


@operation("AdminSetUserPassword")
def admin_set_user_password(ctx: Context, p: Params) -> Result:
    pool, user = _read_user(ctx, p)
    enforce_policy(pool, str(p["Password"]))
    password_hash = ctx.engine.hasher.hash(str(p["Password"]))
    verifier = new_verifier(
        ctx, pool_id=pool.id, username=user.username, password=str(p["Password"])
    )
    permanent = bool(p.get("Permanent", False))
    with ctx.tx() as conn:
        user = load_user_by_id(conn, user.id)
        user.password_hash = password_hash
        user.status = "CONFIRMED" if permanent else "FORCE_CHANGE_PASSWORD"
        expires = ctx.now + temporary_password_seconds(pool)
        user.temp_password_expires = None if permanent else expires
        save_user(conn, user, ctx.now)
        store_verifier(ctx, conn, user.id, verifier)
    return {}


def _store_attributes(
    ctx: Context, conn: Connection, pool: Pool, user: User, changes: dict[str, str]
) -> None:
    """Apply validated changes; deletions keep required and username attributes; aliases unique."""
    updated = attributes.apply_changes(user.attributes, changes)
    deleted = {name for name, value in changes.items() if value == ""}
    attributes.check_required(pool, updated, only=deleted)
    if pool.username_attributes and not any(updated.get(a) for a in pool.username_attributes):
        raise errors.InvalidParameterException(messages.SIGN_IN_ATTRIBUTE_REQUIRED)
    attributes.enforce_uniqueness(
        conn, pool, updated, set(changes), user_id=user.id, force_alias=False, now=ctx.now
    )
    user.attributes = updated
    save_user(conn, user, ctx.now)


@operation("AdminUpdateUserAttributes")
def admin_update_user_attributes(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, str(p["UserPoolId"]))
        user = get_user(conn, pool, str(p["Username"]))
        changes = attributes.validate(pool, attributes.to_dict(p["UserAttributes"]), creating=False)
        _store_attributes(ctx, conn, pool, user, changes)
    return {}


@operation("AdminDeleteUserAttributes")
def admin_delete_user_attributes(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, str(p["UserPoolId"]))
        user = get_user(conn, pool, str(p["Username"]))
        names = {str(name): "" for name in p["UserAttributeNames"]}
        changes = attributes.validate(pool, names, creating=False)
        _store_attributes(ctx, conn, pool, user, changes)
    return {}


@operation("AdminDisableUser")
def admin_disable_user(ctx: Context, p: Params) -> Result:
    """Disable and revoke every token and pending challenge; the user stays listed."""
    with ctx.tx() as conn:
        pool = load_pool(conn, str(p["UserPoolId"]))
        user = get_user(conn, pool, str(p["Username"]))
        user.enabled = False
        token_store.revoke_user_tokens(ctx, conn, user)  # also saves the user
    return {}


@operation("AdminEnableUser")
def admin_enable_user(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, str(p["UserPoolId"]))
        user = get_user(conn, pool, str(p["Username"]))
        user.enabled = True
        save_user(conn, user, ctx.now)
    return {}
