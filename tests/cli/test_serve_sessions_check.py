"""``serve`` asks the sessions' Redis once at start: a URL that cannot work stops the start in one
line; a Redis that does not answer (a typo in the port, Redis not up yet) is said in one warning
line, without the URL's password, and the portal starts anyway (``/readyz`` then names it)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfa_portal.cli import _load_commands, app
from mfa_portal.settings import load_settings
from mfa_portal.storage import StartupError
from mfa_portal.wiring.app import sessions_warning
from tests.support.redis_server import redis_server

_load_commands()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


def test_a_redis_that_does_not_answer_is_one_warning_without_its_password(tmp_path: Path) -> None:
    url = f"redis://:hunter2@127.0.0.1:{_closed_port()}/0"
    line = sessions_warning(load_settings(data_dir=tmp_path, redis_url=url))
    assert line is not None and line.startswith("warning: the session store does not answer")
    assert "hunter2" not in line and ":***@127.0.0.1" in line
    assert "MFA_PORTAL_REDIS_URL" in line


def test_a_redis_that_answers_and_sqlite_sessions_say_nothing(tmp_path: Path) -> None:
    assert sessions_warning(load_settings(data_dir=tmp_path)) is None
    with redis_server(tmp_path) as url:
        assert sessions_warning(load_settings(data_dir=tmp_path, redis_url=url)) is None


def test_a_url_redis_cannot_use_stops_the_start_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(StartupError, match="MFA_PORTAL_REDIS_URL cannot be used"):
        sessions_warning(load_settings(data_dir=tmp_path, redis_url="http://127.0.0.1:6379/0"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MFA_PORTAL_REDIS_URL", "http://127.0.0.1:6379/0")
    result = CliRunner().invoke(
        app, ["serve", "--port", str(_closed_port()), "--data-dir", str(tmp_path / "d")]
    )
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: MFA_PORTAL_REDIS_URL cannot be used")
    assert not (tmp_path / "d").exists()  # stopped before anything was created
