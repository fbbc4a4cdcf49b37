"""Who may sign in: AdminSetUserPassword, AdminDisableUser and AdminEnableUser through the engine."""

from __future__ import annotations

from mfa_portal.clock import FakeClock
from mfa_portal.pool import auth_sessions
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_client, load_pool
from mfa_portal.pool.token_store import start_family
from mfa_portal.pool.users import get_user, save_user
from tests.support import user_admin_world
from tests.support.cognito_errors import raises_cognito
from tests.support.user_admin_world import DAY, TEMP, call, create, stored

pool_id = user_admin_world.pool_id  # the fixture, shared by the user-admin test modules


# --- AdminSetUserPassword ----------------------------------------------------------------------


def test_set_permanent_password_confirms(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    assert (
        call(
            engine,
            "AdminSetUserPassword",
            UserPoolId=pool_id,
            Username="alice",
            Password="Perm-Pass-456!",
            Permanent=True,
        )
        == {}
    )
    record = stored(engine, pool_id, "alice")
    assert (record.status, record.temp_password_expires) == ("CONFIRMED", None)
    assert engine.hasher.verify(record.password_hash, "Perm-Pass-456!")
    assert not engine.hasher.verify(record.password_hash, TEMP)


def test_set_temporary_password_forces_a_change(
    engine: Engine, pool_id: str, clock: FakeClock
) -> None:
    create(engine, pool_id, "alice")
    call(
        engine,
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username="alice",
        Password=TEMP,
        Permanent=True,
    )
    clock.advance(DAY)
    call(
        engine,
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username="alice",
        Password="Next-Pass-789!",
    )
    record = stored(engine, pool_id, "alice")
    assert record.status == "FORCE_CHANGE_PASSWORD"
    assert record.temp_password_expires == clock.now() + 7 * DAY


def test_set_password_enforces_the_policy(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    before = stored(engine, pool_id, "alice").password_hash
    with raises_cognito(
        "InvalidPasswordException", "Password did not conform with policy: Password not long enough"
    ):
        call(
            engine,
            "AdminSetUserPassword",
            UserPoolId=pool_id,
            Username="alice",
            Password="Ab1!",
            Permanent=True,
        )
    after = stored(engine, pool_id, "alice")
    assert (after.password_hash, after.status) == (before, "FORCE_CHANGE_PASSWORD")


def test_set_password_leaves_mfa_alone(engine: Engine, pool_id: str) -> None:
    create(engine, pool_id, "alice")
    with engine.db.transaction() as conn:
        user = get_user(conn, load_pool(conn, pool_id), "alice")
        user.mfa_enabled, user.preferred_mfa = ["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA"
        save_user(conn, user, 0.0)
        conn.execute(
            "INSERT INTO software_tokens (user_id, secret) VALUES (?, 'sealed')", (user.id,)
        )
    call(
        engine,
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username="alice",
        Password="Perm-Pass-456!",
        Permanent=True,
    )
    shown = call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")
    assert shown["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    with engine.db.read() as conn:
        assert conn.execute("SELECT secret FROM software_tokens").fetchone()[0] == "sealed"


def test_set_password_of_unknown_user(engine: Engine, pool_id: str) -> None:
    with raises_cognito("UserNotFoundException", "User does not exist."):
        call(engine, "AdminSetUserPassword", UserPoolId=pool_id, Username="nobody", Password=TEMP)


# --- AdminDisableUser / AdminEnableUser --------------------------------------------------------


def signed_in(engine: Engine, pool_id: str, username: str) -> tuple[str, str]:
    """Tokens and a pending challenge session for ``username``, issued as a sign-in would."""
    client_id = call(engine, "CreateUserPoolClient", UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    ctx = Context(engine, engine.clock.now(), None)
    with engine.db.transaction() as conn:
        pool = load_pool(conn, pool_id)
        user = get_user(conn, pool, username)
        result = start_family(ctx, conn, pool, load_client(conn, client_id), user).sign(
            ctx.engine.signer
        )
        session = auth_sessions.create_session(
            ctx,
            conn,
            pool_id=pool_id,
            client_id=client_id,
            user_id=user.id,
            stage=auth_sessions.SessionStage.PASSWORD_OK,
            challenge="SOFTWARE_TOKEN_MFA",
            ttl_seconds=180,
        )
    return str(result["AccessToken"]), session


def test_disable_blocks_the_user_and_revokes_tokens(
    engine: Engine, pool_id: str, clock: FakeClock
) -> None:
    create(engine, pool_id, "alice")
    call(
        engine,
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username="alice",
        Password=TEMP,
        Permanent=True,
    )
    access, session = signed_in(engine, pool_id, "alice")
    assert engine.call("GetUser", {"AccessToken": access})["Username"] == "alice"
    clock.advance(5)
    assert call(engine, "AdminDisableUser", UserPoolId=pool_id, Username="alice") == {}
    assert call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")["Enabled"] is False
    assert [u["Username"] for u in call(engine, "ListUsers", UserPoolId=pool_id)["Users"]] == [
        "alice"
    ]
    with raises_cognito("NotAuthorizedException"):
        engine.call("GetUser", {"AccessToken": access})
    with engine.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM auth_sessions").fetchone()[0] == 0
        assert conn.execute("SELECT revoked FROM token_families").fetchone()[0] == 1
    assert stored(engine, pool_id, "alice").tokens_valid_after == clock.now()
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        with engine.db.read() as conn:
            auth_sessions.load_session(Context(engine, clock.now(), None), conn, session)

    call(engine, "AdminEnableUser", UserPoolId=pool_id, Username="alice")
    assert call(engine, "AdminGetUser", UserPoolId=pool_id, Username="alice")["Enabled"] is True
    with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
        engine.call("GetUser", {"AccessToken": access})


def test_enable_and_disable_unknown_user(engine: Engine, pool_id: str) -> None:
    for op in ("AdminDisableUser", "AdminEnableUser"):
        with raises_cognito("UserNotFoundException", "User does not exist."):
            call(engine, op, UserPoolId=pool_id, Username="nobody")
