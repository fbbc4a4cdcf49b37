"""First start: the default pool, its client, the admins group and the first admin user."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.cognito_api.secret_hash import secret_hash_parameter
from mfa_portal.pool.client import EngineCognitoClient
from mfa_portal.pool.engine import Engine
from mfa_portal.settings import load_settings
from mfa_portal.wiring.backend import open_embedded
from mfa_portal.wiring.bootstrap import ensure_default_pool, load_ids


def test_first_start_creates_the_default_pool(engine: Engine, tmp_path: Path) -> None:
    idp = EngineCognitoClient(engine)
    boot = ensure_default_pool(idp, tmp_path / "data")
    assert boot.created and boot.admin_username == "admin" and boot.admin_password
    pool_id, client_id = boot.ids.user_pool_id, boot.ids.client_id

    mfa = idp.call("GetUserPoolMfaConfig", UserPoolId=pool_id)
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    pool = idp.call("DescribeUserPool", UserPoolId=pool_id)["UserPool"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["AliasAttributes"] == ["email"]
    client = idp.call("DescribeUserPoolClient", UserPoolId=pool_id, ClientId=client_id)
    assert set(client["UserPoolClient"]["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    admin = idp.call("AdminGetUser", UserPoolId=pool_id, Username="admin")
    assert admin["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    groups = idp.call("AdminListGroupsForUser", UserPoolId=pool_id, Username="admin")
    assert [g["GroupName"] for g in groups["Groups"]] == ["admins"]
    # Confidential: only the portal, which holds the secret, signs in through it.
    secret = client["UserPoolClient"]["ClientSecret"]
    password = {"USERNAME": "ADMIN", "PASSWORD": boot.admin_password}
    with pytest.raises(CognitoError, match="configured for secret but secret was not received"):
        idp.call(
            "InitiateAuth",
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=client_id,
            AuthParameters=password,
        )
    challenge = idp.call(
        "InitiateAuth",
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client_id,
        AuthParameters={**password, **secret_hash_parameter(secret, "ADMIN", client_id)},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_later_starts_reuse_the_pool_and_show_no_password(engine: Engine, tmp_path: Path) -> None:
    idp = EngineCognitoClient(engine)
    first = ensure_default_pool(idp, tmp_path / "data")
    again = ensure_default_pool(idp, tmp_path / "data")
    assert not again.created and again.admin_password is None
    assert again.ids == first.ids == load_ids(tmp_path / "data")
    assert len(idp.call("ListUserPools", MaxResults=10)["UserPools"]) == 1


def test_admin_password_from_the_environment_is_not_printed(engine: Engine, tmp_path: Path) -> None:
    boot = ensure_default_pool(
        EngineCognitoClient(engine), tmp_path / "d", admin_password="Env-Pass-123!"
    )
    assert boot.admin_password is None and boot.admin_password_from_env


def test_serve_refuses_wrong_settings_naming_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mfa_portal.cli import _load_commands, app

    _load_commands()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MFA_PORTAL_BACKEND", "cognito")
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "MFA_PORTAL_USER_POOL_ID" in result.output


def test_serve_on_a_busy_port_stops_before_creating_the_pool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Else the one-time admin password is printed, the bind fails, and the next start hides it."""
    import socket

    from mfa_portal.cli import _load_commands, app

    _load_commands()
    monkeypatch.chdir(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            app, ["serve", "--port", str(port), "--data-dir", str(tmp_path / "d")]
        )
        pool = CliRunner().invoke(
            app, ["pool", "serve", "--port", str(port), "--data-dir", str(tmp_path / "p")]
        )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: address already in use; "
        "choose another port (--port, or `make run PORT=…`)"
    ]
    assert not (tmp_path / "d").exists()
    assert pool.exit_code == 2  # `make run` starts the portal, not the pool: only --port
    assert pool.output.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: address already in use; "
        "choose another port (--port)"
    ]
    assert not (tmp_path / "p").exists()


def test_serve_on_an_unknown_host_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mfa_portal.cli import _load_commands, app

    _load_commands()
    monkeypatch.chdir(tmp_path)
    args = ["serve", "--host", "no-such-host.invalid", "--data-dir", str(tmp_path / "d")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: cannot listen on no-such-host.invalid:8000: ")
    assert "port" not in line.split(":8000: ")[1]  # not a busy port: no advice to change it
    assert not (tmp_path / "d").exists()


def test_banner_prints_where_to_sign_in_and_the_first_admin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mfa_portal.cli.serve import banner
    from mfa_portal.pool.passwords import PasswordHasher
    from mfa_portal.settings import load_settings
    from mfa_portal.wiring.backend import open_embedded

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MFA_PORTAL_INITIAL_ADMIN_PASSWORD", raising=False)
    settings = load_settings(data_dir=tmp_path / "data")
    backend = open_embedded(
        settings,
        base_url="http://127.0.0.1:8000",
        hasher=PasswordHasher(memory_kib=1024, time_cost=1),
    )
    try:
        text = banner(backend, "http://127.0.0.1:8000")
        assert "sign in at http://127.0.0.1:8000/signin" in text
        assert "username: admin" in text
        assert backend.bootstrap is not None and backend.bootstrap.admin_password
        assert f"temporary password: {backend.bootstrap.admin_password}" in text
        assert "http://127.0.0.1:8000/cognito" in text
        keys = json.loads((tmp_path / "data" / "credentials.json").read_text())
        assert (  # ready to paste, like the admin password: shown on the start that created it
            f"export AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID={keys['AccessKeyId']} "
            f"AWS_SECRET_ACCESS_KEY={keys['SecretAccessKey']}"
        ) in text
    finally:
        backend.close()
    again = open_embedded(
        settings,
        base_url="http://127.0.0.1:8000",
        hasher=PasswordHasher(memory_kib=1024, time_cost=1),
    )
    try:
        later = banner(again, "http://127.0.0.1:8000")
        assert "temporary password" not in later
        assert keys["SecretAccessKey"] not in later
        assert f"AWS_ACCESS_KEY_ID={keys['AccessKeyId']} AWS_SECRET_ACCESS_KEY=<Secret" in later
    finally:
        again.close()


def test_the_portal_reads_its_clients_secret_and_warns_about_a_public_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A pool made before the portal's client had a secret still serves; the log says why the
    portal should get a confidential one (a public client lets a password alone bind a factor)."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("MFA_PORTAL_")]:
        monkeypatch.delenv(name)
    settings = load_settings(backend="embedded", data_dir=tmp_path / "data")
    first = open_embedded(settings, base_url="http://127.0.0.1:8000", with_wire=False)
    try:
        secret = first.settings.client_secret
        assert secret is not None and len(secret.get_secret_value()) > 40
        public = first.client.call(
            "CreateUserPoolClient",
            UserPoolId=first.settings.user_pool_id,
            ClientName="made-public-before",
        )["UserPoolClient"]["ClientId"]
    finally:
        first.close()
    older = settings.model_copy(
        update={"user_pool_id": first.settings.user_pool_id, "client_id": public}
    )
    with caplog.at_level(logging.WARNING, logger="mfa_portal.wiring.backend"):
        second = open_embedded(older, base_url="http://127.0.0.1:8000", with_wire=False)
    second.close()
    assert second.settings.client_secret is None
    assert f"the portal's app client {public} has no secret" in caplog.text
