"""A whole TOTP story against the embedded pool with plain boto3 — the README's copy-paste session.

Run `mfa-portal pool serve` in another terminal, export the key pair it prints, then:
    .venv/bin/python examples/boto3_session.py [http://127.0.0.1:9229]
Nothing here is specific to mfa-portal: point it at any Cognito endpoint.
"""

from __future__ import annotations

import sys
import time

import boto3
import pyotp

endpoint = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9229"
idp = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint)


def next_code(totp: pyotp.TOTP) -> str:
    """Wait for the authenticator to show a fresh code: each code is accepted only once."""
    time.sleep(30 - time.time() % 30 + 0.5)
    return totp.now()


# 1. A pool with optional TOTP MFA, an app client and a user.
pool_id = idp.create_user_pool(PoolName="demo", UsernameConfiguration={"CaseSensitive": False})[
    "UserPool"
]["Id"]
idp.set_user_pool_mfa_config(
    UserPoolId=pool_id,
    MfaConfiguration="OPTIONAL",
    SoftwareTokenMfaConfiguration={"Enabled": True},
)
client_id = idp.create_user_pool_client(
    UserPoolId=pool_id,
    ClientName="demo",
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
)["UserPoolClient"]["ClientId"]
idp.admin_create_user(
    UserPoolId=pool_id,
    Username="alice",
    UserAttributes=[
        {"Name": "email", "Value": "alice@example.com"},
        {"Name": "email_verified", "Value": "true"},
    ],
    MessageAction="SUPPRESS",
)
idp.admin_set_user_password(
    UserPoolId=pool_id, Username="alice", Password="Correct-Horse-9", Permanent=True
)
password = {"USERNAME": "alice", "PASSWORD": "Correct-Horse-9"}

# 2. Sign in (no MFA yet: tokens straight away) and enrol an authenticator.
tokens = idp.initiate_auth(
    ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=password
)["AuthenticationResult"]
secret = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
totp = pyotp.TOTP(secret)  # what an authenticator app does with the QR code / secret
idp.verify_software_token(
    AccessToken=tokens["AccessToken"], UserCode=totp.now(), FriendlyDeviceName="alice-phone"
)
idp.set_user_mfa_preference(
    AccessToken=tokens["AccessToken"],
    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
)
print("enrolled:", idp.admin_get_user(UserPoolId=pool_id, Username="alice")["UserMFASettingList"])

# 3. Sign in with TOTP: Cognito's own SOFTWARE_TOKEN_MFA challenge.
step = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=password)
assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA", step
code = next_code(totp)
done = idp.respond_to_auth_challenge(
    ClientId=client_id,
    ChallengeName="SOFTWARE_TOKEN_MFA",
    Session=step["Session"],
    ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
)
print("signed in with TOTP:", "AccessToken" in done["AuthenticationResult"])

# 4. The same code again is a replay: refused.
again = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=password)
try:
    idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=again["Session"],
        ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
    )
except idp.exceptions.CodeMismatchException as exc:
    print("replayed code refused:", exc.response["Error"]["Message"])

# 5. Support resets the lost authenticator and signs the user out everywhere.
idp.admin_delete_software_token(UserPoolId=pool_id, Username="alice")
idp.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
user = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
print("after reset:", user.get("UserMFASettingList", []))
