"""First start on an empty data directory: create the default pool through the Cognito API.

The pool is MFA OPTIONAL with TOTP enabled (the design note's choice: the portal, not Cognito, decides
who must enrol), usernames are case-insensitive with email as an alias, and the app client allows the
server-side password and refresh flows. A first admin user gets a temporary password that is shown
once (or taken from ``MFA_PORTAL_INITIAL_ADMIN_PASSWORD``). The ids are remembered in
``<data_dir>/portal.json``; later starts reuse them.

With a shared database (``MFA_PORTAL_DATABASE_URL``) every replica has its own data directory, so a
replica whose ``portal.json`` is missing first looks for the default pool another replica created
(``ListUserPools`` / ``ListUserPoolClients``, by name) and remembers that one instead of creating a
second pool nobody else uses.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mfa_portal.admin.admins import ADMIN_GROUP
from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.cognito_api.passwords import temporary_password

STATE_FILE = "portal.json"
POOL_NAME = "mfa-portal"
ADMIN_USERNAME = "admin"
AUTH_FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]


@dataclass(frozen=True)
class PoolIds:
    user_pool_id: str
    client_id: str


@dataclass(frozen=True)
class Bootstrap:
    ids: PoolIds
    created: bool
    admin_username: str | None = None
    admin_password: str | None = None  # only on the start that created it, and only if generated
    admin_password_from_env: bool = False


def load_ids(data_dir: Path) -> PoolIds | None:
    path = data_dir / STATE_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return PoolIds(str(data["user_pool_id"]), str(data["client_id"]))


def save_ids(data_dir: Path, ids: PoolIds) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".{STATE_FILE}.tmp"
    tmp.write_text(
        json.dumps({"user_pool_id": ids.user_pool_id, "client_id": ids.client_id}, indent=2) + "\n",
        encoding="utf-8",
    )
    os.replace(tmp, data_dir / STATE_FILE)


class NoDefaultPool(LookupError):
    """The shared database holds no default pool and this caller may not create one."""


def find_default_pool(client: CognitoClient) -> PoolIds | None:
    """The default pool (and its app client) in the pool's database, the oldest if several."""
    pools: list[dict[str, Any]] = []
    page: dict[str, Any] = {}
    while True:
        answer = client.call("ListUserPools", MaxResults=60, **page)
        pools += [p for p in answer.get("UserPools", []) if p.get("Name") == POOL_NAME]
        if not answer.get("NextToken"):
            break
        page = {"NextToken": answer["NextToken"]}
    for pool in sorted(pools, key=lambda p: (str(p.get("CreationDate", "")), str(p["Id"]))):
        clients = client.call("ListUserPoolClients", UserPoolId=pool["Id"], MaxResults=60)
        for app_client in clients.get("UserPoolClients", []):
            if app_client.get("ClientName") == POOL_NAME:
                return PoolIds(str(pool["Id"]), str(app_client["ClientId"]))
    return None


def ensure_default_pool(
    client: CognitoClient,
    data_dir: Path,
    *,
    admin_password: str | None = None,
    shared: bool = False,
    may_create: bool = True,
) -> Bootstrap:
    """Reuse the remembered pool, or (``shared``) the one another replica created, or create and
    remember the default one (unless ``may_create`` is False: then ``NoDefaultPool``)."""
    existing = load_ids(data_dir)
    if existing is not None:
        return Bootstrap(existing, created=False)
    if shared:
        found = find_default_pool(client)
        if found is not None:
            save_ids(data_dir, found)
            return Bootstrap(found, created=False)
    if not may_create:
        raise NoDefaultPool(POOL_NAME)
    pool_id = client.call(
        "CreateUserPool",
        PoolName=POOL_NAME,
        MfaConfiguration="OFF",  # CreateUserPool only takes SMS MFA; TOTP comes next (spec §2.1)
        AliasAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        # A new address takes over only once its code is entered: until then reset codes and
        # X-Auth-Email keep the proven one (the account page says which happened).
        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
        UsernameConfiguration={"CaseSensitive": False},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
    )["UserPool"]["Id"]
    client.call(
        "SetUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    client_id = client.call(
        "CreateUserPoolClient",
        UserPoolId=pool_id,
        ClientName=POOL_NAME,
        ExplicitAuthFlows=AUTH_FLOWS,
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
        # Confidential: only the portal, which holds the secret, can sign in through this client.
        # A public one let anyone with a password alone (after a support reset) bind their own
        # authenticator through the pool's endpoint, around the portal's enrolment proof.
        GenerateSecret=True,
    )["UserPoolClient"]["ClientId"]
    client.call(
        "CreateGroup",
        UserPoolId=pool_id,
        GroupName=ADMIN_GROUP,
        Description="Portal administrators",
    )
    password = admin_password or temporary_password()
    client.call(
        "AdminCreateUser",
        UserPoolId=pool_id,
        Username=ADMIN_USERNAME,
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
    )
    client.call(
        "AdminAddUserToGroup", UserPoolId=pool_id, Username=ADMIN_USERNAME, GroupName=ADMIN_GROUP
    )
    ids = PoolIds(pool_id, client_id)
    save_ids(data_dir, ids)
    return Bootstrap(
        ids,
        created=True,
        admin_username=ADMIN_USERNAME,
        admin_password=None if admin_password else password,
        admin_password_from_env=admin_password is not None,
    )
