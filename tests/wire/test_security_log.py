"""Security events reach the output of a real ``mfa-portal pool serve``, in text and JSON, with the
caller's address and without a password, code or token in sight."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError

from tests.support.pool_process import pool_serve
from tests.support.wire_server import free_port

PASSWORD = "Corr3ct-Horse-Battery!"
WRONG = "Wr0ng-Guess-Number-9!"


@contextmanager
def pool_serve_logging(data_dir: Path, log_format: str) -> Iterator[tuple[Any, Path]]:
    """``pool serve`` with the default log level and ``log_format``; yields boto3 and its output."""
    with pool_serve(data_dir, {"MFA_PORTAL_LOG_FORMAT": log_format}) as server:
        idp = server.idp()
        yield idp, server.log


def _pool(idp: Any) -> tuple[str, str]:
    pool_id = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="c",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        EnableTokenRevocation=True,
    )["UserPoolClient"]["ClientId"]
    for name in ("alice", "mallory-target"):
        idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True
        )
    return pool_id, client_id


def _sign_in(idp: Any, client_id: str, name: str, password: str = PASSWORD) -> dict[str, Any]:
    result: dict[str, Any] = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": password},
    )
    return result


def _refused(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def _provoke_everything(idp: Any) -> list[str]:
    """Every pool security event once; returns the secrets that must not appear in the output."""
    pool_id, client_id = _pool(idp)
    # Wrong passwords until the lockout starts, then a refusal while locked.
    for _ in range(5):
        assert _refused(lambda: _sign_in(idp, client_id, "mallory-target", WRONG))
    assert _refused(lambda: _sign_in(idp, client_id, "mallory-target")) == "NotAuthorizedException"
    # A successful sign-in, then TOTP enrolment whose code is replayed at the next sign-in.
    tokens = _sign_in(idp, client_id, "alice")["AuthenticationResult"]
    secret = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    totp = pyotp.TOTP(secret)
    now = time.time()
    used = totp.at(now)
    idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=used)
    idp.set_user_mfa_preference(
        AccessToken=tokens["AccessToken"],
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    session = _sign_in(idp, client_id, "alice")["Session"]

    def answer(code: str, session: str = session) -> Any:
        return idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
        )

    assert _refused(lambda: answer(used)) == "CodeMismatchException"  # replayed
    wrong = f"{(int(used) + 1) % 1_000_000:06d}"
    assert _refused(lambda: answer(wrong)) == "CodeMismatchException"  # mismatch
    fresh = answer(totp.at(now + 30))["AuthenticationResult"]
    assert _refused(lambda: answer(totp.at(now + 30))) == "NotAuthorizedException"  # spent session
    idp.revoke_token(Token=fresh["RefreshToken"], ClientId=client_id)
    return [
        PASSWORD,
        WRONG,
        secret,
        used,
        wrong,
        session,
        tokens["AccessToken"],
        fresh["RefreshToken"],
        fresh["AccessToken"],
    ]


EVENTS = {
    "sign-in.password-failed": {"user": "mallory-target", "reason": "wrong password"},
    "user.locked-out": {"user": "mallory-target"},
    "sign-in.refused-locked": {"user": "mallory-target"},
    "sign-in.succeeded": {"user": "alice"},
    "totp.replayed": {"user": "alice", "purpose": "sign-in"},
    "totp.mismatch": {"user": "alice", "purpose": "sign-in"},
    "sign-in.mfa-failed": {"user": "alice"},
    "auth-session.refused": {"reason": "unknown or spent"},
    "tokens.revoked": {"user": "alice", "reason": "RevokeToken"},
}


def test_pool_serve_logs_security_events_as_text(tmp_path: Path) -> None:
    with pool_serve_logging(tmp_path / "pool", "text") as (idp, out):
        secrets = _provoke_everything(idp)
        time.sleep(0.3)
    text = out.read_text()
    for event, fields in EVENTS.items():
        lines = [line for line in text.splitlines() if f" event={event} " in line]
        assert lines, f"{event} missing from:\n{text}"
        assert any(
            "ip=127.0.0.1" in line
            and all(f"{k}={v}" in line or f'{k}="{v}"' in line for k, v in fields.items())
            for line in lines
        ), (event, lines)
    assert "WARNING mfa_portal.security event=totp.replayed" in text
    for secret in secrets:
        assert secret not in text


def test_pool_serve_logs_security_events_as_json(tmp_path: Path) -> None:
    with pool_serve_logging(tmp_path / "pool", "json") as (idp, out):
        secrets = _provoke_everything(idp)
        time.sleep(0.3)
    text = out.read_text()
    records = []
    for line in text.splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    events = [r for r in records if r.get("logger") == "mfa_portal.security"]
    for event, fields in EVENTS.items():
        assert any(
            r["event"] == event
            and r["ip"] == "127.0.0.1"
            and all(r.get(k) == v for k, v in fields.items())
            for r in events
        ), (event, events)
    replay = next(r for r in events if r["event"] == "totp.replayed")
    assert replay["level"] == "WARNING" and replay["outcome"] == "failure"
    for secret in secrets:
        assert secret not in text


def test_pool_serve_refuses_an_unknown_log_format(tmp_path: Path) -> None:
    exe = str(Path(sys.executable).parent / "mfa-portal")
    env = {**os.environ, "MFA_PORTAL_LOG_FORMAT": "xml"}
    done = subprocess.run(
        [exe, "pool", "serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "p")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "MFA_PORTAL_LOG_FORMAT" in done.stderr


def test_the_users_address_from_user_context_data_is_logged_beside_the_senders(
    tmp_path: Path,
) -> None:
    """A server-side client (the portal, an app backend) passes the end user's address as
    UserContextData; the pool logs it as the user's and keeps its own view of the sender."""
    with pool_serve_logging(tmp_path / "pool", "json") as (idp, out):
        _, client_id = _pool(idp)
        _refused(
            lambda: idp.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "alice", "PASSWORD": WRONG},
                UserContextData={"IpAddress": "203.0.113.77"},
            )
        )
        time.sleep(0.3)
    records = [json.loads(line) for line in out.read_text().splitlines() if line.startswith("{")]
    failed = next(r for r in records if r.get("event") == "sign-in.password-failed")
    assert (failed["ip"], failed["via"]) == ("203.0.113.77", "127.0.0.1")
