"""``/auth/verify``'s ``X-Auth-*`` headers for names outside ASCII: UTF-8 in the plain headers,
ASCII-only twins (``X-Auth-Sub``, ``X-Auth-*-Encoded``) for apps that key on something safe, and
the same bytes from the short path in front of the portal and from the portal's own route.

Before, a name outside latin-1 (``łukasz``) was a 500 on every check, so nginx refused every
request of that user, and a latin-1 name went out as latin-1 bytes, so ``jÃ¼rgen`` arrived as
``jürgen`` to an app decoding UTF-8.
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

import pytest
from starlette.types import Message

from mfa_portal.web.identity_headers import identity_headers
from tests.support.portal import PASSWORD, Browser, PortalWorld

AUTH = (
    b"x-auth-user",
    b"x-auth-email",
    b"x-auth-groups",
    b"x-auth-sub",
    b"x-auth-user-encoded",
    b"x-auth-email-encoded",
    b"x-auth-groups-encoded",
)


def verify(browser: Browser) -> tuple[int, dict[bytes, bytes]]:
    """``GET /auth/verify`` with the browser's cookies, straight through ASGI: the status and the
    X-Auth-* headers as the bytes a server sends (each exactly once). Starlette's test client
    cannot carry a header value outside ASCII, which real servers (uvicorn) send as they are."""
    cookie = "; ".join(f"{k}={v}" for k, v in browser.http.cookies.items())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": "/auth/verify",
        "raw_path": b"/auth/verify",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
        "client": ("testclient", 50000),
        "server": ("testserver", 443),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    async def call() -> None:
        await browser.http.app(scope, receive, send)

    asyncio.run(call())
    start = sent[0]
    found = [(k.lower(), v) for k, v in start["headers"] if k.lower().startswith(b"x-auth-")]
    assert len(found) == len({k for k, _ in found}), found
    for _, value in found:
        assert not any(b < 0x20 or b == 0x7F for b in value)  # nothing a header cannot hold
    return start["status"], dict(found)


def auth_headers(browser: Browser) -> dict[bytes, bytes]:
    status, headers = verify(browser)
    assert status == 200
    return headers


def signed_in(
    world: PortalWorld, username: str, email: str, groups: tuple[str, ...] = ()
) -> Browser:
    for group in groups:
        world.idp.call("CreateGroup", UserPoolId=world.pool_id, GroupName=group)
    world.create_user(username, email=email, permanent=True, groups=groups)
    browser = world.browser()
    browser.follow(browser.sign_in(username, PASSWORD))
    page = browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    assert page.status_code == 200
    return browser


def sub_of(world: PortalWorld, username: str) -> str:
    user = world.idp.call("AdminGetUser", UserPoolId=world.pool_id, Username=username)
    return str(next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub"))


@pytest.mark.parametrize(
    ("username", "email", "groups"),
    [
        ("łukasz", "gina.ł@example.com", ("Zespół", "a,b")),  # outside latin-1
        ("jürgen", "jürgen@example.com", ("Straße",)),  # inside latin-1
        ("jÃ¼rgen", "j@example.com", ()),  # jürgen's UTF-8 bytes read as latin-1
        ("alice", "alice+x@example.com", ("staff",)),
    ],
)
def test_names_travel_as_utf8_and_as_ascii_twins(
    engine_world: PortalWorld, username: str, email: str, groups: tuple[str, ...]
) -> None:
    browser = signed_in(engine_world, username, email, groups)
    sent = auth_headers(browser)  # answered in front of the portal
    engine_world.clock.advance(61)  # due for Cognito's word: the portal's own route answers
    assert auth_headers(browser) == sent
    assert tuple(sent) == AUTH

    assert sent[b"x-auth-user"].decode("utf-8") == username
    assert sent[b"x-auth-email"].decode("utf-8") == email
    assert sent[b"x-auth-groups"].decode("utf-8") == ",".join(groups)
    for name in AUTH[3:]:
        assert sent[name].isascii(), name
    assert sent[b"x-auth-sub"].decode() == sub_of(engine_world, username)
    assert unquote(sent[b"x-auth-user-encoded"].decode()) == username
    assert unquote(sent[b"x-auth-email-encoded"].decode()) == email
    encoded_groups = sent[b"x-auth-groups-encoded"].decode()
    assert [unquote(g) for g in encoded_groups.split(",") if g] == list(groups)


def test_look_alike_names_stay_apart(engine_world: PortalWorld) -> None:
    """``jürgen`` and ``jÃ¼rgen`` are two users; no header lets one pass as the other."""
    real = auth_headers(signed_in(engine_world, "jürgen", "j1@example.com"))
    engine_world.next_step()
    alike = auth_headers(signed_in(engine_world, "jÃ¼rgen", "j2@example.com"))
    for name in (b"x-auth-user", b"x-auth-sub", b"x-auth-user-encoded"):
        assert real[name] != alike[name], name
    # What a latin-1 framework hands the app, re-decoded as documented, is each user's own name.
    assert real[b"x-auth-user"].decode("latin-1").encode("latin-1").decode() == "jürgen"


def test_a_value_a_header_cannot_hold_is_sent_only_encoded() -> None:
    """The pools refuse such addresses; should one arrive anyway, it ends no header."""
    odd = "x@example.com\r\nX-Auth-User: root"
    sent = dict(identity_headers(username="alice", sub="s-1", email=odd, groups=("g",)))
    assert sent[b"x-auth-user"] == b"alice"
    assert sent[b"x-auth-email"] == b""
    assert unquote(sent[b"x-auth-email-encoded"].decode()) == odd
    assert b"\r" not in sent[b"x-auth-email-encoded"] and b"\n" not in sent[b"x-auth-email-encoded"]
