"""MFA_PORTAL_SECRET_KEY_FILE: every replica reads the session secret from the same mounted file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfa_portal.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MFA_PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("MFA_PORTAL_SECRET_KEY_FILE", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_the_file_holds_the_secret_and_nothing_is_generated(tmp_path: Path) -> None:
    secret = tmp_path / "session-secret"
    secret.write_text("  s3cret-from-a-mounted-file\n")
    settings = load_settings(data_dir=tmp_path / "data", secret_key_file=str(secret))
    assert settings.secret_key_bytes() == b"s3cret-from-a-mounted-file"
    assert not (tmp_path / "data" / "secret_key").exists()


def test_the_variable_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "session-secret"
    secret.write_text("from-the-file")
    monkeypatch.setenv("MFA_PORTAL_SECRET_KEY", "from-the-variable")
    monkeypatch.setenv("MFA_PORTAL_SECRET_KEY_FILE", str(secret))
    assert load_settings(data_dir=tmp_path).secret_key_bytes() == b"from-the-variable"


@pytest.mark.parametrize(
    ("content", "says"),
    [(None, "cannot read"), ("", "is empty"), ("  \n", "is empty"), (b"\xff\xfe", "not UTF-8")],
)
def test_a_missing_empty_or_unreadable_file_stops_the_start_naming_the_variable(
    tmp_path: Path, content: str | bytes | None, says: str
) -> None:
    path = tmp_path / "session-secret"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(SettingsError) as refused:
        load_settings(data_dir=tmp_path, secret_key_file=str(path))
    message = str(refused.value)
    assert "MFA_PORTAL_SECRET_KEY_FILE" in message
    assert says in message
    assert str(path) in message
