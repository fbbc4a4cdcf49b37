"""``StoreOutage`` alone: which errors become a 503, and which stay what they are.

The outage seen from outside (Redis and PostgreSQL stopped under a running server) is in
``tests/integration/test_store_outage.py``.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import redis.exceptions
import sqlalchemy.exc
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from mfa_portal.cognito_api.client import PoolUnreachable
from mfa_portal.settings import load_settings
from mfa_portal.web.store_outage import StoreOutage
from mfa_portal.wiring.app import portal_app
from mfa_portal.wiring.backend import open_backend
from tests.support.portal import Browser
from tests.support.signin_forms import sign_in
from tests.support.wire_server import free_port


def failing(error: Exception, *, after_start: bool = False) -> StoreOutage:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if after_start:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        raise error

    return StoreOutage(app, forward_auth_path="/auth/verify", product_name="Acme sign-in")


@pytest.mark.parametrize(
    "error",
    [
        psycopg.OperationalError("connection failed: Connection refused"),
        redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379."),
        redis.exceptions.TimeoutError("Timeout reading from socket"),
        sqlalchemy.exc.TimeoutError("QueuePool limit of size 20 overflow 0 reached"),
    ],
)
def test_an_unreachable_store_is_a_503_page_and_one_log_line(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    answer = TestClient(failing(error)).get("/account")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "10"
    assert answer.headers["cache-control"] == "no-store"
    assert "<title>Temporarily unavailable – Acme sign-in</title>" in answer.text
    [record] = [r for r in caplog.records if r.name == "mfa_portal.web.store_outage"]
    assert record.getMessage() == (
        f"GET /account answered 503: a store or the user pool is unreachable ({type(error).__name__}: {error})"
    )
    assert record.exc_info is None  # no traceback per request while a store is down


def test_forward_auth_gets_a_bare_503() -> None:
    answer = TestClient(failing(psycopg.OperationalError("gone"))).get("/auth/verify")
    assert (answer.status_code, answer.content) == (503, b"")


def test_other_errors_stay_server_errors() -> None:
    client = TestClient(failing(ValueError("a bug")), raise_server_exceptions=False)
    assert client.get("/account").status_code == 500


def test_an_error_after_the_answer_started_is_not_hidden() -> None:
    client = TestClient(failing(psycopg.OperationalError("gone"), after_start=True))
    with pytest.raises(psycopg.OperationalError):
        client.get("/account")


def test_the_page_speaks_the_browsers_language_and_escapes_the_product_name() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise psycopg.OperationalError("gone")

    outage = StoreOutage(app, forward_auth_path="/auth/verify", product_name="<b>Acme</b>")
    answer = TestClient(outage).get("/", headers={"Accept-Language": "de-AT, en;q=0.5"})
    assert answer.headers["content-language"] == "de"
    assert "<h1>Vorübergehend nicht verfügbar</h1>" in answer.text
    assert "&lt;b&gt;Acme&lt;/b&gt;" in answer.text and "<b>Acme" not in answer.text


def test_an_unreachable_user_pool_is_a_503_where_no_page_handles_it() -> None:
    answer = TestClient(failing(PoolUnreachable("GetUser: EndpointConnectionError: …"))).get("/")
    assert answer.status_code == 503
    assert "<h1>Temporarily unavailable</h1>" in answer.text


def test_sign_in_says_unavailable_while_the_user_pool_cannot_be_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portal on Amazon Cognito (here: an endpoint nobody listens at) during a network cut:
    the sign-in form says so, in place, instead of a server error."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    settings = load_settings(
        backend="cognito",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        data_dir=tmp_path / "portal",
        user_pool_id="us-east-1_abcdef",
        client_id="client123",
        enrolment_proof="none",
    )
    browser = Browser(portal_app(open_backend(settings, base_url="http://127.0.0.1:8000")))
    answer = sign_in(browser, "alice", "Correct-Horse-9!")
    assert answer.status_code == 400
    assert "Sign-in is unavailable right now. Please try again later." in answer.text
