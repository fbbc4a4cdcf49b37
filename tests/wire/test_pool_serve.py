"""``mfa-portal pool serve``: the standalone app, its endpoint and what the command prints."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from typer.testing import CliRunner

from mfa_portal.cli import app as cli_app
from mfa_portal.cli import pool_serve  # noqa: F401  (registers "pool serve")
from mfa_portal.pool.context import Context
from mfa_portal.pool.credentials import FILE_NAME
from mfa_portal.pool.standalone import build_standalone, endpoint_for, serve_both_paths

if TYPE_CHECKING:
    from tests.support.wire import MakeWireServer


def empty_pool_list(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"UserPools": []}


@pytest.mark.parametrize("path", ["", "/cognito", "/cognito/"])
def test_standalone_app_answers_at_root_and_at_cognito(
    make_wire_server: MakeWireServer, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    server = make_wire_server(wrap=serve_both_paths)
    monkeypatch.setitem(server.engine.handlers, "ListUserPools", empty_pool_list)

    client = server.client(endpoint=server.base_url + path)
    assert client.list_user_pools(MaxResults=10)["UserPools"] == []


def test_pool_serve_prints_endpoint_keys_and_jwks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: runs.append(kw))
    monkeypatch.delenv("MFA_PORTAL_POOL_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("MFA_PORTAL_POOL_SECRET_ACCESS_KEY", raising=False)
    data_dir = tmp_path / "standalone"
    args = ["pool", "serve", "--port", "9339", "--data-dir", str(data_dir), "--workers", "1"]

    first = CliRunner().invoke(cli_app, args)
    assert first.exit_code == 0, first.output
    saved = json.loads((data_dir / FILE_NAME).read_text())
    assert "http://127.0.0.1:9339" in first.output
    assert f"AWS_ACCESS_KEY_ID={saved['AccessKeyId']}" in first.output
    assert saved["SecretAccessKey"] in first.output  # shown once, on creation
    assert "http://127.0.0.1:9339/<UserPoolId>/.well-known/jwks.json" in first.output
    assert runs == [  # one process, on httptools and uvloop when installed
        {
            "host": "127.0.0.1",
            "port": 9339,
            "http": "auto",
            "loop": "auto",
            "ws": "none",
            "lifespan": "off",
            "access_log": False,  # one line per request only at DEBUG
        }
    ]

    again = CliRunner().invoke(cli_app, args)
    assert again.exit_code == 0, again.output
    assert saved["AccessKeyId"] in again.output
    assert saved["SecretAccessKey"] not in again.output  # later starts point at the file


def test_pool_serve_on_a_busy_port_stops_before_creating_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secret key is shown once, on creation: a failed bind must not have used that once."""
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: pytest.fail("started"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        args = ["pool", "serve", "--port", str(port), "--data-dir", str(tmp_path / "d")]
        result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 2
    assert f"error: cannot listen on 127.0.0.1:{port}: address already in use" in result.output
    assert not (tmp_path / "d").exists()


def test_pool_serve_refuses_half_set_environment_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: pytest.fail("started"))
    monkeypatch.setenv("MFA_PORTAL_POOL_ACCESS_KEY_ID", "AKIAONLYTHEKEYID0000")
    monkeypatch.delenv("MFA_PORTAL_POOL_SECRET_ACCESS_KEY", raising=False)

    result = CliRunner().invoke(cli_app, ["pool", "serve", "--data-dir", str(tmp_path / "d")])

    assert result.exit_code == 2
    assert "MFA_PORTAL_POOL_SECRET_ACCESS_KEY" in result.output


@pytest.mark.parametrize("value", ["-1", "lots"])
def test_pool_serve_refuses_a_limit_that_is_not_a_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: pytest.fail("started"))
    monkeypatch.setenv("MFA_PORTAL_POOL_FAILURES_PER_ADDRESS", value)

    result = CliRunner().invoke(cli_app, ["pool", "serve", "--data-dir", str(tmp_path / "d")])

    assert result.exit_code == 2
    assert "MFA_PORTAL_POOL_FAILURES_PER_ADDRESS" in result.output
    assert not (tmp_path / "d").exists()  # refused before anything was created


@pytest.mark.parametrize(
    ("host", "endpoint"),
    [
        ("127.0.0.1", "http://127.0.0.1:9229"),
        ("0.0.0.0", "http://127.0.0.1:9229"),
        ("::", "http://[::1]:9229"),
        ("pool.internal", "http://pool.internal:9229"),
    ],
)
def test_standalone_endpoint_is_where_clients_reach_the_bind_address(
    host: str, endpoint: str
) -> None:
    assert endpoint_for(host, 9229) == endpoint


def test_public_url_and_region_shape_issuer_and_pool_ids(tmp_path: Path) -> None:
    pool = build_standalone(
        tmp_path,
        host="0.0.0.0",
        public_url="https://pool.example.com/",
        region="eu-west-1",
        env={},
    )
    try:
        assert pool.endpoint == "https://pool.example.com"
        assert pool.engine.issuer("eu-west-1_X") == "https://pool.example.com/eu-west-1_X"
        assert pool.engine.region == "eu-west-1"
        assert pool.created_credentials
    finally:
        pool.engine.db.close()


def test_pool_serve_answers_a_load_balancers_health_and_readiness_checks(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    pool = build_standalone(tmp_path, env={})
    try:
        with TestClient(pool.app) as http:
            assert (http.get("/healthz").status_code, http.get("/healthz").text) == (200, "ok\n")
            ready = http.get("/readyz")
            assert ready.status_code == 200
            assert ready.json() == {"status": "ready", "checks": {"user pool": "ok"}}
            pool.engine.db.close_all()
            (tmp_path / "pool.sqlite3").unlink()  # the pool's database is gone from under it
            (tmp_path / "pool.sqlite3").mkdir()  # and nothing can open one there
            time.sleep(2.1)  # past the readiness answer's 2-s memory
            assert http.get("/readyz").json() == {
                "status": "not ready",
                "checks": {"user pool": "unreachable"},
            }
    finally:
        pool.engine.db.close_all()
