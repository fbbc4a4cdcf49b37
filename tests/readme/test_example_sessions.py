"""The README's copy-paste sessions work as printed, against `mfa-portal pool serve`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.pool_process import pool_serve
from tests.support.tools import REPO, require_tool


def test_boto3_session_enrols_signs_in_with_totp_refuses_a_replay_and_resets(
    tmp_path: Path,
) -> None:
    with pool_serve(tmp_path / "pool") as pool:
        result = subprocess.run(
            [sys.executable, str(REPO / "examples" / "boto3_session.py"), pool.endpoint],
            env=pool.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "enrolled: ['SOFTWARE_TOKEN_MFA']" in lines
    assert "signed in with TOTP: True" in lines
    assert "replayed code refused: Invalid code or auth state for the user." in lines
    assert "after reset: []" in lines


def test_aws_cli_session_runs_against_the_pool(tmp_path: Path) -> None:
    aws = require_tool("aws", REPO / ".venv-awscli" / "bin" / "aws")
    require_tool("oathtool")
    with pool_serve(tmp_path / "pool") as pool:
        env = pool.env()
        # The script's one boto3 step (the CLI lacks admin-delete-software-token) runs on the
        # project's .venv, found from the script's own place, never on whatever python3 is first on
        # PATH: a system one with the AWS CLI's older botocore lacks the call and the reset failed.
        env["PATH"] = os.pathsep.join([str(Path(aws).parent), env["PATH"]])
        result = subprocess.run(
            ["bash", str(REPO / "examples" / "aws_cli_session.sh"), pool.endpoint],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert lines[0] == "SUCCESS"  # verify-software-token
    assert "Bearer" in lines  # signed in with TOTP
    assert lines[-1].split() == ["bob", "CONFIRMED", "None"]  # after the reset: no MFA left
