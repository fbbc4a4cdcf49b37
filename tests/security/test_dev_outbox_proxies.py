"""The development outbox shows every code sent, so it answers only a request straight from this
machine: a proxy in front (a local nginx for the base-path layout, a rate limiter in front of
``pool serve``) connects from loopback too, but its headers give it away, and it gets a 404."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mfa_portal.mail import Message
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.standalone import build_standalone
from tests.support.portal import Browser, PortalWorld
from tests.support.wire_server import serve_app_in_thread

PROXIED = [
    {"X-Forwarded-For": "203.0.113.7"},
    {"Forwarded": "for=203.0.113.7"},
    {"X-Real-IP": "203.0.113.7"},
    {"X-Forwarded-Host": "app.example.com"},
    {"X-Forwarded-Proto": "https"},
    {"Via": "1.1 proxy"},
]


def test_the_portals_outbox_is_for_a_direct_loopback_request_only(
    engine_world: PortalWorld,
) -> None:
    app = engine_world.app(mode="development")
    outbox = app.state.portal.outbox
    assert outbox is not None  # development mode, bound to loopback
    outbox.send(Message(to="bob@example.com", subject="Your code", body="code 424242"))
    here = Browser(app, address="127.0.0.1")
    shown = here.get("/dev/outbox")
    assert shown.status_code == 200 and "bob@example.com" in shown.text
    assert Browser(app, address="::1").get("/dev/outbox").status_code == 200
    for headers in PROXIED:
        refused = here.get("/dev/outbox", headers=headers)
        assert refused.status_code == 404, headers
        assert "bob@example.com" not in refused.text
    # What uvicorn makes of nginx's X-Forwarded-For: the browser's address, header kept.
    assert Browser(app, address="203.0.113.7").get("/dev/outbox").status_code == 404


@pytest.mark.parametrize("headers", PROXIED)
def test_pool_serves_its_outbox_to_no_proxy(tmp_path: Path, headers: dict[str, str]) -> None:
    pool = build_standalone(tmp_path, hasher=PasswordHasher(memory_kib=1024, time_cost=1))
    assert pool.outbox is not None and pool.outbox_served
    pool.outbox.send(Message(to="u@example.com", subject="s", body="code 424242"))
    with serve_app_in_thread(pool.app) as url:
        direct = httpx.get(f"{url}/dev/outbox")
        proxied = httpx.get(f"{url}/dev/outbox", headers=headers)
    assert direct.status_code == 200 and "424242" in direct.text
    assert proxied.status_code == 404 and "424242" not in proxied.text
