"""``mfa-portal pool outbox``: the latest messages of a standalone pool's outbox, text or JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner, Result

from mfa_portal.cli import app as cli_app
from mfa_portal.cli import pool_outbox, pool_serve  # noqa: F401  (register the commands)
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


def test_a_data_directory_that_does_not_exist_is_an_error_not_an_empty_outbox(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "pool-dat"
    result = CliRunner().invoke(cli_app, ["pool", "outbox", "--data-dir", str(missing)])
    assert result.exit_code == 2
    assert f"error: no data directory at {missing}" in result.output
    assert not missing.exists()


def test_a_limit_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli_app, ["pool", "outbox", "--data-dir", str(tmp_path), "--limit", "0"]
    )
    assert result.exit_code == 2


def _serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str
) -> tuple[Result, list[dict[str, Any]]]:
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: runs.append(kw))
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in list(os.environ):
        if name.startswith("MFA_PORTAL_SMTP_") or name == "MFA_PORTAL_MODE":
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    args = ["pool", "serve", "--port", "9339", "--data-dir", str(tmp_path / "pool")]
    return CliRunner().invoke(cli_app, args), runs


def test_pool_serve_says_where_mail_goes_without_smtp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, runs = _serve(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert f"mfa-portal pool outbox --data-dir {tmp_path / 'pool'}" in result.output
    assert "http://127.0.0.1:9339/dev/outbox" in result.output
    assert len(runs) == 1


@pytest.mark.parametrize(
    "env",
    [
        {"MFA_PORTAL_SMTP_HOST": "mail.example"},
        {"MFA_PORTAL_MODE": "production"},
    ],
    ids=["smtp", "production"],
)
def test_pool_serve_without_an_outbox_does_not_offer_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    result, _ = _serve(tmp_path, monkeypatch, **env)
    assert result.exit_code == 0, result.output
    assert "outbox" not in result.output


def test_pool_serve_refuses_wrong_mail_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, runs = _serve(tmp_path, monkeypatch, MFA_PORTAL_SMTP_PORT="0")
    assert result.exit_code == 2
    assert "MFA_PORTAL_SMTP_PORT" in result.output
    assert runs == []
