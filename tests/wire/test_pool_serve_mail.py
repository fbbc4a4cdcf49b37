"""Mail of the real ``mfa-portal pool serve``: codes and invitations a developer can read.

Each flow runs twice against the real server process: once without SMTP, reading the mail with
``mfa-portal pool outbox --json``, once with ``MFA_PORTAL_SMTP_*`` pointing at a real SMTP server
(aiosmtpd), reading what it received.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.support.pool_process import PoolProcess, clean_env, pool_serve
from tests.support.wire import boto3_session
from tests.support.wire_server import free_port

MFA_PORTAL = str(Path(sys.executable).parent / "mfa-portal")
NEW_PASSWORD = "Chosen-Passw0rd!"
RESET_PASSWORD = "Reset-Passw0rd!!"

ReadMail = Callable[[str], str]  # recipient -> body of the newest message to them


class Inbox:
    def __init__(self) -> None:
        self.mail: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.mail.append(message_from_bytes(envelope.content))
        return "250 OK"

    def newest_to(self, to: str) -> str:
        for mail in reversed(self.mail):
            if mail["To"] == to:
                return str(mail.get_payload(decode=True).decode("utf-8"))
        raise AssertionError(f"no mail to {to}")


def outbox_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MFA_PORTAL, "pool", "outbox", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )


def outbox_reader(data_dir: Path) -> ReadMail:
    def newest_to(to: str) -> str:
        result = outbox_cli(data_dir, "--json")
        assert result.returncode == 0, result.stderr
        for message in json.loads(result.stdout):  # newest first
            if message["To"] == to:
                return str(message["Body"])
        raise AssertionError(f"no mail to {to}")

    return newest_to


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def idp(pool: PoolProcess) -> Any:
    return boto3_session().client(
        "cognito-idp",
        endpoint_url=pool.endpoint,
        region_name="us-east-1",
        aws_access_key_id=pool.access_key_id,
        aws_secret_access_key=pool.secret_access_key,
    )


def code_in(body: str, digits: int) -> str:
    found = re.search(rf"\b(\d{{{digits}}})\b", body)
    assert found is not None, body
    return found.group(1)


def run_mail_flows(pool: PoolProcess, read: ReadMail) -> None:
    """Invitation with a generated password, ForgotPassword, email MFA, sign-up: all by mail."""
    cognito = idp(pool)
    pool_id = cognito.create_user_pool(
        PoolName="mail",
        AutoVerifiedAttributes=["email"],
        EmailConfiguration={  # Cognito sends MFA email only through the pool's own SES identity
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com",
        },
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your sign-in code is {####}", "Subject": "Code"},
    )
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    email = "alice@example.com"
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    invitation = read(email)
    temporary = re.search(r"temporary password is (\S+?)\.?$", invitation.strip())
    assert temporary is not None, invitation

    def sign_in(password: str) -> dict[str, Any]:
        result: dict[str, Any] = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": password},
        )
        return result

    step = sign_in(temporary.group(1))
    assert step["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert "AccessToken" in done["AuthenticationResult"]

    sent = cognito.forgot_password(ClientId=client_id, Username="alice")
    assert sent["CodeDeliveryDetails"]["Destination"] == "a***@e***"
    cognito.confirm_forgot_password(
        ClientId=client_id,
        Username="alice",
        ConfirmationCode=code_in(read(email), 6),
        Password=RESET_PASSWORD,
    )
    assert "AuthenticationResult" in sign_in(RESET_PASSWORD)

    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username="alice",
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    step = sign_in(RESET_PASSWORD)
    assert step["ChallengeName"] == "EMAIL_OTP"
    done = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="EMAIL_OTP",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "alice", "EMAIL_OTP_CODE": code_in(read(email), 8)},
    )
    assert "AccessToken" in done["AuthenticationResult"]

    cognito.sign_up(
        ClientId=client_id,
        Username="carol",
        Password=NEW_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "carol@example.com"}],
    )
    code = code_in(read("carol@example.com"), 6)
    cognito.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=code)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="carol")["UserStatus"] == "CONFIRMED"


def test_without_smtp_mail_is_printed_and_read_from_the_outbox(tmp_path: Path) -> None:
    data_dir = tmp_path / "pool"
    with pool_serve(data_dir) as pool:
        run_mail_flows(pool, outbox_reader(data_dir))
        served = httpx.get(f"{pool.endpoint}/dev/outbox", params={"limit": 2}).json()["Messages"]
    subjects = [m["Subject"] for m in served]
    assert subjects == ["Your verification code", "Code"]  # newest first
    assert any("mail to alice@example.com: Your temporary password" in line for line in pool.output)
    listing = outbox_cli(data_dir, "--limit", "2")
    assert listing.returncode == 0
    assert "to carol@example.com" in listing.stdout and "Your sign-in code is" in listing.stdout


def test_with_smtp_mail_goes_to_the_smtp_server(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    env = {
        "MFA_PORTAL_SMTP_HOST": "127.0.0.1",
        "MFA_PORTAL_SMTP_PORT": str(port),
        "MFA_PORTAL_SMTP_SECURITY": "none",
        "MFA_PORTAL_SMTP_FROM": "pool@example.com",
    }
    data_dir = tmp_path / "pool"
    with pool_serve(data_dir, env) as pool:
        run_mail_flows(pool, inbox.newest_to)
        assert httpx.get(f"{pool.endpoint}/dev/outbox").status_code != 200
    assert {m["From"] for m in inbox.mail} == {"pool@example.com"}
    assert json.loads(outbox_cli(data_dir, "--json").stdout) == []
