"""``mfa-portal pool show|mfa-config`` and ``audit list|export``, and the CLI on a real data dir."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mfa_portal.admin.actions import invitation_not_sent
from mfa_portal.admin.notify import Outbox
from mfa_portal.cli import _load_commands, app
from mfa_portal.settings import load_settings
from mfa_portal.wiring.backend import open_embedded
from mfa_portal.wiring.support import portal_store
from tests.support.support_desk import SupportDesk
from tests.support.wire import WireServer

_load_commands()
runner = CliRunner()


def cli(desk: SupportDesk, *args: str) -> Result:
    return runner.invoke(app, list(args), obj=desk.support)


@pytest.mark.backends("engine")
def test_pool_show_and_mfa_config(desk: SupportDesk) -> None:
    shown = cli(desk, "pool", "show", "--json")
    assert shown.exit_code == 0, shown.output
    info = json.loads(shown.stdout)
    assert (info["id"], info["mfa"], info["totp"]) == (desk.pool_id, "OPTIONAL", True)
    table = cli(desk, "pool", "show")
    assert "mfa" in table.stdout and "OPTIONAL" in table.stdout

    changed = cli(desk, "pool", "mfa-config", "--mode", "on", "--reason", "all must enrol")
    assert changed.exit_code == 0 and "pool MFA ON, totp on, email off" in changed.stdout
    assert json.loads(cli(desk, "pool", "show", "--json").stdout)["mfa"] == "ON"

    bad = cli(desk, "pool", "mfa-config", "--mode", "sometimes", "-r", "x")
    assert bad.exit_code == 2 and bad.stderr.strip() == (
        "Error: Invalid value for '--mode': 'sometimes' is not one of 'off', 'optional', 'on'. "
        "Try 'root pool mfa-config --help'."
    )
    bad = cli(desk, "pool", "mfa-config", "--mode", "on", "--totp", "maybe", "-r", "x")
    assert bad.exit_code == 2 and bad.stderr.strip() == (
        "Error: Invalid value for '--totp': 'maybe' is not one of 'on', 'off'. "
        "Try 'root pool mfa-config --help'."
    )
    refused = cli(desk, "pool", "mfa-config", "--mode", "on", "--totp", "off", "-r", "x")
    assert refused.exit_code == 1 and "can't disable all MFAs" in refused.stderr
    assert "InvalidParameterException" not in refused.stderr


def _trail(desk: SupportDesk) -> None:
    desk.add_user("bob")
    for args in (
        ("users", "disable", "bob", "-r", "left"),
        ("users", "enable", "bob", "-r", "back"),
        ("users", "disable", "ghost", "-r", "typo"),
    ):
        cli(desk, *args)


@pytest.mark.backends("engine")
def test_audit_list_with_filters(desk: SupportDesk) -> None:
    _trail(desk)
    everything = json.loads(cli(desk, "audit", "list", "--json").stdout)
    assert [(e["action"], e["target"], e["outcome"]) for e in everything] == [
        ("disable", "ghost", "failure"),
        ("enable", "bob", "success"),
        ("disable", "bob", "success"),
    ]
    assert everything[0]["time"].endswith("Z") and everything[0]["reason"] == "typo"
    only_bob = json.loads(cli(desk, "audit", "list", "--target", "bob", "--json").stdout)
    assert {e["target"] for e in only_bob} == {"bob"}
    failures = json.loads(cli(desk, "audit", "list", "--outcome", "failure", "--json").stdout)
    assert [e["target"] for e in failures] == ["ghost"]
    future = json.loads(cli(desk, "audit", "list", "--since", "2999-01-01", "--json").stdout)
    assert future == []
    table = cli(desk, "audit", "list")
    assert "ghost" in table.stdout and "failure" in table.stdout
    dates = "Error: --since/--until must be ISO dates, e.g. 2026-11-28 or 2026-11-28T17:00"
    for option in ("--since", "--until"):
        bad = cli(desk, "audit", "list", option, "last week")
        assert bad.exit_code == 1 and bad.stderr.strip() == dates
    bad = cli(desk, "audit", "export", "--outcome", "maybe")
    assert bad.exit_code == 2 and bad.stderr.strip() == (
        "Error: Invalid value for '--outcome': 'maybe' is not one of 'success', 'failure'. "
        "Try 'root audit export --help'."
    )


@pytest.mark.backends("engine")
def test_audit_export_csv_and_jsonl(desk: SupportDesk, tmp_path: Path) -> None:
    _trail(desk)
    out = cli(desk, "audit", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["action"] for r in rows] == ["disable", "enable", "disable"]  # oldest first
    target = tmp_path / "audit.jsonl"
    written = cli(desk, "audit", "export", "--format", "jsonl", "-o", str(target))
    assert written.exit_code == 0 and "3 entries written" in written.stderr
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [entry["reason"] for entry in lines] == ["left", "back", "typo"]
    bad = cli(desk, "audit", "export", "--format", "xml")
    assert bad.exit_code == 2 and bad.stderr.strip() == (
        "Error: Invalid value for '--format': 'xml' is not one of 'csv', 'jsonl'. "
        "Try 'root audit export --help'."
    )


def test_cli_uses_the_embedded_pool_of_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MFA_PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MFA_PORTAL_INITIAL_ADMIN_PASSWORD", "Initial-Admin-9!")
    empty = runner.invoke(app, ["users", "list"])
    assert empty.exit_code == 1 and empty.stderr.startswith("Error: no embedded pool in ")

    settings = load_settings()
    open_embedded(settings, base_url="http://127.0.0.1:8000", with_wire=False).close()

    listed = runner.invoke(app, ["users", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [u["username"] for u in json.loads(listed.stdout)] == ["admin"]
    reset = runner.invoke(app, ["users", "signout", "admin", "--reason", "test", "--json"])
    assert reset.exit_code == 0, reset.output
    trail = runner.invoke(app, ["audit", "list", "--json"])
    [entry] = json.loads(trail.stdout)
    assert entry["action"] == "signout" and entry["actor"].startswith("cli:")
    assert (tmp_path / "data" / "portal.sqlite3").exists()


def test_cli_invitations_reach_the_development_outbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MFA_PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MFA_PORTAL_MODE", "development")
    monkeypatch.setenv("MFA_PORTAL_INITIAL_ADMIN_PASSWORD", "Initial-Admin-9!")
    open_embedded(load_settings(), base_url="http://127.0.0.1:8000", with_wire=False).close()
    args = ["users", "create", "dave", "--email", "dave@example.com", "--send-email", "-r", "hire"]
    created = runner.invoke(app, args)
    assert created.exit_code == 0, created.output
    assert created.stdout.strip() == "dave: user created; the temporary password was sent by email"
    assert "Your temporary password" in created.stderr  # development: the outbox is echoed
    [mail] = Outbox(portal_store(tmp_path / "data"), echo=False).messages()
    assert mail.recipient == "dave@example.com" and "dave" in mail.body


def test_without_mail_a_delivery_fails_in_one_line_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run` serves in development mode; a CLI in another shell defaults to production."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MFA_PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MFA_PORTAL_MODE", "production")
    monkeypatch.delenv("MFA_PORTAL_SMTP_HOST", raising=False)
    monkeypatch.setenv("MFA_PORTAL_INITIAL_ADMIN_PASSWORD", "Initial-Admin-9!")
    open_embedded(load_settings(), base_url="http://127.0.0.1:8000", with_wire=False).close()
    invite = ["users", "create", "dave", "--email", "dave@example.com", "--send-email", "-r", "x"]
    reset = ["users", "reset-password", "admin", "-r", "forgot it"]
    runner.invoke(
        app, ["users", "set-attr", "admin", "email=a@example.com", "--verified", "-r", "x"]
    )
    entry = "import sys; sys.argv[0] = 'mfa-portal'; from mfa_portal.cli import main; main()"
    for args, message in [
        (invite, invitation_not_sent("dave")),  # the pool keeps the user, as Cognito does
        (reset, "Unable to deliver the code."),
    ]:
        done = subprocess.run(  # the installed command: no test logging handler hides stray lines
            [sys.executable, "-c", entry, *args], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 1
        [line] = done.stderr.strip().splitlines()  # no raw log line beside the error
        assert line.startswith(f"Error: {args[2]}: {message} (")
        assert "MFA_PORTAL_SMTP_HOST" in line and "MFA_PORTAL_MODE=development" in line
    shown = runner.invoke(app, ["users", "show", "dave", "--json"])
    assert json.loads(shown.stdout)["status"] == "FORCE_CHANGE_PASSWORD"  # what the line said
    handed = runner.invoke(app, ["users", "reset-password", "dave", "--temporary", "-r", "x"])
    assert handed.exit_code == 0 and "temporary password" in handed.stdout  # what it said to do


def test_a_wrong_setting_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MFA_PORTAL_BACKEND", "cognito")
    monkeypatch.delenv("MFA_PORTAL_USER_POOL_ID", raising=False)
    monkeypatch.delenv("MFA_PORTAL_CLIENT_ID", raising=False)
    result = runner.invoke(app, ["pool", "show"])
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: Invalid settings:") and "MFA_PORTAL_USER_POOL_ID" in line


def test_cognito_backend_uses_standard_boto3_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wire_server: WireServer
) -> None:
    """Any Cognito endpoint (here the embedded pool over HTTP) with keys from the environment."""
    idp = wire_server.client()
    pool_id = idp.create_user_pool(PoolName="aws")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="portal")[
        "UserPoolClient"
    ]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="zoe", MessageAction="SUPPRESS")
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "MFA_PORTAL_BACKEND": "cognito",
        "MFA_PORTAL_ENDPOINT_URL": wire_server.endpoint,
        "MFA_PORTAL_USER_POOL_ID": pool_id,
        "MFA_PORTAL_CLIENT_ID": client_id,
        "MFA_PORTAL_DATA_DIR": str(tmp_path / "data"),
        "AWS_ACCESS_KEY_ID": wire_server.credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": wire_server.credentials.secret_access_key,
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    shown = runner.invoke(app, ["pool", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["id"] == pool_id
    done = runner.invoke(app, ["users", "reset-mfa", "zoe", "-r", "lost phone", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["notes"][0] == "the user had no authenticator registered"
    missing = runner.invoke(app, ["users", "show", "nobody"])
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "Error: nobody: User does not exist."


@pytest.mark.backends("engine")
def test_audit_list_for_a_user_includes_sign_in_failures_typed_as_their_email(
    desk: SupportDesk,
) -> None:
    """A failed sign-in is filed under the name as typed; ``--target carol`` must find the one
    typed as her email address too (the runbook's "why can't carol sign in?"), as her console
    page does, and say so when nothing matches."""
    desk.add_user("carol", email="carol@example.com")
    signins = desk.support.signin_audit
    assert signins is not None
    signins.failed("carol@example.com", "wrong-password", "203.0.113.7")
    signins.failed("carl", "no-such-user", "203.0.113.7")  # someone else: not hers

    def targets(*args: str) -> list[str]:
        result = runner.invoke(app, ["audit", "list", "--json", *args], obj=desk.support)
        assert result.exit_code == 0, result.output
        return [entry["target"] for entry in json.loads(result.stdout)]

    assert targets("--target", "carol", "--kind", "sign-in") == ["carol@example.com"]
    assert targets("--target", "carol@example.com", "--kind", "sign-in") == ["carol@example.com"]
    assert targets("--target", "carl", "--kind", "sign-in") == ["carl"]  # no user: as typed
    exported = runner.invoke(
        app, ["audit", "export", "--format", "jsonl", "--target", "carol"], obj=desk.support
    )
    assert [json.loads(line)["target"] for line in exported.stdout.splitlines()] == [
        "carol@example.com"
    ]
    empty = runner.invoke(app, ["audit", "list", "--target", "nobody"], obj=desk.support)
    assert empty.exit_code == 0 and empty.stdout.strip() == "No audit entries match."


def test_users_audit_and_pool_show_take_the_data_directory_as_serve_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--data-dir`` as on ``serve`` and ``db`` (before, only MFA_PORTAL_DATA_DIR worked)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MFA_PORTAL_DATA_DIR", raising=False)
    monkeypatch.setenv("MFA_PORTAL_INITIAL_ADMIN_PASSWORD", "Initial-Admin-9!")
    data = tmp_path / "served"
    open_embedded(
        load_settings(data_dir=data), base_url="http://127.0.0.1:8000", with_wire=False
    ).close()
    listed = runner.invoke(app, ["users", "list", "--json", "--data-dir", str(data)])
    assert listed.exit_code == 0, listed.output
    assert [u["username"] for u in json.loads(listed.stdout)] == ["admin"]
    trail = runner.invoke(app, ["audit", "list", "--json", "--data-dir", str(data)])
    assert trail.exit_code == 0 and json.loads(trail.stdout) == []
    shown = runner.invoke(app, ["pool", "show", "--data-dir", str(data)])
    assert shown.exit_code == 0, shown.output
    typo = runner.invoke(app, ["users", "list", "--data-dir", str(tmp_path / "serve")])
    assert typo.exit_code == 1 and "no embedded pool in" in typo.output
    assert "(--data-dir, or MFA_PORTAL_DATA_DIR)" in typo.output
    assert not (tmp_path / "serve").exists()
