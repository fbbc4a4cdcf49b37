"""Building blocks for scenarios: a pool, a client and users, made only through the Cognito API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mfa_portal.cognito_api.client import CognitoClient
from tests.support.backends import PASSWORD, Backend


@dataclass
class PoolSetup:
    backend: Backend
    pool_id: str
    client_id: str

    @property
    def idp(self) -> CognitoClient:
        return self.backend.client

    def create_user(
        self, username: str, *, permanent: bool = True, email: str | None = None
    ) -> None:
        attrs = [
            {"Name": "email", "Value": email or f"{username}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ]
        self.idp.call(
            "AdminCreateUser",
            UserPoolId=self.pool_id,
            Username=username,
            UserAttributes=attrs,
            MessageAction="SUPPRESS",
            TemporaryPassword="Temp-Pass-123!",
        )
        if permanent:
            self.idp.call(
                "AdminSetUserPassword",
                UserPoolId=self.pool_id,
                Username=username,
                Password=PASSWORD,
                Permanent=True,
            )

    def sign_in(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        return self.idp.call(
            "InitiateAuth",
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )

    def answer_totp(self, username: str, session: str, code: str) -> dict[str, Any]:
        return self.idp.call(
            "RespondToAuthChallenge",
            ClientId=self.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
        )

    def enrol_totp(self, username: str) -> str:
        """Sign in, associate, verify and prefer TOTP; return the secret (what the QR code carries)."""
        access = self.sign_in(username)["AuthenticationResult"]["AccessToken"]
        secret = str(self.idp.call("AssociateSoftwareToken", AccessToken=access)["SecretCode"])
        result = self.idp.call(
            "VerifySoftwareToken",
            AccessToken=access,
            UserCode=self.backend.code(secret),
            FriendlyDeviceName="phone",
        )
        assert result["Status"] == "SUCCESS"
        self.idp.call(
            "SetUserMFAPreference",
            AccessToken=access,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )
        return secret

    def mfa_settings(self, username: str) -> list[str]:
        user = self.idp.call("AdminGetUser", UserPoolId=self.pool_id, Username=username)
        return list(user.get("UserMFASettingList", []))


def make_pool(
    backend: Backend,
    *,
    mfa: str = "OPTIONAL",
    prevent_user_existence: bool = False,
    email_mfa: bool = False,
) -> PoolSetup:
    pool_id, client_id = create_pool(
        backend.client, mfa=mfa, prevent_user_existence=prevent_user_existence, email_mfa=email_mfa
    )
    return PoolSetup(backend, pool_id, client_id)


def create_pool(
    idp: CognitoClient,
    *,
    name: str = "scenario",
    mfa: str = "OPTIONAL",
    prevent_user_existence: bool = False,
    email_mfa: bool = False,
) -> tuple[str, str]:
    """A pool with TOTP on (``email_mfa`` adds an own-SES email configuration) and an app client
    allowing the password and refresh flows; returns ``(pool_id, client_id)``."""
    pool: dict[str, Any] = {
        "PoolName": name,
        "UsernameConfiguration": {"CaseSensitive": False},
    }
    if email_mfa:  # Cognito sends MFA email only through the pool's own SES identity
        pool["EmailConfiguration"] = {
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com",
            "From": "no-reply@example.com",
        }
    pool_id = idp.call("CreateUserPool", **pool)["UserPool"]["Id"]
    config: dict[str, Any] = {"SoftwareTokenMfaConfiguration": {"Enabled": True}}
    if email_mfa:
        config["EmailMfaConfiguration"] = {
            "Message": "Your code is {####}",
            "Subject": "Sign-in code",
        }
    idp.call("SetUserPoolMfaConfig", UserPoolId=pool_id, MfaConfiguration=mfa, **config)
    client: dict[str, Any] = {
        "UserPoolId": pool_id,
        "ClientName": "scenario",
        "ExplicitAuthFlows": [
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    }
    if prevent_user_existence:
        client["PreventUserExistenceErrors"] = "ENABLED"
    client_id = idp.call("CreateUserPoolClient", **client)["UserPoolClient"]["ClientId"]
    return str(pool_id), str(client_id)
