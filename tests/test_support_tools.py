"""The suite's external tools: a missing one skips a test on a laptop but fails it in CI, so CI
never goes green by skipping the browser story or the nginx checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.tools import require_tool


def test_a_missing_tool_skips_locally_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="zbarimg is not installed"):
        require_tool("zbarimg")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="zbarimg is not installed"):
        require_tool("zbarimg")


def test_a_known_location_comes_before_the_path(tmp_path: Path) -> None:
    installed = tmp_path / "chromium"
    installed.write_text("")
    assert require_tool("chromium", tmp_path / "absent", installed) == str(installed)
