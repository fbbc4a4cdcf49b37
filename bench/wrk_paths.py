"""wrk on the portal's hot paths, two source trees side by side, beside a bare Starlette app.

``python -m bench.wrk_paths OLD_SRC NEW_SRC``: starts ``mfa-portal serve`` from each tree (same venv,
``PYTHONPATH``), signs the first admin in and enrols them, then runs wrk (2 threads, 8 connections,
8 s) on ``/auth/verify`` with and without the session cookie and on ``GetUser`` at ``/cognito``.
The floor is a Starlette app answering 200 on the same server settings. Load comes from wrk, not
from Python threads, so it measures the server.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import httpx
import pyotp

VENV = str(Path(sys.executable).parent)
WORK = Path("/tmp/mfa-portal-wrk")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = re.compile(r'id="secret">([A-Z2-7 ]+)<')
Figure = tuple[float, str, int]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(src: str, data: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MFA_PORTAL_")},
        "PYTHONPATH": src,
        "MFA_PORTAL_MODE": "development",
        "MFA_PORTAL_INITIAL_ADMIN_PASSWORD": "Admin-Temp-123!",
        "MFA_PORTAL_ENROLMENT_PROOF": "none",
        "MFA_PORTAL_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [f"{VENV}/mfa-portal", "serve", "--port", str(port), "--data-dir", data],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=WORK,
    )
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/signin", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("no start")


def sign_in(base: str) -> str:
    """The first admin: new password, enrolment; returns the session cookie header value."""
    c = httpx.Client(base_url=base, follow_redirects=True, timeout=30)

    def post(path: str, data: dict[str, str]) -> httpx.Response:
        found = CSRF.search(c.get(path).text)
        assert found, path
        tok = found.group(1)
        return c.post(path, data={"csrf_token": tok, **data})

    post("/signin", {"username": "admin", "password": "Admin-Temp-123!", "next": "/"})
    page = post(
        "/signin/new-password", {"password": "Correct-Horse-9!", "confirm": "Correct-Horse-9!"}
    )
    shown = SECRET.search(page.text)
    assert shown, "no set-up key"
    secret = shown.group(1).replace(" ", "")
    post("/mfa/setup", {"code": pyotp.TOTP(secret).now()})
    assert c.get("/auth/verify").status_code == 200
    return "; ".join(f"{k}={v}" for k, v in c.cookies.items())


def wrk(url: str, header: str | None = None, script: str | None = None) -> Figure:
    cmd = (
        ["wrk", "-t2", "-c8", "-d8s", "--latency"]
        + (["-H", header] if header else [])
        + (["-s", script] if script else [])
        + [url]
    )
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rps_m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50_m = re.search(r"50%\s+([\d.]+\w+)", out)
    assert rps_m and p50_m, out
    rps, p50 = float(rps_m.group(1)), p50_m.group(1)
    non2 = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, int(non2.group(1)) if non2 else 0


def main() -> None:
    WORK.mkdir(exist_ok=True)
    results: dict[str, dict[str, Figure]] = {}
    for name, src in (("before", sys.argv[1]), ("after", sys.argv[2])):
        data = str(WORK / f"data-{name}")
        subprocess.run(["rm", "-rf", data], check=True)
        port = free_port()
        proc = start(src, data, port)
        try:
            base = f"http://127.0.0.1:{port}"
            cookie = sign_in(base)
            creds = json.loads(Path(data, "credentials.json").read_text())
            ids = json.loads(Path(data, "portal.json").read_text())
            idp = boto3.client(
                "cognito-idp",
                endpoint_url=base + "/cognito",
                region_name="us-east-1",
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
            )
            idp.admin_create_user(
                UserPoolId=ids["user_pool_id"], Username="bench", MessageAction="SUPPRESS"
            )
            idp.admin_set_user_password(
                UserPoolId=ids["user_pool_id"],
                Username="bench",
                Password="Correct-Horse-9!",
                Permanent=True,
            )
            token = idp.admin_initiate_auth(
                UserPoolId=ids["user_pool_id"],
                ClientId=ids["client_id"],
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "bench", "PASSWORD": "Correct-Horse-9!"},
            )["AuthenticationResult"]["AccessToken"]
            lua = WORK / f"getuser-{port}.lua"
            lua.write_text(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-amz-json-1.1"\n'
                'wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.GetUser"\n'
                f"wrk.body = '{json.dumps({'AccessToken': token})}'\n"
            )
            results[name] = {
                "/auth/verify, signed in": wrk(base + "/auth/verify", f"Cookie: {cookie}"),
                "/auth/verify, no cookie": wrk(base + "/auth/verify"),
                "GetUser at /cognito": wrk(base + "/cognito", script=str(lua)),
            }
        finally:
            proc.terminate()
            proc.wait()

    # The floor: a bare Starlette app answering 200, same server settings (uvicorn, h11, one process).
    (WORK / "bare.py").write_text(
        "from starlette.applications import Starlette\nfrom starlette.responses import Response\nfrom starlette.routing import Route\nasync def ok(r):\n    return Response('', status_code=200)\napp = Starlette(routes=[Route('/auth/verify', ok)])\n"
    )
    port = free_port()
    bare = subprocess.Popen(
        [
            f"{VENV}/python",
            "-m",
            "uvicorn",
            "bare:app",
            "--port",
            str(port),
            "--http",
            "h11",
            "--log-level",
            "warning",
        ],
        cwd=WORK,
    )
    time.sleep(2)
    try:
        floor = wrk(f"http://127.0.0.1:{port}/auth/verify")
    finally:
        bare.terminate()
        bare.wait()
    report: dict[str, Any] = {"results": results, "floor": floor}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
