"""docs/operations.md: every ``mfa-portal`` command of the three support stories runs as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfa_portal.admin.audit import AuditFilter
from mfa_portal.cli import _load_commands, app
from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.cognito_api.errors import InvalidParameterException
from mfa_portal.wiring.bootstrap import ensure_default_pool
from tests.support.support_desk import SupportDesk

_load_commands()
RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
STORIES = (
    "A user lost their phone",
    "A user lost their phone and their recovery codes",
    "Offboard a user",
)


def commands(section: str, paragraph: str = "") -> list[list[str]]:
    """The section's commands; with ``paragraph``, only those from that bold lead-in on."""
    text = RUNBOOK.read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    if paragraph:
        body = body.split(f"**{paragraph}**", 1)[1]
    found = []
    for block in re.findall(r"```sh\n(.*?)```", body, flags=re.S):
        for line in (raw.strip() for raw in block.splitlines()):
            if line.startswith("mfa-portal "):
                found.append(shlex.split(line.split(" | ")[0], comments=True)[1:])
    return found


def test_every_story_has_commands() -> None:
    assert all(commands(story) for story in STORIES)


def default_pool(desk: SupportDesk, tmp_path: Path) -> None:
    """Point the desk at the pool a first start creates (no email sender, email-only recovery)."""
    boot = ensure_default_pool(desk.client, tmp_path / "data", admin_password="Adm1n-Passw0rd!")
    desk.support.pool_id = boot.ids.user_pool_id
    # The users sign in through an application's own client: the portal's is confidential.
    desk.client_id = desk.client.call(
        "CreateUserPoolClient",
        UserPoolId=boot.ids.user_pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]


@pytest.mark.backends("engine")
def test_the_runbook_commands_work_as_written(
    desk: SupportDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default_pool(desk, tmp_path)
    desk.add_user("alice")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lost-phones.txt").write_text("# stolen\nalice\n")
    runner = CliRunner()
    ran = 0
    for story in STORIES:
        desk.enrol_totp("alice")
        for args in commands(story):
            result = runner.invoke(app, args, obj=desk.support)
            assert result.exit_code == 0, (args, result.output)
            ran += 1
        if story != STORIES[-1]:
            assert desk.methods("alice") in ([], ["EMAIL_OTP"])
    assert ran >= 12
    assert (tmp_path / "alice-audit.csv").read_text().startswith("time,actor,target")
    actions = [e.action for e in desk.support.audit.query(AuditFilter(limit=0))]
    assert actions[0] == "delete" and "reset-mfa" in actions


FALLBACK = (
    "A user lost their phone and their recovery codes",
    "A temporary fallback to email codes.",
)


@pytest.mark.backends("engine")
def test_the_email_fallback_works_as_written_on_the_default_pool(
    desk: SupportDesk, tmp_path: Path
) -> None:
    """The runbook's fallback, literally: Alice then signs in with an emailed code."""
    default_pool(desk, tmp_path)
    desk.add_user("alice")
    desk.enrol_totp("alice")
    config, prefer, disable = commands(*FALLBACK)
    runner = CliRunner()
    result = runner.invoke(app, config, obj=desk.support)
    assert result.exit_code == 0, result.output
    assert "pool MFA OPTIONAL, totp on, email on" in result.output
    assert "note: pool email now sent as DEVELOPER" in result.output
    assert "note: account recovery now verified_email, then verified_phone_number" in result.output
    result = runner.invoke(app, prefer, obj=desk.support)
    assert result.exit_code == 0, result.output
    assert desk.sign_in("alice")["ChallengeName"] == "EMAIL_OTP"
    shown = runner.invoke(app, ["pool", "show"], obj=desk.support, terminal_width=200).output
    assert re.search(r"email mfa\s+│ on", shown)
    assert re.search(r"account recovery\s+│ verified_email, verified_phone_number", shown)
    result = runner.invoke(app, disable, obj=desk.support)
    assert result.exit_code == 0, result.output
    assert desk.sign_in("alice")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    again = runner.invoke(app, config, obj=desk.support)
    assert again.exit_code == 0 and "note:" not in again.output  # nothing left to adjust


@pytest.mark.backends("engine")
def test_email_on_keeps_the_pools_other_settings(desk: SupportDesk, tmp_path: Path) -> None:
    """UpdateUserPool resets what it is not sent: the MFA mode and policies must survive it."""
    default_pool(desk, tmp_path)
    before = desk.client.call("DescribeUserPool", UserPoolId=desk.pool_id)["UserPool"]
    arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    args = ["pool", "mfa-config", "--mode", "optional", "--email", "on", "--reason", "r"]
    result = CliRunner().invoke(app, [*args, "--ses-identity", arn], obj=desk.support)
    assert result.exit_code == 0, result.output
    assert f"note: pool email now sent as DEVELOPER through {arn}" in result.output
    after = desk.client.call("DescribeUserPool", UserPoolId=desk.pool_id)["UserPool"]
    assert after["EmailConfiguration"]["SourceArn"] == arn
    for key in ("Policies", "AdminCreateUserConfig", "AutoVerifiedAttributes", "UserPoolTier"):
        assert after[key] == before[key], key
    mfa = desk.client.call("GetUserPoolMfaConfig", UserPoolId=desk.pool_id)
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


class RefusesOwnSender:
    """Amazon Cognito's answer to DEVELOPER sending without an SES identity."""

    def __init__(self, inner: CognitoClient) -> None:
        self.inner = inner

    def call(self, operation: str, **params: object) -> dict[str, object]:
        if operation == "UpdateUserPool" and "SourceArn" not in str(params["EmailConfiguration"]):
            raise InvalidParameterException("SourceArn is required with DEVELOPER.")
        return self.inner.call(operation, **params)

    def supports(self, operation: str) -> bool:
        return self.inner.supports(operation)


@pytest.mark.backends("engine")
def test_email_on_without_an_ses_identity_says_what_cognito_needs(
    desk: SupportDesk, tmp_path: Path
) -> None:
    default_pool(desk, tmp_path)
    desk.support.client = RefusesOwnSender(desk.client)
    args = ["pool", "mfa-config", "--mode", "optional", "--email", "on", "--reason", "r"]
    result = CliRunner().invoke(app, args, obj=desk.support)
    assert result.exit_code == 1
    assert "SourceArn is required with DEVELOPER." in result.output
    assert "add --ses-identity arn:aws:ses:" in result.output
    mfa = desk.client.call("GetUserPoolMfaConfig", UserPoolId=desk.pool_id)
    assert "EmailMfaConfiguration" not in mfa  # nothing half-done
    entry = desk.support.audit.query(AuditFilter(limit=1))[0]
    assert (entry.action, entry.outcome) == ("pool mfa-config", "failure")


@pytest.mark.backends("engine")
def test_email_on_in_a_lite_pool_is_refused_before_anything_changes(
    desk: SupportDesk, tmp_path: Path
) -> None:
    default_pool(desk, tmp_path)
    pool = desk.client.call("DescribeUserPool", UserPoolId=desk.pool_id)["UserPool"]
    keep = {
        key: pool[key] for key in ("Policies", "AutoVerifiedAttributes", "AccountRecoverySetting")
    }
    desk.client.call(
        "UpdateUserPool",
        UserPoolId=desk.pool_id,
        UserPoolTier="LITE",
        MfaConfiguration="OPTIONAL",
        **keep,
    )
    args = ["pool", "mfa-config", "--mode", "optional", "--email", "on", "--reason", "r"]
    result = CliRunner().invoke(app, args, obj=desk.support)
    assert result.exit_code == 1
    assert "Email MFA requires the ESSENTIALS or PLUS feature plan; this pool is on LITE." in (
        result.output
    )
    after = desk.client.call("DescribeUserPool", UserPoolId=desk.pool_id)["UserPool"]
    assert after["EmailConfiguration"]["EmailSendingAccount"] == "COGNITO_DEFAULT"
    assert after["AccountRecoverySetting"] == keep["AccountRecoverySetting"]
