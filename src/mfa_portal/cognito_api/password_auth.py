"""The password step of a Cognito sign-in, as a server-side client makes it: SRP or plain password.

Both the portal's sign-in and the lost-phone reset (which checks the password with Cognito itself)
use this, so the choice of flow, the fallback and the user's address travel the same way everywhere.
With SRP the password never leaves this process and the app client need not allow
USER_PASSWORD_AUTH; ``UserContextData`` carries the visitor's address so the pool (and Cognito's
threat protection) sees the user rather than the server.
"""

from __future__ import annotations

from typing import Any

from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.cognito_api.messages import is_flow_not_enabled
from mfa_portal.cognito_api.secret_hash import secret_hash_parameter
from mfa_portal.cognito_api.srp import SrpClient


class PasswordStep:
    """One app client's password step; remembers (per process) a client that refuses SRP."""

    def __init__(
        self,
        client: CognitoClient,
        *,
        pool_id: str,
        client_id: str,
        client_secret: str | None = None,
        srp: bool = True,
    ) -> None:
        self._client = client
        self._pool_id = pool_id
        self._client_id = client_id
        self._secret = client_secret
        self.srp = srp

    def call(
        self, username: str, password: str, *, now: float, client_ip: str | None = None
    ) -> dict[str, Any]:
        """Cognito's answer to the password step: tokens, or the next challenge."""
        context = {"UserContextData": {"IpAddress": client_ip}} if client_ip else {}
        if self.srp:
            try:
                return self._srp(username, password, now, context)
            except CognitoError as exc:
                if not is_flow_not_enabled(exc):
                    raise
                self.srp = False  # this app client has no ALLOW_USER_SRP_AUTH
        return self._client.call(
            "InitiateAuth",
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=self._client_id,
            AuthParameters={"USERNAME": username, "PASSWORD": password, **self._hash(username)},
            **context,
        )

    def _srp(
        self, username: str, password: str, now: float, context: dict[str, Any]
    ) -> dict[str, Any]:
        srp = SrpClient(self._pool_id, password)
        first = self._client.call(
            "InitiateAuth",
            AuthFlow="USER_SRP_AUTH",
            ClientId=self._client_id,
            AuthParameters={"USERNAME": username, "SRP_A": srp.srp_a, **self._hash(username)},
            **context,
        )
        if first.get("ChallengeName") != "PASSWORD_VERIFIER":
            return first
        params = {str(k): str(v) for k, v in first["ChallengeParameters"].items()}
        user_id = params["USER_ID_FOR_SRP"]
        session = {"Session": first["Session"]} if first.get("Session") else {}
        return self._client.call(
            "RespondToAuthChallenge",
            ClientId=self._client_id,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses={
                "USERNAME": user_id,
                **srp.answer(params, now),
                **self._hash(user_id),
            },
            **session,
            **context,
        )

    def _hash(self, username: str) -> dict[str, str]:
        return secret_hash_parameter(self._secret, username, self._client_id)
