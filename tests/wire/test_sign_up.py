"""SignUp, ConfirmSignUp and ResendConfirmationCode over HTTP with real boto3 (spec §4.2, §7, §12).

Codes are read from the mail the pool sent; every error a client can meet has its test.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api.secret_hash import compute_secret_hash
from mfa_portal.mail import MemoryMailer
from tests.support.hash_count import counted_hashes
from tests.support.wire import MakeWireServer, WireServer

PASSWORD = "Correct-Horse-9!"
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass
class SignUpPool:
    server: WireServer
    idp: Any
    pool_id: str
    client_id: str

    @property
    def mailer(self) -> MemoryMailer:
        mailer = self.server.engine.mailer
        assert isinstance(mailer, MemoryMailer)
        return mailer

    def code_sent_to(self, email: str) -> str:
        message = self.mailer.last_to(email)
        assert message is not None, f"no mail to {email}"
        found = re.search(r"\b(\d{6})\b", message.body)
        assert found is not None
        return found.group(1)

    def sign_up(self, name: str, email: str | None = None, **extra: Any) -> dict[str, Any]:
        attrs = [] if email is None else [{"Name": "email", "Value": email}]
        result: dict[str, Any] = self.idp.sign_up(
            ClientId=self.client_id, Username=name, Password=PASSWORD, UserAttributes=attrs, **extra
        )
        return result

    def confirm(self, name: str, code: str, client_id: str | None = None) -> None:
        self.idp.confirm_sign_up(
            ClientId=client_id or self.client_id, Username=name, ConfirmationCode=code
        )

    def status(self, name: str) -> str:
        return str(self.idp.admin_get_user(UserPoolId=self.pool_id, Username=name)["UserStatus"])

    def client(self, **settings: Any) -> str:
        made = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="other", ExplicitAuthFlows=FLOWS, **settings
        )["UserPoolClient"]
        return str(made["ClientId"]) if not settings.get("GenerateSecret") else made


def make(server: WireServer, **pool: Any) -> SignUpPool:
    idp = server.client()
    settings: dict[str, Any] = {"PoolName": "signup", "AutoVerifiedAttributes": ["email"], **pool}
    pool_id = idp.create_user_pool(**settings)["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS
    )["UserPoolClient"]["ClientId"]
    return SignUpPool(server, idp, pool_id, client_id)


@pytest.fixture
def pool(wire_server: WireServer) -> SignUpPool:
    return make(wire_server)


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def test_sign_up_confirm_and_sign_in_with_srp(pool: SignUpPool) -> None:
    made = pool.sign_up("alice", "alice@example.com")
    assert made["UserConfirmed"] is False
    assert made["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert pool.status("alice") == "UNCONFIRMED"
    with pytest.raises(ClientError) as refused:
        pool.idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    assert error_of(refused)[0] == "UserNotConfirmedException"

    pool.confirm("alice", pool.code_sent_to("alice@example.com"))

    user = pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    assert {"Name": "sub", "Value": made["UserSub"]} in user["UserAttributes"]
    tokens = AWSSRP("alice", PASSWORD, pool.pool_id, pool.client_id, client=pool.idp)
    assert "AccessToken" in tokens.authenticate_user()["AuthenticationResult"]


def test_admin_only_pool_refuses_sign_up(wire_server: WireServer) -> None:
    pool = make(wire_server, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    with pytest.raises(ClientError) as exc:
        pool.sign_up("alice", "alice@example.com")
    assert error_of(exc) == ("NotAuthorizedException", "SignUp is not permitted for this user pool")


def test_password_policy_applies(pool: SignUpPool) -> None:
    with pytest.raises(ClientError) as exc:
        pool.idp.sign_up(ClientId=pool.client_id, Username="alice", Password="short")
    assert error_of(exc)[0] == "InvalidPasswordException"
    assert pool.mailer.messages == []


def test_secret_hash_is_required_and_checked(pool: SignUpPool) -> None:
    made: Any = pool.client(GenerateSecret=True)
    client_id, secret = made["ClientId"], made["ClientSecret"]
    with pytest.raises(ClientError) as missing:
        pool.idp.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD)
    assert error_of(missing)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as wrong:
        pool.idp.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD, SecretHash="AAAA")
    assert error_of(wrong) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )
    good = compute_secret_hash(secret, "alice", client_id)
    pool.idp.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD, SecretHash=good)
    assert pool.status("alice") == "UNCONFIRMED"


def test_a_taken_username_is_reported_even_with_prevent_user_existence_errors(
    pool: SignUpPool,
) -> None:
    client_id = pool.client(PreventUserExistenceErrors="ENABLED")
    pool.sign_up("alice", "alice@example.com")
    with pytest.raises(ClientError) as exc:
        pool.idp.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD)
    assert error_of(exc) == ("UsernameExistsException", "User already exists")


def test_a_taken_username_costs_no_hash(pool: SignUpPool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Signing up again with a name in use must not buy the caller an argon2 hash each time."""
    pool.sign_up("alice", "alice@example.com")
    hashed = counted_hashes(pool.server.engine.hasher, monkeypatch)
    for _ in range(3):
        with pytest.raises(ClientError) as exc:
            pool.sign_up("alice", "alice@example.com")
        assert error_of(exc)[0] == "UsernameExistsException"
    assert hashed == []
    pool.sign_up("bob", "bob@example.com")
    assert hashed == [PASSWORD]


def test_email_as_username_pool_gets_a_generated_username(wire_server: WireServer) -> None:
    pool = make(wire_server, UsernameAttributes=["email"])
    made = pool.sign_up("Bob@Example.com")
    user = pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username="bob@example.com")
    assert user["Username"] == made["UserSub"]
    with pytest.raises(ClientError) as exc:
        pool.sign_up("bob@example.com")
    assert error_of(exc)[0] == "UsernameExistsException"


def test_the_user_cannot_mark_their_email_verified(pool: SignUpPool) -> None:
    with pytest.raises(ClientError) as exc:
        pool.idp.sign_up(
            ClientId=pool.client_id,
            Username="alice",
            Password=PASSWORD,
            UserAttributes=[
                {"Name": "email", "Value": "alice@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
    assert error_of(exc) == (
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    )


def test_without_auto_verification_no_code_is_sent(wire_server: WireServer) -> None:
    pool = make(wire_server, AutoVerifiedAttributes=[])
    made = pool.sign_up("alice", "alice@example.com")
    assert "CodeDeliveryDetails" not in made and pool.mailer.messages == []
    with pytest.raises(ClientError) as exc:
        pool.idp.resend_confirmation_code(ClientId=pool.client_id, Username="alice")
    assert error_of(exc) == ("InvalidParameterException", "Auto verification not turned on.")


def test_wrong_codes_are_counted_and_void_the_code(pool: SignUpPool) -> None:
    pool.sign_up("alice", "alice@example.com")
    code = pool.code_sent_to("alice@example.com")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(ClientError) as exc:
            pool.confirm("alice", wrong)
        assert error_of(exc) == (
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        )
    with pytest.raises(ClientError) as void:
        pool.confirm("alice", code)
    assert error_of(void)[0] == "ExpiredCodeException"
    assert pool.status("alice") == "UNCONFIRMED"


def test_a_code_expires_after_a_day(make_wire_server: MakeWireServer) -> None:
    clock = FakeClock(time.time())
    pool = make(make_wire_server(clock=clock))
    pool.sign_up("alice", "alice@example.com")
    clock.advance(24 * 3600 + 1)
    with pytest.raises(ClientError) as exc:
        pool.confirm("alice", pool.code_sent_to("alice@example.com"))
    assert error_of(exc) == (
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )


def test_a_confirmed_user_cannot_confirm_again(pool: SignUpPool) -> None:
    pool.sign_up("alice", "alice@example.com")
    code = pool.code_sent_to("alice@example.com")
    pool.confirm("alice", code)
    with pytest.raises(ClientError) as exc:
        pool.confirm("alice", code)
    assert error_of(exc) == (
        "NotAuthorizedException",
        "User cannot confirm because user status is not UNCONFIRMED.",
    )
    with pytest.raises(ClientError) as resend:
        pool.idp.resend_confirmation_code(ClientId=pool.client_id, Username="alice")
    assert error_of(resend) == ("InvalidParameterException", "User is already confirmed.")


def test_unknown_users_with_and_without_prevent_user_existence_errors(pool: SignUpPool) -> None:
    prevent = pool.client(PreventUserExistenceErrors="ENABLED")
    with pytest.raises(ClientError) as legacy:
        pool.confirm("ghost", "123456")
    assert error_of(legacy)[0] == "UserNotFoundException"
    with pytest.raises(ClientError) as hidden:
        pool.confirm("ghost", "123456", client_id=prevent)
    assert error_of(hidden)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as resend_legacy:
        pool.idp.resend_confirmation_code(ClientId=pool.client_id, Username="ghost")
    assert error_of(resend_legacy)[0] == "UserNotFoundException"
    first = pool.idp.resend_confirmation_code(ClientId=prevent, Username="ghost")
    again = pool.idp.resend_confirmation_code(ClientId=prevent, Username="ghost")
    assert first["CodeDeliveryDetails"] == again["CodeDeliveryDetails"]
    assert first["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert pool.mailer.messages == []


def test_resend_replaces_the_code_and_is_rate_limited(pool: SignUpPool) -> None:
    pool.sign_up("alice", "alice@example.com")
    first = pool.code_sent_to("alice@example.com")
    sent = pool.idp.resend_confirmation_code(ClientId=pool.client_id, Username="alice")
    assert sent["CodeDeliveryDetails"]["Destination"] == "a***@e***"
    second = pool.code_sent_to("alice@example.com")
    if first != second:  # the old code no longer works
        with pytest.raises(ClientError) as old:
            pool.confirm("alice", first)
        assert error_of(old)[0] == "CodeMismatchException"
    for _ in range(3):  # five codes an hour, the sign-up's included
        pool.idp.resend_confirmation_code(ClientId=pool.client_id, Username="alice")
    with pytest.raises(ClientError) as limited:
        pool.idp.resend_confirmation_code(ClientId=pool.client_id, Username="alice")
    assert error_of(limited) == (
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )
    pool.confirm("alice", pool.code_sent_to("alice@example.com"))
    assert pool.status("alice") == "CONFIRMED"


def test_confirming_an_email_another_user_holds_as_alias(wire_server: WireServer) -> None:
    pool = make(wire_server, AliasAttributes=["email"])
    pool.sign_up("alice", "shared@example.com")
    pool.confirm("alice", pool.code_sent_to("shared@example.com"))
    pool.sign_up("bob", "shared@example.com")
    code = pool.code_sent_to("shared@example.com")
    with pytest.raises(ClientError) as exc:
        pool.confirm("bob", code)
    assert error_of(exc)[0] == "AliasExistsException"
    pool.idp.confirm_sign_up(
        ClientId=pool.client_id, Username="bob", ConfirmationCode=code, ForceAliasCreation=True
    )
    alice = pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username="alice")
    assert {"Name": "email_verified", "Value": "false"} in alice["UserAttributes"]
