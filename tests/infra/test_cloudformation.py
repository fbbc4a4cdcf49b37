"""The CloudFormation template for the real pool must lint clean and keep the design's choices."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "cognito-user-pool.yaml"


def test_template_passes_cfn_lint() -> None:
    cfn_lint = shutil.which("cfn-lint") or str(Path(sys.executable).parent / "cfn-lint")
    result = subprocess.run([cfn_lint, str(TEMPLATE)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_template_keeps_mfa_optional_with_totp_and_the_reset_permission() -> None:
    text = TEMPLATE.read_text()
    assert re.search(r'MfaConfiguration:\s*"OPTIONAL"', text)
    assert "SOFTWARE_TOKEN_MFA" in text
    assert "cognito-idp:AdminDeleteSoftwareToken" in text
    assert "cognito-idp:AdminUserGlobalSignOut" in text
    assert "PreventUserExistenceErrors: ENABLED" in text
