"""Every name that reaches a user (username, sub, sign-in attribute) reaches one user, over HTTP with
real boto3: nobody can sign up as a victim's sub or preferred_username and take over what names the
victim by it, nor set a sign-in attribute to someone else's username or sub."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.wire import WireServer

PASSWORD = "Correct-Horse-9!"
USERNAME_TAKEN = ("UsernameExistsException", "User already exists")  # SignUp's words
ACCOUNT_TAKEN = ("UsernameExistsException", "User account already exists")  # AdminCreateUser's
ALIAS_TAKEN = ("AliasExistsException", "An account with the preferred_username already exists.")


@dataclass
class Pool:
    idp: Any  # signed, for admin calls
    anonymous: Any  # unsigned: what anyone may call
    pool_id: str
    client_id: str
    victim_sub: str

    def sign_up(self, name: str, **extra: Any) -> None:
        self.anonymous.sign_up(ClientId=self.client_id, Username=name, Password=PASSWORD, **extra)

    def create(self, name: str, **extra: Any) -> None:
        self.idp.admin_create_user(
            UserPoolId=self.pool_id, Username=name, MessageAction="SUPPRESS", **extra
        )

    def sign_in(self, name: str) -> str:
        """The username the tokens were issued to."""
        result = self.anonymous.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        return str(self.idp.get_user(AccessToken=result["AccessToken"])["Username"])


def _pool(server: WireServer, **settings: Any) -> Pool:
    idp = server.client()
    pool_id = idp.create_user_pool(
        PoolName="names", AliasAttributes=["preferred_username"], **settings
    )["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    victim = idp.admin_create_user(
        UserPoolId=pool_id,
        Username="victim",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "preferred_username", "Value": "vic"}],
    )["User"]
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username="victim", Password=PASSWORD, Permanent=True
    )
    sub = next(a["Value"] for a in victim["Attributes"] if a["Name"] == "sub")
    return Pool(idp, server.client(signed=False), pool_id, client_id, sub)


@pytest.fixture
def pool(wire_server: WireServer) -> Pool:
    return _pool(wire_server)


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return str(err["Code"]), str(err["Message"])


def test_sign_up_as_a_victims_preferred_username_is_refused(pool: Pool) -> None:
    """It used to succeed, and from then on the victim's preferred_username signed in the newcomer."""
    with pytest.raises(ClientError) as exc:
        pool.sign_up("vic")
    assert _error(exc) == USERNAME_TAKEN
    assert pool.sign_in("vic") == "victim"


def test_sign_up_as_a_victims_sub_is_refused(pool: Pool) -> None:
    """It used to succeed, and then calls naming the victim by sub acted on the newcomer: an
    application granting the victim a group by sub put the attacker in it."""
    with pytest.raises(ClientError) as exc:
        pool.sign_up(pool.victim_sub)
    assert _error(exc) == USERNAME_TAKEN
    pool.idp.create_group(UserPoolId=pool.pool_id, GroupName="admins")
    pool.idp.admin_add_user_to_group(
        UserPoolId=pool.pool_id, Username=pool.victim_sub, GroupName="admins"
    )
    members = pool.idp.list_users_in_group(UserPoolId=pool.pool_id, GroupName="admins")["Users"]
    assert [m["Username"] for m in members] == ["victim"]


def test_a_case_insensitive_pool_refuses_other_spellings_of_them(wire_server: WireServer) -> None:
    pool = _pool(wire_server, UsernameConfiguration={"CaseSensitive": False})
    for name in ("VIC", pool.victim_sub.upper(), "Victim"):
        with pytest.raises(ClientError) as exc:
            pool.sign_up(name)
        assert _error(exc) == USERNAME_TAKEN, name


def test_a_case_sensitive_pool_takes_other_spellings_as_other_names(pool: Pool) -> None:
    """ "Vic" reaches nobody in a case-sensitive pool, so it is free, and "vic" still reaches the
    victim afterwards."""
    pool.sign_up("Vic")
    assert pool.sign_in("vic") == "victim"


@pytest.mark.parametrize("name", ["victim", "vic", "sub"])
def test_admin_create_user_refuses_them_too(pool: Pool, name: str) -> None:
    with pytest.raises(ClientError) as exc:
        pool.create(pool.victim_sub if name == "sub" else name)
    assert _error(exc) == ACCOUNT_TAKEN


@pytest.mark.parametrize("value", ["victim", "sub"])
def test_a_preferred_username_may_not_be_another_users_username_or_sub(
    pool: Pool, value: str
) -> None:
    """The reverse: the name would then reach two users, and the lookup picks one."""
    taken = pool.victim_sub if value == "sub" else value
    pool.create("mallory")
    with pytest.raises(ClientError) as exc:
        pool.idp.admin_update_user_attributes(
            UserPoolId=pool.pool_id,
            Username="mallory",
            UserAttributes=[{"Name": "preferred_username", "Value": taken}],
        )
    assert _error(exc) == ALIAS_TAKEN
    with pytest.raises(ClientError) as exc:
        pool.sign_up("newcomer", UserAttributes=[{"Name": "preferred_username", "Value": taken}])
    assert _error(exc) == ALIAS_TAKEN
    with pytest.raises(ClientError) as exc:
        pool.create("newcomer2", UserAttributes=[{"Name": "preferred_username", "Value": taken}])
    assert _error(exc) == ALIAS_TAKEN


def test_a_user_may_take_their_own_username_as_preferred_username(pool: Pool) -> None:
    pool.idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id,
        Username="victim",
        UserAttributes=[{"Name": "preferred_username", "Value": "victim"}],
    )
    assert pool.sign_in("victim") == "victim"
