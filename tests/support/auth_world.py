"""The sign-in rig for the auth-ops unit tests: a pool and client, users, and the sign-in calls."""

from __future__ import annotations

import json
from typing import Any

from mfa_portal.pool import totp
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_pool
from mfa_portal.pool.users import User, find_user
from tests.support.pool_rig import PASSWORD, PoolRig, recovery_setting

ALL_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]
INVALID = "Invalid session for the user."


class SignInRig(PoolRig):
    """One pool and app client made through the Cognito API, plus shortcuts for sign-in calls."""

    def __init__(
        self,
        engine: Engine,
        *,
        mfa: str = "OFF",
        totp_enabled: bool = True,
        email_mfa: bool = False,
        flows: list[str] | None = None,
        secret: bool = False,
        prevent: bool = False,
        session_minutes: int = 3,
        recovery: list[str] | None = None,
    ) -> None:
        pool: dict[str, Any] = {"PoolName": "p"}
        if recovery is not None:
            pool["AccountRecoverySetting"] = recovery_setting(recovery)
        super().__init__(engine, pool)
        self.set_mfa(mfa, totp_enabled=totp_enabled, email_mfa=email_mfa)
        self.add_client(
            ClientName="c",
            GenerateSecret=secret,
            ExplicitAuthFlows=ALL_FLOWS if flows is None else flows,
            AuthSessionValidity=session_minutes,
            PreventUserExistenceErrors="ENABLED" if prevent else "LEGACY",
        )

    def set_mfa(self, mode: str, *, totp_enabled: bool = True, email_mfa: bool = False) -> None:
        doc: dict[str, Any] = {"MfaConfiguration": mode}
        if mode != "OFF":
            doc["SoftwareTokenMfaConfiguration"] = {"Enabled": totp_enabled}
            if email_mfa:
                doc["EmailMfaConfiguration"] = {"Message": "Your code is {####}", "Subject": "Code"}
        self.store_mfa(doc)

    def user(
        self, name: str, *, email: str | None = None, verified: bool = False, permanent: bool = True
    ) -> None:
        attrs = [] if email is None else [{"Name": "email", "Value": email}]
        if verified:
            attrs.append({"Name": "email_verified", "Value": "true"})
        self.create_user(name, attrs, permanent=permanent)

    def sql(self, statement: str, *args: Any) -> None:
        with self.engine.db.transaction() as conn:
            conn.execute(statement, args)

    def row(self, name: str) -> User:
        with self.engine.db.read() as conn:
            pool = load_pool(conn, self.pool_id)
            found = find_user(conn, pool, name)
        assert found is not None
        return found

    def login(
        self, name: str, password: str = PASSWORD, *, flow: str = "USER_PASSWORD_AUTH", **extra: str
    ) -> dict[str, Any]:
        params = {"USERNAME": name, "PASSWORD": password, **extra}
        if flow.startswith("ADMIN"):
            return self.admin(
                "AdminInitiateAuth", ClientId=self.client_id, AuthFlow=flow, AuthParameters=params
            )
        return self.engine.call(
            "InitiateAuth", {"ClientId": self.client_id, "AuthFlow": flow, "AuthParameters": params}
        )

    def respond(
        self, challenge: str, session: str | None, client_id: str | None = None, **responses: str
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "ClientId": client_id or self.client_id,
            "ChallengeName": challenge,
            "ChallengeResponses": responses,
        }
        if session is not None:
            params["Session"] = session
        return self.engine.call("RespondToAuthChallenge", params)

    def enrol_totp(self, name: str, *, prefer: bool = True) -> str:
        """Associate + verify a token for ``name``, activate it; step past the enrolment code."""
        user = self.row(name)
        ctx = Context(self.engine, self.clock.now(), None)
        with self.engine.db.transaction() as conn:
            secret = totp.start_association(ctx, conn, user.id)
            code = totp.code_at(secret, totp.step_at(ctx.now))
            assert totp.verify_association(ctx, conn, user, code, "phone") is totp.Verdict.ACCEPTED
        self.activate(name, ["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA" if prefer else None)
        self.clock.advance(30)
        return secret

    def activate(self, name: str, factors: list[str], preferred: str | None) -> None:
        self.sql(
            "UPDATE users SET mfa_enabled = ?, preferred_mfa = ? WHERE username = ?",
            json.dumps(factors),
            preferred,
            name,
        )

    def code(self, secret: str) -> str:
        return totp.code_at(secret, totp.step_at(self.clock.now()))


def totp_rig(engine: Engine, mfa: str = "OPTIONAL", **kw: Any) -> tuple[SignInRig, str]:
    """Alice, with email and an active, preferred TOTP token, in a pool with ``mfa``."""
    rig = SignInRig(engine, mfa=mfa, **kw)
    rig.user("alice", email="alice@example.com")
    return rig, rig.enrol_totp("alice")


def tokens_of(result: dict[str, Any]) -> dict[str, Any]:
    assert result["ChallengeParameters"] == {}
    auth: dict[str, Any] = result["AuthenticationResult"]
    assert {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"} <= set(auth)
    return auth
