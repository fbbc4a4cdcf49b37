"""Building blocks for scenarios: a pool, a client and users, made only through the Cognito API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mfa_portal.cognito_api.client import CognitoClient
from tests.support.backends import PASSWORD, TEMP_PASSWORD, Backend


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
        create_user(self.idp, self.pool_id, username, permanent=permanent, email=email)

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
        return mfa_settings(self.idp, self.pool_id, username)


def create_user(
    idp: CognitoClient,
    pool_id: str,
    username: str,
    *,
    email: str | None = None,
    temp: str = TEMP_PASSWORD,
    permanent: bool = True,
    groups: tuple[str, ...] = (),
) -> None:
    """An invited user with a verified email; ``permanent`` sets PASSWORD (else the user must
    choose one at first sign-in); ``groups`` it joins."""
    idp.call(
        "AdminCreateUser",
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": email or f"{username}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
        TemporaryPassword=temp,
    )
    if permanent:
        idp.call(
            "AdminSetUserPassword",
            UserPoolId=pool_id,
            Username=username,
            Password=PASSWORD,
            Permanent=True,
        )
    for group in groups:
        idp.call("AdminAddUserToGroup", UserPoolId=pool_id, Username=username, GroupName=group)


def email_codes_on(idp: CognitoClient, pool_id: str) -> None:
    """Email codes on beside TOTP (MFA OPTIONAL, the pool's own SES identity, recovery by verified
    email first), as support would set it in the portal's default pool."""
    idp.call(
        "UpdateUserPool",
        UserPoolId=pool_id,
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        AccountRecoverySetting={
            "RecoveryMechanisms": [
                {"Priority": 1, "Name": "verified_email"},
                {"Priority": 2, "Name": "verified_phone_number"},
            ]
        },
        MfaConfiguration="OPTIONAL",
        EmailConfiguration={
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
            "From": "portal@example.com",
        },
    )
    idp.call(
        "SetUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Code"},
    )


def mfa_settings(idp: CognitoClient, pool_id: str, username: str) -> list[str]:
    """The user's enabled MFA methods, as AdminGetUser lists them."""
    user = idp.call("AdminGetUser", UserPoolId=pool_id, Username=username)
    return list(user.get("UserMFASettingList") or [])


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


def app_client_secret(idp: CognitoClient, pool_id: str, client_id: str) -> str | None:
    """An app client's secret, as an operator reads it to give the portal (the default pool's
    client has one: only the portal signs in through it)."""
    client = idp.call("DescribeUserPoolClient", UserPoolId=pool_id, ClientId=client_id)
    secret = client["UserPoolClient"].get("ClientSecret")
    return str(secret) if secret else None
