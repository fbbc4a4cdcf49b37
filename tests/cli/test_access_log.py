"""The servers write one access line per request only at MFA_PORTAL_LOG_LEVEL=DEBUG.

nginx asks ``/auth/verify`` on every request to the protected application and SDKs call the pool
for every page view; at INFO the log is for security events, not for traffic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from mfa_portal.cli import _load_commands
from mfa_portal.cli import app as cli_app

_load_commands()


@pytest.mark.parametrize(("level", "expected"), [("INFO", False), ("debug", True)])
@pytest.mark.parametrize("command", ["serve", "pool serve"])
def test_access_lines_only_at_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, level: str, expected: bool
) -> None:
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: runs.append(kw))
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("MFA_PORTAL_LOG_LEVEL", level)
    monkeypatch.setenv("MFA_PORTAL_MODE", "development")
    args = [*command.split(), "--port", "9341", "--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    assert [run["access_log"] for run in runs] == [expected]
