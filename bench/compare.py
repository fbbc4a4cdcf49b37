"""Run the same Cognito calls on the embedded pool, moto and cognito-local and tabulate the outcomes.

    .venv/bin/python -m bench.compare [--write docs/emulator-comparison.md]

Each probe sets up what it needs through the API, makes one call (or a short sequence) and reports what
came back: ``ok: …`` or ``ErrorCode: message``. The table in docs/compatibility.md is produced by this.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from botocore.exceptions import ClientError

from bench.servers import Server, cognito_local, embedded_pool, moto_server
from bench.workloads import LaxTOTP, client_for

PW = "Probe-Pass-123!"
# cognito-local's default pool signs in by email; an email-shaped username works on all three.
ALICE, MALLORY, VICTIM, NOBODY = (
    "alice@example.com",
    "mallory@example.com",
    "victim@example.com",
    "nobody@example.com",
)


@dataclass
class Ctx:
    server: Server
    idp: Any
    pool: str
    client: str


def outcome(fn: Callable[[], Any]) -> str:
    try:
        result = fn()
    except ClientError as exc:
        err = exc.response.get("Error", {})
        message = " ".join(str(err.get("Message")).split())
        if message.lower().startswith("<!doctype html"):
            message = "(an HTML error page)"
        return f"{err.get('Code')}: {message[:100]}"
    except Exception as exc:  # a server crash or a protocol error is an outcome too
        return f"{type(exc).__name__}: {str(exc)[:80]}"
    return "ok" if result is None else f"ok: {result}"


def setup(server: Server, mfa: str = "OPTIONAL", **client_extra: Any) -> Ctx:
    idp = client_for(server)
    pool = idp.create_user_pool(PoolName="probe")["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration=mfa, SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="probe",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        **client_extra,
    )["UserPoolClient"]["ClientId"]
    return Ctx(server, idp, pool, client)


def user(c: Ctx, name: str = ALICE, permanent: bool = True) -> None:
    c.idp.admin_create_user(
        UserPoolId=c.pool, Username=name, TemporaryPassword=PW, MessageAction="SUPPRESS"
    )
    if permanent:
        c.idp.admin_set_user_password(UserPoolId=c.pool, Username=name, Password=PW, Permanent=True)


def sign_in(c: Ctx, name: str = ALICE, password: str = PW) -> dict[str, Any]:
    return dict(
        c.idp.initiate_auth(
            ClientId=c.client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": password},
        )
    )


def enrol(c: Ctx, name: str = ALICE) -> str:
    access = sign_in(c, name)["AuthenticationResult"]["AccessToken"]
    secret = str(c.idp.associate_software_token(AccessToken=access)["SecretCode"])
    c.idp.verify_software_token(AccessToken=access, UserCode=LaxTOTP(secret).now())
    c.idp.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret


def answer(c: Ctx, session: str, code: str, name: str = ALICE) -> Any:
    return c.idp.respond_to_auth_challenge(
        ClientId=c.client,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=session,
        ChallengeResponses={"USERNAME": name, "SOFTWARE_TOKEN_MFA_CODE": code},
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def p_off_with_factor(s: Server) -> str:
    idp = client_for(s)
    pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    return outcome(
        lambda: (
            idp.set_user_pool_mfa_config(
                UserPoolId=pool,
                MfaConfiguration="OFF",
                SoftwareTokenMfaConfiguration={"Enabled": True},
            )
            and None
        )
    )


def p_optional_without_factor(s: Server) -> str:
    idp = client_for(s)
    pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    return outcome(
        lambda: idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OPTIONAL") and None
    )


def p_secret(s: Server) -> str:
    c = setup(s)
    user(c)
    access = sign_in(c)["AuthenticationResult"]["AccessToken"]
    first = c.idp.associate_software_token(AccessToken=access)["SecretCode"]
    second = c.idp.associate_software_token(AccessToken=access)["SecretCode"]
    return f"ok: {len(first)} chars, second call {'same' if first == second else 'new'} secret"


def p_verify_wrong(s: Server) -> str:
    c = setup(s)
    user(c)
    access = sign_in(c)["AuthenticationResult"]["AccessToken"]
    secret = c.idp.associate_software_token(AccessToken=access)["SecretCode"]
    return outcome(
        lambda: c.idp.verify_software_token(
            AccessToken=access, UserCode=wrong(LaxTOTP(secret).now())
        )["Status"]
    )


def p_challenge_wrong(s: Server) -> str:
    c = setup(s)
    user(c)
    secret = enrol(c)
    step = sign_in(c)
    return outcome(lambda: answer(c, step["Session"], wrong(LaxTOTP(secret).now())) and "tokens")


def p_replay(s: Server) -> str:
    c = setup(s)
    user(c)
    secret = enrol(c)
    time.sleep(30 - time.time() % 30 + 0.3)
    code = LaxTOTP(secret).now()
    first = outcome(lambda: answer(c, sign_in(c)["Session"], code) and "tokens")
    second = outcome(lambda: answer(c, sign_in(c)["Session"], code) and "tokens")
    return f"first: {first}; same code again: {second}"


def p_admin_delete(s: Server) -> str:
    c = setup(s)
    user(c)
    enrol(c)
    return outcome(
        lambda: c.idp.admin_delete_software_token(UserPoolId=c.pool, Username=ALICE) and None
    )


def p_unknown_user(s: Server) -> str:
    c = setup(s)
    return outcome(lambda: sign_in(c, NOBODY))


def p_unknown_user_prevented(s: Server) -> str:
    c = setup(s, PreventUserExistenceErrors="ENABLED")
    return outcome(lambda: sign_in(c, NOBODY))


def p_lockout(s: Server) -> str:
    c = setup(s)
    user(c)
    for _ in range(5):
        outcome(lambda: sign_in(c, password="Wrong-Pass-1!"))
    return "6th attempt, right password: " + outcome(lambda: "AuthenticationResult" in sign_in(c))


def p_mfa_setup(s: Server) -> str:
    c = setup(s, mfa="ON")
    user(c, permanent=False)
    step = sign_in(c, password=PW)

    def go() -> str:
        nxt = c.idp.respond_to_auth_challenge(
            ClientId=c.client,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=step["Session"],
            ChallengeResponses={"USERNAME": ALICE, "NEW_PASSWORD": "New-Pass-456!"},
        )
        return f"{nxt.get('ChallengeName')} {json.dumps(nxt.get('ChallengeParameters'))}"

    return outcome(go)


def p_session_reuse(s: Server) -> str:
    c = setup(s)
    user(c)
    secret = enrol(c)
    time.sleep(30 - time.time() % 30 + 0.3)
    step = sign_in(c)
    answer(c, step["Session"], LaxTOTP(secret).now())
    return outcome(lambda: answer(c, step["Session"], LaxTOTP(secret).now()) and "tokens")


def p_session_other_user(s: Server) -> str:
    c = setup(s)
    user(c, MALLORY)
    user(c, VICTIM)
    secret = enrol(c, MALLORY)
    enrol(c, VICTIM)
    time.sleep(30 - time.time() % 30 + 0.3)
    step = sign_in(c, MALLORY)
    return outcome(
        lambda: (
            answer(c, step["Session"], LaxTOTP(secret).now(), name=VICTIM)["AuthenticationResult"]
            and "tokens for victim"
        )
    )


def p_enable_without_token(s: Server) -> str:
    c = setup(s)
    user(c)
    return outcome(
        lambda: (
            c.idp.admin_set_user_mfa_preference(
                UserPoolId=c.pool, Username=ALICE, SoftwareTokenMfaSettings={"Enabled": True}
            )
            and None
        )
    )


def p_flow_not_allowed(s: Server) -> str:
    idp = client_for(s)
    pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c")["UserPoolClient"][
        "ClientId"
    ]
    idp.admin_create_user(
        UserPoolId=pool, Username=ALICE, TemporaryPassword=PW, MessageAction="SUPPRESS"
    )
    return outcome(
        lambda: (
            idp.initiate_auth(
                ClientId=client,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": ALICE, "PASSWORD": PW},
            )
            and "accepted"
        )
    )


def p_unsigned_admin(s: Server) -> str:
    c = setup(s)
    response = httpx.post(
        s.endpoint + "/",
        headers={
            "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUsers",
            "Content-Type": "application/x-amz-json-1.1",
        },
        content=json.dumps({"UserPoolId": c.pool}),
    )
    body = (
        response.json()
        if response.headers.get("content-type", "").startswith("application")
        else {}
    )
    return f"HTTP {response.status_code} {body.get('__type', 'ok')}"


PROBES: list[tuple[str, Callable[[Server], str]]] = [
    ("SetUserPoolMfaConfig OFF + TOTP block", p_off_with_factor),
    ("SetUserPoolMfaConfig OPTIONAL, no factor", p_optional_without_factor),
    ("AssociateSoftwareToken secret", p_secret),
    ("VerifySoftwareToken, wrong code", p_verify_wrong),
    ("SOFTWARE_TOKEN_MFA, wrong code", p_challenge_wrong),
    ("SOFTWARE_TOKEN_MFA, same code twice", p_replay),
    ("AdminDeleteSoftwareToken", p_admin_delete),
    ("InitiateAuth, unknown user (LEGACY)", p_unknown_user),
    ("InitiateAuth, unknown user (PreventUserExistenceErrors)", p_unknown_user_prevented),
    ("5 wrong passwords, then the right one", p_lockout),
    ("ON pool: NEW_PASSWORD_REQUIRED answered", p_mfa_setup),
    ("Spent session used again", p_session_reuse),
    ("mallory's session answered as victim", p_session_other_user),
    ("Enable TOTP without a token", p_enable_without_token),
    ("USER_PASSWORD_AUTH on a client without it", p_flow_not_allowed),
    ("Unsigned ListUsers", p_unsigned_admin),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    with ExitStack() as stack:
        servers = [stack.enter_context(embedded_pool()), stack.enter_context(moto_server())]
        local = stack.enter_context(cognito_local())
        if local is not None:
            servers.append(local)
        rows = []
        for title, probe in PROBES:
            cells = []
            for server in servers:
                answer = outcome(partial(probe, server))
                cells.append(answer.removeprefix("ok: ").replace("|", "\\|"))
            rows.append((title, cells))
            print(title, cells, flush=True)
    lines = [
        "| call | " + " | ".join(s.name for s in servers) + " |",
        "|---|" + "---|" * len(servers),
    ]
    lines += [f"| {t} | " + " | ".join(c) + " |" for t, c in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        args.write.write_text(text)


if __name__ == "__main__":
    main()
