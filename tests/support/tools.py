"""External tools the suite drives (Chromium, zbarimg, oathtool, the AWS CLI): skip locally, fail in CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]


def require_tool(name: str, *candidates: Path) -> str:
    """The path of tool ``name``; a missing tool skips the test locally and fails it when CI=true."""
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    missing(f"{name} is not installed (make test installs it)")


def missing(message: str) -> NoReturn:
    """What the suite needs is not here: skip the test locally, fail it when CI=true (where
    ``make test`` has installed everything, so a missing piece is a broken set-up)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)
