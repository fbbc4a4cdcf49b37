"""The documented nginx ``auth_request`` set-up works, in a real nginx, as a browser would use it.

Three real processes: ``mfa-portal serve`` (embedded pool, the way people start it), a tiny upstream
application that echoes the ``X-Auth-*`` headers it receives, and Debian's nginx running the very
``location`` block printed in ``docs/configuration.md`` (only the two upstream ports substituted),
over plain HTTP and over https with a self-signed certificate. Every request of the story goes
through nginx.
"""

from __future__ import annotations

import html
import ipaddress
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mfa_portal.cognito_api.client import BotoCognitoClient
from mfa_portal.wiring.bootstrap import load_ids
from tests.support.backends import PASSWORD
from tests.support.setup import create_user as setup_user
from tests.support.signin_forms import CSRF, turn_on_totp
from tests.support.tools import REPO, require_tool
from tests.support.wire import boto3_session
from tests.support.wire_server import free_port, serve_app_in_thread

HERE = Path(__file__).resolve().parent
DOCS = REPO / "docs" / "configuration.md"
README = REPO / "README.md"
DOCS_HEADING = "## Protecting other applications"
README_HEADING = "## Protecting another application"
DOC_PORTAL = "127.0.0.1:8000"
DOC_APP = "127.0.0.1:9000"
AUTH_HEADERS = (
    "x-auth-user",
    "x-auth-email",
    "x-auth-groups",
    "x-auth-sub",
    "x-auth-user-encoded",
    "x-auth-email-encoded",
    "x-auth-groups-encoded",
)
SUB = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ADMIN_TEMP = "Admin-Temp-123!"  # given, so the portal prints no generated password
START_TIMEOUT = 30.0
NEXT_FIELD = re.compile(r'name="next" value="([^"]*)"')
LOOPBACK = ipaddress.IPv4Address("127.0.0.1")


def nginx_block(path: Path, heading: str) -> str:
    """The first ```nginx fence in the Markdown section that starts with ``heading``."""
    text = path.read_text(encoding="utf-8")
    assert heading in text, f"{path.name} has no section {heading!r}"
    section = text[text.index(heading) :]
    following = section.find("\n## ", 1)
    section = section if following < 0 else section[:following]
    found = re.search(r"```nginx\n(.*?)```", section, re.DOTALL)
    assert found, f"{path.name}: no nginx block under {heading!r}"
    return found.group(1)


def config_lines(block: str) -> list[str]:
    """The directives of a block, one per line, without indentation, comments or blank lines."""
    stripped = (line.strip() for line in block.splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


def test_readme_excerpt_is_part_of_the_tested_block() -> None:
    """The README may shorten the documented block, never change or reorder a line of it."""
    documented = iter(config_lines(nginx_block(DOCS, DOCS_HEADING)))
    excerpt = config_lines(nginx_block(README, README_HEADING))
    assert "auth_request /_mfa_verify;" in excerpt
    for line in excerpt:
        assert line in documented, (
            f"README line not in docs/configuration.md (or out of order): {line}"
        )


# --- the three processes ----------------------------------------------------------------------


def nginx_binary() -> str:
    """Debian's nginx with ``auth_request`` (skips locally when missing, fails in CI)."""
    binary = require_tool("nginx", Path("/usr/sbin/nginx"))
    built = subprocess.run([binary, "-V"], capture_output=True, text=True, check=True).stderr
    assert "http_auth_request_module" in built, "this nginx lacks http_auth_request_module"
    return binary


def render_config(root: Path, *, http_port: int, https_port: int, portal: str, app: str) -> str:
    """The template around the documented block, with the documented upstreams replaced."""
    block = nginx_block(DOCS, DOCS_HEADING)
    assert DOC_PORTAL in block and DOC_APP in block, "the documented upstreams moved"
    block = block.replace(DOC_PORTAL, portal).replace(DOC_APP, app)
    template = (HERE / "nginx.conf.template").read_text(encoding="utf-8")
    return (
        template.replace("@TMP@", str(root))
        .replace("@HTTP_PORT@", str(http_port))
        .replace("@HTTPS_PORT@", str(https_port))
        .replace("@LOCATIONS@", block)
    )


def self_signed_certificate(root: Path) -> ssl.SSLContext:
    """A certificate for 127.0.0.1 in ``root`` for nginx, and a client context that trusts it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(LOOPBACK)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (root / "cert.pem").write_bytes(pem)
    (root / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ssl.create_default_context(cadata=pem.decode())


def wait_until(
    ready: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path, what: str
) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
    except httpx.TransportError:
        return False
    return True


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@dataclass
class Portal:
    address: str  # host:port
    data_dir: Path


@contextmanager
def portal_process(tmp: Path) -> Iterator[Portal]:
    """``mfa-portal serve`` on a free port with a fresh data dir and no settings from outside."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MFA_PORTAL_")}
    env.pop("FORWARDED_ALLOW_IPS", None)  # the default (trust 127.0.0.1) is what the docs rely on
    env["MFA_PORTAL_INITIAL_ADMIN_PASSWORD"] = ADMIN_TEMP
    # Users here get permanent passwords and this portal has no SMTP server: the emailed
    # enrolment proof has its own tests (tests/web/test_enrolment_proof.py).
    env["MFA_PORTAL_ENROLMENT_PROOF"] = "none"
    data_dir = tmp / "portal"
    log = tmp / "portal.log"
    exe = str(Path(sys.executable).parent / "mfa-portal")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [exe, "serve", "--port", str(port), "--data-dir", str(data_dir)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp,  # no stray .env
        )
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/signin"), proc, log, "the portal")
        yield Portal(f"127.0.0.1:{port}", data_dir)
    finally:
        stop(proc)


@dataclass
class Nginx:
    http_url: str
    https_url: str
    tls: ssl.SSLContext  # trusts the self-signed certificate nginx serves


@contextmanager
def nginx_process(tmp: Path, *, portal: str, app: str) -> Iterator[Nginx]:
    """nginx in the foreground with the documented locations, on plain HTTP and on https."""
    binary = nginx_binary()
    root = tmp / "nginx"
    root.mkdir()
    tls = self_signed_certificate(root)
    http_port = free_port()
    https_port = free_port()
    while https_port == http_port:
        https_port = free_port()
    config = render_config(root, http_port=http_port, https_port=https_port, portal=portal, app=app)
    (root / "nginx.conf").write_text(config, encoding="utf-8")
    log = root / "stderr.log"
    directives = f"daemon off; pid {root}/nginx.pid; error_log stderr;"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [binary, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", "stderr"]
            + ["-g", directives],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: listening(http_port) and listening(https_port), proc, log, "nginx")
        yield Nginx(f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}", tls)
    finally:
        stop(proc)


Seen = list[dict[str, str | None]]


def echo_app(seen: Seen) -> Starlette:
    """The protected application: answers with (and records) the identity headers it was given."""

    def utf8(value: str | None) -> str | None:
        # Starlette hands header values out as latin-1 text; the portal sends UTF-8 (documented).
        return None if value is None else value.encode("latin-1").decode("utf-8")

    async def echo(request: Request) -> JSONResponse:
        entry = {
            "path": request.url.path,
            "query": request.url.query,
            **{h: utf8(request.headers.get(h)) for h in AUTH_HEADERS},
        }
        seen.append({**entry, "cookie": request.headers.get("cookie")})
        return JSONResponse(entry)

    return Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "POST"])])


def create_user(portal: Portal, username: str, *, group: str | None) -> None:
    """An admin creates the user the way an operator would: boto3 on the embedded pool's endpoint."""
    ids = load_ids(portal.data_dir)
    assert ids is not None
    creds = json.loads((portal.data_dir / "credentials.json").read_text(encoding="utf-8"))
    idp = boto3_session().client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=f"http://{portal.address}/cognito",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
    )
    pool = ids.user_pool_id
    if group:
        try:
            idp.create_group(UserPoolId=pool, GroupName=group)
        except idp.exceptions.GroupExistsException:
            pass
    groups = (group,) if group else ()
    setup_user(BotoCognitoClient(idp), pool, username, groups=groups)


@dataclass
class Stack:
    nginx: Nginx
    portal: Portal
    seen: Seen  # every request the application received

    def url(self, scheme: str) -> str:
        return self.nginx.https_url if scheme == "https" else self.nginx.http_url


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    nginx_binary()  # skip before starting anything when nginx is missing
    tmp = tmp_path_factory.mktemp("nginx-forward-auth")
    seen: Seen = []
    with (
        portal_process(tmp) as portal,
        serve_app_in_thread(echo_app(seen)) as app_url,
        nginx_process(tmp, portal=portal.address, app=app_url.removeprefix("http://")) as nginx,
    ):
        yield Stack(nginx, portal, seen)


# --- a browser through nginx ------------------------------------------------------------------


class Visitor:
    """An httpx client pointed at nginx only, filling CSRF tokens like a browser's form would."""

    def __init__(self, stack: Stack, scheme: str) -> None:
        self.base_url = stack.url(scheme)
        self.tls = stack.nginx.tls
        self.http = httpx.Client(
            base_url=self.base_url, follow_redirects=False, timeout=10, verify=self.tls
        )
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.get(path, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.csrf, **data})

    def follow(self, response: httpx.Response) -> httpx.Response:
        while response.status_code in (302, 303):
            response = self.get(response.headers["location"])
        return response

    def close(self) -> None:
        self.http.close()


def sign_in_and_enrol(visitor: Visitor, username: str, *, start: str) -> httpx.Response:
    """Anonymous visit to ``start``, sign in (must enrol), enrol TOTP: a fully signed-in visitor.

    Returns the answer to the password step (it carries the session cookie).
    """
    sent = visitor.get(start)
    assert sent.status_code == 302
    form = visitor.get(sent.headers["location"])
    assert form.status_code == 200
    found = NEXT_FIELD.search(form.text)
    assert found
    restricted = visitor.post(
        "/signin",
        {"username": username, "password": PASSWORD, "next": html.unescape(found.group(1))},
    )
    assert (restricted.status_code, restricted.headers["location"]) == (303, "/mfa/setup")
    # Restricted to enrolment: the application still refuses, and so does the verify endpoint.
    refused = visitor.get(start)
    assert (refused.status_code, refused.headers["location"]) == (302, sent.headers["location"])
    assert visitor.get("/auth/verify").status_code == 401

    _, answer = turn_on_totp(visitor, lambda secret: pyotp.TOTP(secret).now())
    done = visitor.follow(answer)
    assert done.status_code == 200, done.text
    return restricted


# --- the story --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "username", "cookie"),
    [("http", "alice", "mfa-portal"), ("https", "carol", "__Host-mfa-portal")],
)
def test_documented_nginx_config_protects_an_application(
    stack: Stack, scheme: str, username: str, cookie: str
) -> None:
    create_user(stack.portal, username, group="staff")
    user = Visitor(stack, scheme)
    stranger = Visitor(stack, scheme)
    seen_before = len(stack.seen)
    try:
        # Anonymous: sent to the portal's sign-in page, with where to come back to, URL-encoded (a
        # relative Location keeps the scheme, host and port); the application never sees the request.
        anonymous = stranger.get("/hello?x=1", headers={"X-Auth-User": username})
        assert anonymous.status_code == 302
        assert anonymous.headers["location"] == "/signin?next=/hello%3Fx%3D1"

        # Password accepted but no MFA yet: still refused (checked inside), then enrolled.
        password_step = sign_in_and_enrol(user, username, start="/hello?x=1")
        assert len(stack.seen) == seen_before
        # The portal saw the scheme nginx forwarded: plain cookie on http, __Host-/Secure on https.
        set_cookie = password_step.headers["set-cookie"]
        assert set_cookie.startswith(f"{cookie}=")
        assert ("; secure" in set_cookie.lower()) == (scheme == "https")
        assert set(user.http.cookies.keys()) == {cookie}

        # Enrolled: the application answers and knows who it is.
        hello = user.get("/hello?x=1")
        assert hello.status_code == 200
        assert SUB.match(hello.json().pop("x-auth-sub"))
        assert {k: v for k, v in hello.json().items() if k != "x-auth-sub"} == {
            "path": "/hello",
            "query": "x=1",
            "x-auth-user": username,
            "x-auth-email": f"{username}@example.com",
            "x-auth-groups": "staff",
            "x-auth-user-encoded": username,
            "x-auth-email-encoded": f"{username}@example.com",
            "x-auth-groups-encoded": "staff",
        }

        # The application never gets the portal's session cookie; its own cookies reach it whole,
        # wherever the portal's stands among them.
        assert stack.seen[-1]["cookie"] is None
        for sent in (
            f"app=1; {cookie}=%s; theme=dark",
            f"{cookie}=%s; app=1; theme=dark",
            f"app=1; theme=dark; {cookie}=%s",
        ):
            by_hand = {"Cookie": sent % user.http.cookies[cookie]}  # no cookie jar of its own
            assert httpx.get(f"{user.base_url}/hello", headers=by_hand, verify=user.tls).is_success
            kept = (stack.seen[-1]["cookie"] or "").rstrip("; ")
            assert kept.split("; ") == ["app=1", "theme=dark"], sent
        lookalike = f"x{cookie}=1; {cookie}={user.http.cookies[cookie]}"
        httpx.get(f"{user.base_url}/hello", headers={"Cookie": lookalike}, verify=user.tls)
        assert (stack.seen[-1]["cookie"] or "").rstrip("; ") == f"x{cookie}=1"
        seen_after_cookies = len(stack.seen)

        # Forged identity headers never reach the application.
        forged = user.get(
            "/hello?x=1",
            headers={
                "X-Auth-User": "mallory",
                "X-Auth-Email": "mallory@example.com",
                "X-Auth-Groups": "admins",
                "X-Auth-Sub": "00000000-0000-0000-0000-000000000000",
                "X-Auth-User-Encoded": "mallory",
                "X-Auth-Groups-Encoded": "admins",
            },
        )
        assert forged.json() == hello.json()
        assert stranger.get("/hello", headers={"X-Auth-User": username}).status_code == 302

        # Sign out: the application refuses again, and so does the old session cookie.
        old_session = user.http.cookies[cookie]
        assert user.get("/account").status_code == 200
        assert user.post("/signout", {}).status_code == 303
        answered = len(stack.seen)
        assert user.get("/hello").status_code == 302
        replay = httpx.get(f"{user.base_url}/hello", cookies={cookie: old_session}, verify=user.tls)
        assert replay.status_code == 302
        assert len(stack.seen) == answered == seen_after_cookies + 1
    finally:
        user.close()
        stranger.close()


def test_a_name_outside_latin1_reaches_the_application(stack: Stack) -> None:
    """``łukasz`` in the group ``Zespół,A`` passes nginx as UTF-8 and as ASCII-only twins; before,
    every check of such a user was a 500 and nginx refused each of their requests."""
    create_user(stack.portal, "łukasz", group="Zespół,A")
    visitor = Visitor(stack, "http")
    try:
        sign_in_and_enrol(visitor, "łukasz", start="/hello")
        seen = visitor.get("/hello").json()
        assert seen["x-auth-user"] == "łukasz"
        assert seen["x-auth-email"] == "łukasz@example.com"
        assert seen["x-auth-groups"] == "Zespół,A"
        assert seen["x-auth-user-encoded"] == "%C5%82ukasz"
        assert seen["x-auth-email-encoded"] == "%C5%82ukasz@example.com"
        assert seen["x-auth-groups-encoded"] == "Zesp%C3%B3%C5%82%2CA"  # one group, comma kept in
        assert SUB.match(seen["x-auth-sub"])
    finally:
        visitor.close()


def test_the_whole_query_string_survives_sign_in(stack: Stack) -> None:
    """``/report?a=1&b=2`` round-trips through sign-in and enrolment with every parameter.

    nginx cannot URL-encode ``$request_uri``; the portal's ``/auth/signin`` does it from
    ``X-Original-URI``. Also: a user in no group gets no X-Auth-Groups at all, not the client's.
    """
    create_user(stack.portal, "bob", group=None)
    bob = Visitor(stack, "http")
    seen_before = len(stack.seen)
    try:
        first = bob.get("/report?a=1&b=2")
        assert first.status_code == 302
        assert first.headers["location"] == "/signin?next=/report%3Fa%3D1%26b%3D2"
        form = bob.get(first.headers["location"])
        assert [html.unescape(v) for v in NEXT_FIELD.findall(form.text)] == ["/report?a=1&b=2"]

        sign_in_and_enrol(bob, "bob", start="/report?a=1&b=2")
        # The enrolment's last page offers the way back: the whole original address.
        done = bob.get("/mfa/setup/done")
        back = re.search(r'<a class="button" href="([^"]+)"', done.text)
        assert back, done.text
        assert html.unescape(back.group(1)) == "/report?a=1&b=2"

        answer = bob.get(html.unescape(back.group(1)), headers={"X-Auth-Groups": "admins"})
        assert answer.status_code == 200
        assert SUB.match(answer.json()["x-auth-sub"])
        assert {k: v for k, v in answer.json().items() if k != "x-auth-sub"} == {
            "path": "/report",
            "query": "a=1&b=2",
            "x-auth-user": "bob",
            "x-auth-email": "bob@example.com",
            "x-auth-groups": None,
            "x-auth-user-encoded": "bob",
            "x-auth-email-encoded": "bob@example.com",
            "x-auth-groups-encoded": None,
        }
        assert len(stack.seen) == seen_before + 1

        # A request the application refuses is not POSTed on to the portal: still a redirect.
        assert bob.post("/signout", {}).status_code == 303
        refused = bob.http.post("/report?a=1&b=2", data={"field": "value"})
        assert (refused.status_code, refused.headers["location"]) == (
            302,
            first.headers["location"],
        )
        assert len(stack.seen) == seen_before + 1
    finally:
        bob.close()
