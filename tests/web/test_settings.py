"""Settings: defaults, env and .env, and start-up errors that name the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfa_portal.settings import (
    Backend,
    CookieSecure,
    Enforcement,
    EnrolmentProofKind,
    SessionStoreKind,
    SettingsError,
    load_settings,
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("MFA_PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.backend is Backend.EMBEDDED
    assert settings.data_dir == Path(".mfa-portal")
    assert settings.enforcement is Enforcement.REQUIRED
    assert settings.cookie_secure is CookieSecure.AUTO
    assert settings.store_kind is SessionStoreKind.SQLITE
    assert settings.enrolment_proof is EnrolmentProofKind.EMAIL  # docs/security.md says why


def test_env_and_dotenv_and_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "MFA_PORTAL_ISSUER_NAME=Example Corp\nMFA_PORTAL_ENFORCEMENT=optional\n"
    )
    monkeypatch.setenv("MFA_PORTAL_REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = load_settings(data_dir=tmp_path / "flag-dir")
    assert settings.issuer_name == "Example Corp"
    assert settings.enforcement is Enforcement.OPTIONAL
    assert settings.store_kind is SessionStoreKind.REDIS
    assert settings.data_dir == tmp_path / "flag-dir"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MFA_PORTAL_BACKEND": "cognito"}, "MFA_PORTAL_USER_POOL_ID"),
        (
            {"MFA_PORTAL_BACKEND": "cognito", "MFA_PORTAL_USER_POOL_ID": "eu-west-1_abc"},
            "MFA_PORTAL_CLIENT_ID",
        ),
        ({"MFA_PORTAL_BACKEND": "ldap"}, "MFA_PORTAL_BACKEND"),
        ({"MFA_PORTAL_ENFORCEMENT": "sometimes"}, "MFA_PORTAL_ENFORCEMENT"),
        ({"MFA_PORTAL_SESSION_STORE": "redis"}, "MFA_PORTAL_REDIS_URL"),
        ({"MFA_PORTAL_USER_POOL_ID": "nounderscore"}, "MFA_PORTAL_USER_POOL_ID"),
        ({"MFA_PORTAL_SMTP_PORT": "70000"}, "MFA_PORTAL_SMTP_PORT"),
        ({"MFA_PORTAL_SMTP_SECURITY": "ssl"}, "MFA_PORTAL_SMTP_SECURITY"),
        ({"MFA_PORTAL_COOKIE_SECURE": "maybe"}, "MFA_PORTAL_COOKIE_SECURE"),
        ({"MFA_PORTAL_PUBLIC_URL": "portal.example"}, "MFA_PORTAL_PUBLIC_URL"),
        ({"MFA_PORTAL_ISSUER_NAME": "a:b"}, "MFA_PORTAL_ISSUER_NAME"),
        ({"MFA_PORTAL_SESSION_IDLE_MINUTES": "0"}, "MFA_PORTAL_SESSION_IDLE_MINUTES"),
        ({"MFA_PORTAL_ENROLMENT_PROOF": "trust-me"}, "MFA_PORTAL_ENROLMENT_PROOF"),
        ({"MFA_PORTAL_ENROLMENT_CODE_MINUTES": "11"}, "MFA_PORTAL_ENROLMENT_CODE_MINUTES"),
        ({"MFA_PORTAL_ENROLMENT_CODE_MINUTES": "0"}, "MFA_PORTAL_ENROLMENT_CODE_MINUTES"),
        (
            {"MFA_PORTAL_SIGNIN_FAILURES_PER_ADDRESS": "-1"},
            "MFA_PORTAL_SIGNIN_FAILURES_PER_ADDRESS",
        ),
        (
            {"MFA_PORTAL_SIGNIN_FAILURES_PER_ADDRESS": "lots"},
            "MFA_PORTAL_SIGNIN_FAILURES_PER_ADDRESS",
        ),
        (
            {"MFA_PORTAL_POOL_FAILURES_PER_ADDRESS": "-5"},
            "MFA_PORTAL_POOL_FAILURES_PER_ADDRESS",
        ),
    ],
)
def test_wrong_settings_fail_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert named in str(err.value)


def test_secret_values_are_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MFA_PORTAL_SMTP_PORT", "hunter2-not-a-port")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "hunter2" not in str(err.value)
    assert "MFA_PORTAL_SMTP_PORT" in str(err.value)


def test_secret_key_is_generated_once_into_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    first = settings.secret_key_bytes()
    assert len(first) >= 32
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_settings(data_dir=tmp_path / "data").secret_key_bytes() == first


def test_a_pool_id_alone_selects_cognito(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MFA_PORTAL_USER_POOL_ID", "eu-west-1_AbC123")
    monkeypatch.setenv("MFA_PORTAL_CLIENT_ID", "client")
    assert load_settings().backend is Backend.COGNITO
    monkeypatch.setenv("MFA_PORTAL_BACKEND", "embedded")
    assert load_settings().backend is Backend.EMBEDDED
    monkeypatch.delenv("MFA_PORTAL_BACKEND")
    monkeypatch.delenv("MFA_PORTAL_CLIENT_ID")
    with pytest.raises(SettingsError, match="MFA_PORTAL_CLIENT_ID"):
        load_settings()


def test_the_region_comes_from_the_pool_id_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """An eu-west-1 pool is looked for (and its tokens' issuer expected) in eu-west-1."""
    assert load_settings().region == "us-east-1"
    monkeypatch.setenv("MFA_PORTAL_USER_POOL_ID", "eu-west-1_AbC123")
    monkeypatch.setenv("MFA_PORTAL_CLIENT_ID", "client")
    assert load_settings().region == "eu-west-1"
    monkeypatch.setenv("MFA_PORTAL_REGION", "eu-west-1")
    assert load_settings().region == "eu-west-1"


def test_the_region_from_dotenv_agreeing_with_the_pool_id_is_accepted(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "MFA_PORTAL_USER_POOL_ID=ap-southeast-2_XyZ\nMFA_PORTAL_CLIENT_ID=client\n"
    )
    assert load_settings().region == "ap-southeast-2"


@pytest.mark.parametrize("where", ["env", "flag"])
def test_a_region_contradicting_the_pool_id_names_both_variables(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setenv("MFA_PORTAL_USER_POOL_ID", "eu-west-1_AbC123")
    monkeypatch.setenv("MFA_PORTAL_CLIENT_ID", "client")
    overrides: dict[str, str] = {}
    if where == "env":
        monkeypatch.setenv("MFA_PORTAL_REGION", "us-east-1")
    else:
        overrides["region"] = "us-east-1"
    with pytest.raises(SettingsError) as err:
        load_settings(**overrides)
    message = str(err.value)
    assert "MFA_PORTAL_REGION=us-east-1" in message
    assert "MFA_PORTAL_USER_POOL_ID=eu-west-1_AbC123" in message
    assert "eu-west-1" in message.split("contradicts", 1)[1]
