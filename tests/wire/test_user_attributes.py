"""A signed-in user's own attributes over HTTP with real boto3: update, verify, delete (spec §6, §10).

The user acts with their access token; codes are read from the mail the pool sent.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mfa_portal.clock import FakeClock
from mfa_portal.mail import MemoryMailer
from tests.support.wire import MakeWireServer, WireServer

PASSWORD = "Correct-Horse-9!"
OLD = "old@example.com"
NEW = "new@example.com"


@dataclass
class Account:
    server: WireServer
    idp: Any
    pool_id: str
    client_id: str
    token: str

    def code_sent_to(self, email: str) -> str:
        mailer = self.server.engine.mailer
        assert isinstance(mailer, MemoryMailer)
        message = mailer.last_to(email)
        assert message is not None, f"no mail to {email}"
        found = re.search(r"\b(\d{6})\b", message.body)
        assert found is not None
        return found.group(1)

    def mail_count(self) -> int:
        mailer = self.server.engine.mailer
        assert isinstance(mailer, MemoryMailer)
        return len(mailer.messages)

    def attrs(self) -> dict[str, str]:
        got = self.idp.get_user(AccessToken=self.token)["UserAttributes"]
        return {a["Name"]: a["Value"] for a in got}

    def update(self, **attrs: str) -> list[dict[str, str]]:
        result = self.idp.update_user_attributes(
            AccessToken=self.token,
            UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
        )
        return list(result["CodeDeliveryDetailsList"])

    def verify(self, code: str) -> None:
        self.idp.verify_user_attribute(AccessToken=self.token, AttributeName="email", Code=code)

    def add_user(self, name: str, email: str) -> None:
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
            ],
        )


def open_account(server: WireServer, **pool: Any) -> Account:
    idp = server.client()
    settings: dict[str, Any] = {"PoolName": "attrs", "AutoVerifiedAttributes": ["email"], **pool}
    pool_id = idp.create_user_pool(**settings)["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    account = Account(server, idp, pool_id, client_id, "")
    account.add_user("alice", OLD)
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
    )
    signed_in = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    account.token = signed_in["AuthenticationResult"]["AccessToken"]
    return account


@pytest.fixture
def account(wire_server: WireServer) -> Account:
    return open_account(wire_server)


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def test_a_new_email_is_unverified_until_its_code_is_confirmed(account: Account) -> None:
    sent = account.update(email=NEW)
    assert sent == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    assert account.attrs()["email"] == NEW
    assert account.attrs()["email_verified"] == "false"
    account.verify(account.code_sent_to(NEW))
    assert account.attrs()["email_verified"] == "true"


def test_with_verification_before_update_the_old_email_stays(wire_server: WireServer) -> None:
    account = open_account(
        wire_server,
        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
    )
    sent = account.update(email=NEW, name="Alice")
    assert sent[0]["Destination"] == "n***@e***"
    before = account.attrs()
    assert (before["email"], before["email_verified"], before["name"]) == (OLD, "true", "Alice")
    # a fresh code goes to the pending address too
    again = account.idp.get_user_attribute_verification_code(
        AccessToken=account.token, AttributeName="email"
    )
    assert again["CodeDeliveryDetails"]["Destination"] == "n***@e***"
    account.verify(account.code_sent_to(NEW))
    after = account.attrs()
    assert (after["email"], after["email_verified"]) == (NEW, "true")


def test_other_attributes_change_at_once_and_send_nothing(account: Account) -> None:
    assert account.update(name="Alice", given_name="Al") == []
    assert account.attrs()["name"] == "Alice"
    assert account.mail_count() == 0


def test_without_auto_verification_a_new_email_gets_no_code(wire_server: WireServer) -> None:
    account = open_account(wire_server, AutoVerifiedAttributes=[])
    assert account.update(email=NEW) == []
    assert account.attrs()["email_verified"] == "false"
    assert account.mail_count() == 0


def test_the_user_cannot_write_verified_flags(account: Account) -> None:
    with pytest.raises(ClientError) as exc:
        account.update(email=NEW, email_verified="true")
    assert error_of(exc) == (
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    )
    assert account.attrs()["email"] == OLD


def test_a_verified_alias_held_by_someone_else_is_refused(wire_server: WireServer) -> None:
    account = open_account(wire_server, AliasAttributes=["email"])
    account.add_user("bob", NEW)
    account.update(email=NEW)
    with pytest.raises(ClientError) as exc:
        account.verify(account.code_sent_to(NEW))
    assert error_of(exc)[0] == "AliasExistsException"
    assert account.attrs()["email_verified"] == "false"


def test_wrong_codes_are_counted_and_void_the_code(account: Account) -> None:
    account.idp.get_user_attribute_verification_code(
        AccessToken=account.token, AttributeName="email"
    )
    code = account.code_sent_to(OLD)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(ClientError) as exc:
            account.verify(wrong)
        assert error_of(exc) == (
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        )
    with pytest.raises(ClientError) as void:
        account.verify(code)
    assert error_of(void)[0] == "ExpiredCodeException"


def test_a_code_for_a_replaced_address_proves_nothing(account: Account) -> None:
    account.idp.get_user_attribute_verification_code(
        AccessToken=account.token, AttributeName="email"
    )
    stale = account.code_sent_to(OLD)
    account.idp.admin_update_user_attributes(
        UserPoolId=account.pool_id,
        Username="alice",
        UserAttributes=[{"Name": "email", "Value": "third@example.com"}],
    )
    with pytest.raises(ClientError) as exc:
        account.verify(stale)
    assert error_of(exc)[0] == "ExpiredCodeException"
    assert account.attrs()["email_verified"] == "false"


def test_a_code_expires_after_a_day(make_wire_server: MakeWireServer) -> None:
    clock = FakeClock(time.time())
    account = open_account(make_wire_server(clock=clock))
    account.update(email=NEW)
    clock.advance(24 * 3600 + 1)
    signed_in = account.idp.initiate_auth(  # the one-hour access token has expired as well
        ClientId=account.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    account.token = signed_in["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as exc:
        account.verify(account.code_sent_to(NEW))
    assert error_of(exc) == (
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )
    assert account.attrs()["email_verified"] == "false"


def test_verification_codes_are_rate_limited(account: Account) -> None:
    for _ in range(5):
        account.idp.get_user_attribute_verification_code(
            AccessToken=account.token, AttributeName="email"
        )
    with pytest.raises(ClientError) as exc:
        account.idp.get_user_attribute_verification_code(
            AccessToken=account.token, AttributeName="email"
        )
    assert error_of(exc) == (
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )


def test_only_email_can_be_verified(account: Account) -> None:
    with pytest.raises(ClientError) as get_code:
        account.idp.get_user_attribute_verification_code(
            AccessToken=account.token, AttributeName="phone_number"
        )
    assert error_of(get_code)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as verify:
        account.idp.verify_user_attribute(
            AccessToken=account.token, AttributeName="phone_number", Code="123456"
        )
    assert error_of(verify)[0] == "InvalidParameterException"


def test_a_user_without_email_gets_no_code(account: Account) -> None:
    account.update(email="")
    with pytest.raises(ClientError) as exc:
        account.idp.get_user_attribute_verification_code(
            AccessToken=account.token, AttributeName="email"
        )
    assert error_of(exc) == ("InvalidParameterException", "There is no email address to verify.")


def test_delete_user_removes_the_profile_and_its_token(account: Account) -> None:
    account.idp.delete_user(AccessToken=account.token)
    with pytest.raises(ClientError) as gone:
        account.idp.admin_get_user(UserPoolId=account.pool_id, Username="alice")
    assert error_of(gone)[0] == "UserNotFoundException"
    with pytest.raises(ClientError) as token:
        account.idp.get_user(AccessToken=account.token)
    assert error_of(token)[0] in ("UserNotFoundException", "NotAuthorizedException")


@pytest.mark.parametrize(
    "call",
    [
        lambda idp: idp.update_user_attributes(
            AccessToken="not-a-token", UserAttributes=[{"Name": "name", "Value": "x"}]
        ),
        lambda idp: idp.get_user_attribute_verification_code(
            AccessToken="not-a-token", AttributeName="email"
        ),
        lambda idp: idp.verify_user_attribute(
            AccessToken="not-a-token", AttributeName="email", Code="123456"
        ),
        lambda idp: idp.delete_user(AccessToken="not-a-token"),
    ],
    ids=["update", "get-code", "verify", "delete"],
)
def test_every_operation_needs_a_valid_access_token(
    account: Account, call: Callable[[Any], object]
) -> None:
    with pytest.raises(ClientError) as exc:
        call(account.idp)
    assert error_of(exc) == ("NotAuthorizedException", "Invalid Access Token")
    assert account.attrs()["email"] == OLD
