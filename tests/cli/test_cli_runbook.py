"""docs/operations.md: every ``mfa-portal`` command of the three support stories runs as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfa_portal.admin.audit import AuditFilter
from mfa_portal.cli import _load_commands, app
from tests.support.setup import create_pool
from tests.support.support_desk import SupportDesk

_load_commands()
RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
STORIES = (
    "A user lost their phone",
    "A user lost their phone and their recovery codes",
    "Offboard a user",
)


def commands(section: str) -> list[list[str]]:
    text = RUNBOOK.read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    found = []
    for block in re.findall(r"```sh\n(.*?)```", body, flags=re.S):
        for line in (raw.strip() for raw in block.splitlines()):
            if line.startswith("mfa-portal "):
                found.append(shlex.split(line.split(" | ")[0], comments=True)[1:])
    return found


def test_every_story_has_commands() -> None:
    assert all(commands(story) for story in STORIES)


@pytest.mark.backends("engine")
def test_the_runbook_commands_work_as_written(
    desk: SupportDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool_id, client_id = create_pool(desk.client, email_mfa=True)
    desk.support.pool_id, desk.client_id = pool_id, client_id
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
