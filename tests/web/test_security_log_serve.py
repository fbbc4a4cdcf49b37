"""Security events in the output of a real ``mfa-portal serve``: a wrong password on the sign-in
page, failed and rate-limited ``/recover`` attempts — in text and JSON, with no password in sight."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mfa_portal.admin.recovery_limit import MAX_ATTEMPTS
from tests.support.pool_process import portal_serve
from tests.support.signin_forms import CSRF
from tests.support.wire_server import free_port

ADMIN_PASSWORD = "Adm1n-Start-Pass!"
WRONG = "Wr0ng-Guess-Number-9!"
CODE = "ABCD-EFGH-JKLM-NPQR"


@contextmanager
def serve(tmp_path: Path, log_format: str) -> Iterator[tuple[httpx.Client, Path]]:
    """``mfa-portal serve`` with the default log level and ``log_format``; yields a client for the
    portal and its output."""
    env = {"MFA_PORTAL_LOG_FORMAT": log_format, "MFA_PORTAL_INITIAL_ADMIN_PASSWORD": ADMIN_PASSWORD}
    with portal_serve(tmp_path / "data", env) as server:
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            yield http, server.log


def _post_form(http: httpx.Client, path: str, form: dict[str, str]) -> httpx.Response:
    token = CSRF.search(http.get(path).text)
    assert token, path
    return http.post(path, data={"csrf_token": token.group(1), **form})


def _provoke(http: httpx.Client) -> list[int]:
    _post_form(http, "/signin", {"username": "admin", "password": WRONG, "next": "/"})
    statuses = []
    for _ in range(MAX_ATTEMPTS + 1):
        answer = _post_form(
            http, "/recover", {"username": "admin", "password": WRONG, "code": CODE}
        )
        statuses.append(answer.status_code)
        assert "The username, password or recovery code is not right." in answer.text
    return statuses


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_serve_logs_portal_and_pool_security_events(tmp_path: Path, log_format: str) -> None:
    with serve(tmp_path, log_format) as (http, out):
        statuses = _provoke(http)
        time.sleep(0.3)
    assert statuses == [400] * MAX_ATTEMPTS + [429]
    text = out.read_text()
    expected = [
        ("sign-in.password-failed", {"user": "admin", "reason": "wrong password"}),
        ("recovery.failed", {"user": "admin", "ip": "127.0.0.1"}),
        ("recovery.rate-limited", {"user": "admin", "ip": "127.0.0.1"}),
    ]
    if log_format == "json":
        records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        for event, fields in expected:
            assert any(
                r.get("event") == event and all(r.get(k) == v for k, v in fields.items())
                for r in records
            ), (event, text)
        failed = next(r for r in records if r.get("event") == "recovery.failed")
        assert failed["reason"] == "NotAuthorizedException" and failed["outcome"] == "failure"
    else:
        for event, fields in expected:
            assert any(
                f" event={event} " in line
                and all(f"{k}={v}" in line or f'{k}="{v}"' in line for k, v in fields.items())
                for line in text.splitlines()
            ), (event, text)
        assert "WARNING mfa_portal.security event=recovery.rate-limited" in text
    for secret in (WRONG, CODE, ADMIN_PASSWORD):
        assert secret not in text


def test_serve_refuses_an_unknown_log_level(tmp_path: Path) -> None:
    exe = str(Path(sys.executable).parent / "mfa-portal")
    done = subprocess.run(
        [exe, "serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "d")],
        env={**os.environ, "MFA_PORTAL_LOG_LEVEL": "chatty"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "MFA_PORTAL_LOG_LEVEL" in done.stderr
    assert not (tmp_path / "d").exists()  # refused before the pool was created
