"""What the outage tests share: a signed-in, enrolled alice on a running ``serve``, and its log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp

from tests.support.backends import PASSWORD, boto_client, user_with_password
from tests.support.pool_process import PoolProcess, portal_serve
from tests.support.redis_server import RedisProcess
from tests.support.signin_forms import sign_in_and_enrol
from tests.support.worker_server import ServerBrowser


def base_url(server: PoolProcess) -> str:
    return server.endpoint.rsplit("/cognito", 1)[0]


def enrolled_alice(server: PoolProcess, data_dir: Path) -> ServerBrowser:
    """alice, signed in with an authenticator, in a browser of her own."""
    idp = boto_client(server.endpoint, server.access_key_id, server.secret_access_key)
    pool_id = json.loads((data_dir / "portal.json").read_text())["user_pool_id"]
    user_with_password(idp, pool_id, "alice")
    browser = ServerBrowser(base_url(server))
    _, enrolled = sign_in_and_enrol(browser, "alice", PASSWORD, lambda k: pyotp.TOTP(k).now())
    assert enrolled.status_code == 303, enrolled.text
    assert browser.http.get("/auth/verify").status_code == 200
    return browser


def assert_logged_without_tracebacks(server: PoolProcess, since: int) -> None:
    during = server.log.read_text().splitlines()[since:]
    assert not [line for line in during if "Traceback" in line]
    assert any("answered 503: a store or the user pool is unreachable" in line for line in during)


@contextmanager
def portal_on_own_redis(
    tmp_path: Path,
) -> Iterator[tuple[RedisProcess, PoolProcess, ServerBrowser]]:
    """A ``serve`` whose sessions are in a Redis of the test's own (which it may stop or pause), and
    alice signed in there."""
    store = RedisProcess(tmp_path)
    store.start()
    env = {"MFA_PORTAL_REDIS_URL": store.url, "MFA_PORTAL_ENROLMENT_PROOF": "none"}
    try:
        with portal_serve(tmp_path / "d", env, workers=1) as server:
            yield store, server, enrolled_alice(server, tmp_path / "d")
    finally:
        store.stop()
