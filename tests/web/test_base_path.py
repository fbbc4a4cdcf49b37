"""``MFA_PORTAL_BASE_PATH``: the whole portal under one prefix, the rest of the site left to the app.

Every page, form, static file, redirect and email link the portal makes carries the prefix; the
destination the user asked for (a path of the protected app) is returned to exactly as it was.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pytest

from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.settings import Settings, SettingsError, load_settings
from mfa_portal.web.responses import TEMPLATES_DIR
from mfa_portal.wiring.app import serving_app
from mfa_portal.wiring.backend import open_embedded
from tests.support.portal import PASSWORD, Browser, PortalWorld

BASE = "/_mfa"
ROOTED = re.compile(r'(?:href|action|src)="(/[^"]*)"')


def browser(world: PortalWorld) -> Browser:
    return world.browser(base_path=BASE)


def test_the_portal_answers_only_under_its_prefix(engine_world: PortalWorld) -> None:
    b = browser(engine_world)
    for path in ("/signin", "/static/portal.css", "/account", "/auth/verify", "/admin", "/readyz"):
        answer = b.get(path)
        assert answer.status_code == 404, path
        assert "<html" not in answer.text  # a plain answer: nothing of the portal's pages
    page = b.get(f"{BASE}/signin")
    assert page.status_code == 200
    assert f'href="{BASE}/static/portal.css"' in page.text
    assert f'action="{BASE}/signin"' in page.text
    # Every root-relative URL on the page is the portal's own, under the prefix.
    assert all(url.startswith(BASE + "/") for url in ROOTED.findall(page.text))
    css = b.get(f"{BASE}/static/portal.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert css.headers["cache-control"].startswith("public")
    assert b.get(f"{BASE}/static/nothing.css").status_code == 404
    assert b.get(f"{BASE}/healthz").text == "ok\n"
    assert b.get(f"{BASE}/readyz").json()["status"] == "ready"


def test_the_cookie_covers_the_application_too(engine_world: PortalWorld) -> None:
    """The session cookie must reach forward-auth with the app's requests, so its path stays /."""
    b = browser(engine_world)
    b.get(f"{BASE}/signin")
    engine_world.create_user("ann", permanent=True)
    answer = b.post(f"{BASE}/signin", {"username": "ann", "password": PASSWORD, "next": "/"})
    cookie = answer.headers["set-cookie"]
    assert "Path=/;" in cookie or cookie.endswith("Path=/")


def test_enrolment_under_the_prefix_returns_to_the_apps_url(engine_world: PortalWorld) -> None:
    engine_world.create_user("bea", permanent=True)
    b = browser(engine_world)
    first = b.get("/report?a=1&b=2")
    assert first.status_code == 404  # not the portal's: nginx sends it to the app
    refused = b.get(f"{BASE}/auth/signin", headers={"X-Original-URI": "/report?a=1&b=2"})
    assert refused.headers["location"] == f"{BASE}/signin?next=/report%3Fa%3D1%26b%3D2"
    b.get(refused.headers["location"])
    answer = b.post(
        f"{BASE}/signin", {"username": "bea", "password": PASSWORD, "next": "/report?a=1&b=2"}
    )
    assert answer.headers["location"] == f"{BASE}/mfa/setup"
    b.get(answer.headers["location"])
    done = b.post(f"{BASE}/mfa/setup", {"code": engine_world.code(b.secret())})
    assert done.headers["location"].startswith(BASE + "/")  # the recovery-code offer
    page = b.get(done.headers["location"])
    assert 'href="/report?a=1&amp;b=2"' in page.text  # "Continue" goes back to the app's URL
    assert b.get(f"{BASE}/auth/verify").status_code == 200
    # Signed in, the sign-in page sends the browser straight on, to the destination as given.
    again = b.get(f"{BASE}/signin?next=/report%3Fa%3D1%26b%3D2")
    assert again.headers["location"] == "/report?a=1&b=2"
    assert "x-mfa-portal-site-path" not in again.headers


@pytest.mark.parametrize(
    "next_", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/_mfa/../x:y"]
)
def test_foreign_destinations_are_still_refused(engine_world: PortalWorld, next_: str) -> None:
    engine_world.create_user("cy", permanent=True)
    b = browser(engine_world)
    b.get(f"{BASE}/signin")
    b.post(f"{BASE}/signin", {"username": "cy", "password": PASSWORD, "next": "/"})
    b.get(f"{BASE}/mfa/setup")
    b.post(f"{BASE}/mfa/setup", {"code": engine_world.code(b.secret())})
    answer = b.get(f"{BASE}/signin", params={"next": next_})
    assert answer.headers["location"] == "/"


def test_portal_pages_ask_for_sign_in_with_their_full_path(engine_world: PortalWorld) -> None:
    b = browser(engine_world)
    answer = b.get(f"{BASE}/account")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{BASE}/signin?next={BASE}/account"
    assert b.get(f"{BASE}/auth/verify").status_code == 401


def test_signed_out_notice_keeps_the_prefix(engine_world: PortalWorld) -> None:
    b = browser(engine_world)
    answer = b.get(f"{BASE}/signout")
    assert answer.headers["location"] == f"{BASE}/signin?notice=signed_out"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("_mfa", "must start with '/'"),
        ("/_mfa/", "must not end with '/'"),
        ("/", "must not end with '/'"),
        ("/a/../b", "'..'"),
        ("/a//b", "'//'"),
        ("/a b", "only letters"),
        ("/a?b", "only letters"),
    ],
)
def test_a_wrong_base_path_is_refused_by_name(value: str, problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(base_path=value)
    assert "MFA_PORTAL_BASE_PATH" in str(caught.value) and problem in str(caught.value)


def test_email_links_point_under_the_prefix() -> None:
    settings = Settings(public_url="https://app.example.com/", base_path=BASE)
    assert settings.portal_url == "https://app.example.com/_mfa"
    assert Settings(public_url="https://app.example.com").portal_url == "https://app.example.com"
    assert Settings(base_path=BASE).portal_url == ""


def test_no_template_hard_codes_a_root_path() -> None:
    """A link written ``href="/account"`` would leave the prefix; ``{{ base }}/account`` keeps it."""
    offenders = [
        f"{path.relative_to(TEMPLATES_DIR)}: {found}"
        for path in sorted(TEMPLATES_DIR.rglob("*.html"))
        for found in ROOTED.findall(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_pools_wire_front_moves_under_the_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``mfa-portal serve`` with a base path: ``/cognito`` too is under it (one proxy rule)."""
    for name in list(os.environ):
        if name.startswith("MFA_PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    settings = load_settings(data_dir=tmp_path / "data", base_path=BASE)
    backend = open_embedded(
        settings,
        base_url="https://app.example.com",
        hasher=PasswordHasher(memory_kib=1024, time_cost=1),
    )
    try:
        assert backend.wire_endpoint == f"https://app.example.com{BASE}/cognito"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient
        http = TestClient(serving_app(backend), base_url="https://app.example.com")
        target = {"X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools"}
        wire = http.post(f"{BASE}/cognito", headers=target, content=b"{}")
        assert wire.status_code == 400 and "__type" in wire.json()  # the pool answered
        assert http.post("/cognito", headers=target, content=b"{}").status_code == 404
        assert http.get(f"{BASE}/signin").status_code == 200
    finally:
        backend.close()


def test_a_superseded_request_lands_under_the_prefix() -> None:
    from mfa_portal.web.sessions import landing_of
    from mfa_portal.web.state import SessionState, Stage

    state = SessionState(created=0.0)
    assert landing_of(state, BASE) == f"{BASE}/"
    state.stage = Stage.MUST_ENROL
    assert landing_of(state, BASE) == f"{BASE}/mfa/setup"
    state.stage, state.next_path = Stage.SIGNED_IN, "/report?a=1"
    assert landing_of(state, BASE) == "/report?a=1"  # the destination is a site path already


def test_a_stored_destination_is_redirected_to_as_it_is() -> None:
    """Any route that sends the browser to ``state.next_path`` leaves it out of the prefix."""
    from mfa_portal.web.base_path import SITE_PATH_HEADER
    from mfa_portal.web.responses import see_other
    from mfa_portal.web.state import SessionState

    stored = SessionState(created=0.0, next_path="/report?a=1").model_dump_json()
    loaded = SessionState.model_validate_json(stored)
    assert SITE_PATH_HEADER in see_other(loaded.next_path).headers
    assert SITE_PATH_HEADER in see_other(SessionState(created=0.0).next_path).headers
    assert SITE_PATH_HEADER not in see_other("/signin").headers
