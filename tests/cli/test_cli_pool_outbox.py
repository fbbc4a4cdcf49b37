"""``mfa-portal pool outbox``: the latest messages of a standalone pool's outbox, text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mfa_portal.cli import app as cli_app
from mfa_portal.cli import pool_outbox  # noqa: F401  (registers "pool outbox")
from mfa_portal.mail import Message
from mfa_portal.pool.outbox import PoolOutbox


def test_lists_the_latest_messages_newest_first(tmp_path: Path) -> None:
    box = PoolOutbox(tmp_path, echo=False)
    box.send(Message(to="a@example.com", subject="First", body="code 111111"))
    box.send(Message(to="b@example.com", subject="Second", body="code 222222"))

    text = CliRunner().invoke(cli_app, ["pool", "outbox", "--data-dir", str(tmp_path)])
    assert text.exit_code == 0, text.output
    assert text.output.index("to b@example.com") < text.output.index("to a@example.com")
    assert "Subject: Second" in text.output and "code 222222" in text.output

    one = CliRunner().invoke(
        cli_app, ["pool", "outbox", "--data-dir", str(tmp_path), "--json", "--limit", "1"]
    )
    assert one.exit_code == 0
    [latest] = json.loads(one.output)
    assert (latest["To"], latest["Subject"], latest["Body"]) == (
        "b@example.com",
        "Second",
        "code 222222",
    )


def test_an_empty_outbox_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["pool", "outbox", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert "No messages in the outbox" in result.output
    as_json = CliRunner().invoke(cli_app, ["pool", "outbox", "--data-dir", str(tmp_path), "--json"])
    assert json.loads(as_json.output) == []


def test_a_limit_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli_app, ["pool", "outbox", "--data-dir", str(tmp_path), "--limit", "0"]
    )
    assert result.exit_code == 2
