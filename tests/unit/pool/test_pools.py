"""Pool and app client records: defaults, token validity units, allowed flows, session lifetime."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.pool.pools import AppClient, Pool, load_client, load_pool, save_client, save_pool
from mfa_portal.pool.storage import Database
from mfa_portal.storage import Connection
from tests.support.cognito_errors import raises_cognito


def client(**settings: Any) -> AppClient:
    return AppClient("c1", "us-east-1_p", "web", None, settings, 0.0, 0.0)


def pool(settings: dict[str, Any] | None = None, mfa: dict[str, Any] | None = None) -> Pool:
    return Pool("us-east-1_p", "p", settings or {}, mfa or {}, 0.0, 0.0)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[Connection]:
    db = Database(tmp_path / "pool.sqlite3")
    with db.transaction() as c:
        yield c
    db.close()


# --- token validity ----------------------------------------------------------------------------


def test_default_token_validities() -> None:
    c = client()
    assert c.access_token_seconds == 3600
    assert c.id_token_seconds == 3600
    assert c.refresh_token_seconds == 30 * 86400


def test_validity_defaults_to_cognitos_units() -> None:
    c = client(AccessTokenValidity=2, IdTokenValidity=3, RefreshTokenValidity=10)
    assert c.access_token_seconds == 2 * 3600  # hours
    assert c.id_token_seconds == 3 * 3600  # hours
    assert c.refresh_token_seconds == 10 * 86400  # days


@pytest.mark.parametrize(
    ("unit", "seconds"),
    [("seconds", 300), ("minutes", 300 * 60), ("hours", 300 * 3600), ("days", 300 * 86400)],
)
def test_validity_units(unit: str, seconds: int) -> None:
    c = client(
        AccessTokenValidity=300,
        IdTokenValidity=300,
        RefreshTokenValidity=300,
        TokenValidityUnits={"AccessToken": unit, "IdToken": unit, "RefreshToken": unit},
    )
    assert c.access_token_seconds == c.id_token_seconds == c.refresh_token_seconds == seconds


def test_units_apply_per_token() -> None:
    c = client(
        AccessTokenValidity=5, IdTokenValidity=5, TokenValidityUnits={"AccessToken": "minutes"}
    )
    assert c.access_token_seconds == 300
    assert c.id_token_seconds == 5 * 3600


# --- flows -------------------------------------------------------------------------------------


def test_allows_listed_flows_only() -> None:
    c = client(ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert c.allows("ALLOW_USER_PASSWORD_AUTH")
    assert c.allows("ALLOW_REFRESH_TOKEN_AUTH")
    assert not c.allows("ALLOW_ADMIN_USER_PASSWORD_AUTH")
    assert not client().allows("ALLOW_USER_PASSWORD_AUTH")


@pytest.mark.parametrize(
    ("legacy", "flow"),
    [
        ("USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"),
        ("ADMIN_NO_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"),
    ],
)
def test_allows_legacy_flow_names(legacy: str, flow: str) -> None:
    c = client(ExplicitAuthFlows=[legacy])
    assert c.allows(flow)
    assert c.explicit_auth_flows == [legacy]


def test_legacy_name_does_not_enable_the_other_flow() -> None:
    c = client(ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"])
    assert not c.allows("ALLOW_USER_PASSWORD_AUTH")


# --- other client properties -------------------------------------------------------------------


def test_auth_session_seconds() -> None:
    assert client().auth_session_seconds == 180  # three minutes by default (spec §4.5)
    assert client(AuthSessionValidity=15).auth_session_seconds == 900


def test_client_flags() -> None:
    assert not client().prevent_user_existence_errors  # API default LEGACY
    assert client(PreventUserExistenceErrors="ENABLED").prevent_user_existence_errors
    assert not client(PreventUserExistenceErrors="LEGACY").prevent_user_existence_errors
    assert client().token_revocation
    assert not client(EnableTokenRevocation=False).token_revocation


# --- pool properties ---------------------------------------------------------------------------


def test_pool_defaults() -> None:
    p = pool()
    assert p.mfa_configuration == "OFF"
    assert not p.totp_enabled and not p.email_mfa_enabled and not p.sms_mfa_enabled
    assert p.case_sensitive  # the API default (spec §10)
    assert p.alias_attributes == [] and p.username_attributes == []
    assert p.password_policy == {}
    assert p.username_key("Alice") == "Alice"


def test_pool_mfa_properties() -> None:
    p = pool(
        mfa={
            "MfaConfiguration": "OPTIONAL",
            "SoftwareTokenMfaConfiguration": {"Enabled": True},
            "EmailMfaConfiguration": {"Message": "{####}"},
        }
    )
    assert p.mfa_configuration == "OPTIONAL"
    assert p.totp_enabled and p.email_mfa_enabled and not p.sms_mfa_enabled


def test_factor_blocks_mean_nothing_while_mfa_is_off() -> None:
    p = pool(
        mfa={"MfaConfiguration": "OFF", "EmailMfaConfiguration": {}, "SmsMfaConfiguration": {}}
    )
    assert not p.email_mfa_enabled and not p.sms_mfa_enabled


def test_case_insensitive_pool_folds_username_keys() -> None:
    p = pool({"UsernameConfiguration": {"CaseSensitive": False}})
    assert not p.case_sensitive
    assert p.username_key("Alice") == "alice"


def test_pool_settings_properties() -> None:
    policy = {"MinimumLength": 12, "RequireSymbols": True}
    p = pool(
        {
            "AliasAttributes": ["email"],
            "UsernameAttributes": ["phone_number"],
            "Policies": {"PasswordPolicy": policy},
        }
    )
    assert p.alias_attributes == ["email"]
    assert p.username_attributes == ["phone_number"]
    assert p.password_policy == policy
    p.password_policy["MinimumLength"] = 1  # a copy: callers cannot change the stored settings
    assert p.password_policy["MinimumLength"] == 12


# --- storage -----------------------------------------------------------------------------------


def test_pool_round_trip_and_upsert(conn: Connection) -> None:
    p = pool({"AliasAttributes": ["email"]}, {"MfaConfiguration": "OPTIONAL"})
    save_pool(conn, p)
    assert load_pool(conn, p.id) == p
    p.name, p.modified, p.created = "renamed", 5.0, 99.0
    save_pool(conn, p)
    again = load_pool(conn, p.id)
    assert again.name == "renamed" and again.modified == 5.0
    assert again.created == 0.0  # creation time is never rewritten


def test_missing_pool(conn: Connection) -> None:
    with raises_cognito("ResourceNotFoundException", "User pool us-east-1_nope does not exist."):
        load_pool(conn, "us-east-1_nope")


def test_client_round_trip_and_pool_check(conn: Connection) -> None:
    save_pool(conn, pool())
    c = client(ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    c.secret = "s3cr3t"
    save_client(conn, c)
    assert load_client(conn, "c1") == c
    assert load_client(conn, "c1", pool_id="us-east-1_p") == c
    with raises_cognito("ResourceNotFoundException", "User pool client c1 does not exist."):
        load_client(conn, "c1", pool_id="us-east-1_other")
    with raises_cognito("ResourceNotFoundException"):
        load_client(conn, "nope")
