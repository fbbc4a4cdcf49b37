"""Recovery codes against the pool: password + one code resets the authenticator, once per code."""

from __future__ import annotations

import pytest

from mfa_portal.admin import self_service
from mfa_portal.admin.audit import AuditFilter
from mfa_portal.admin.support import ActionFailed
from mfa_portal.cognito_api.password_auth import PasswordStep
from tests.support.backends import PASSWORD
from tests.support.support_desk import SupportDesk


def _recover(desk: SupportDesk, code: str, password: str = PASSWORD, user: str = "bob") -> str:
    step = PasswordStep(desk.support.client, pool_id=desk.pool_id, client_id=desk.client_id)
    return self_service.recover_with_code(
        desk.support,
        password_step=step,
        username=user,
        password=password,
        code=code,
        source="203.0.113.9",
    ).message


@pytest.mark.backends("engine", "wire")
def test_a_recovery_code_resets_the_authenticator_once(desk: SupportDesk) -> None:
    desk.add_user("bob")
    desk.enrol_totp("bob")
    codes = self_service.issue_codes(desk.support, "bob", source="203.0.113.9")
    assert self_service.remaining_codes(desk.support, "bob") == 10

    message = _recover(desk, codes[0])

    assert message == "authenticator removed with a recovery code; 9 codes remain"
    assert desk.methods("bob") == []
    assert "ChallengeName" not in desk.sign_in("bob")  # the portal now sends bob to enrol
    desk.enrol_totp("bob")
    with pytest.raises(ActionFailed) as exc:
        _recover(desk, codes[0])
    assert exc.value.code == "RecoveryCodeRejected"
    assert desk.methods("bob") == ["SOFTWARE_TOKEN_MFA"]
    _recover(desk, codes[1])
    assert self_service.remaining_codes(desk.support, "bob") == 8

    trail = desk.support.audit.query(AuditFilter(target="bob"))
    assert [(e.action, e.outcome) for e in reversed(trail)] == [
        ("recovery-codes issue", "success"),
        ("recovery-reset", "success"),
        ("recovery-reset", "failure"),
        ("recovery-reset", "success"),
    ]
    assert {e.actor for e in trail} == {"self:bob"} and {e.source for e in trail} == {"203.0.113.9"}
    subjects = [m.subject for m in reversed(desk.outbox.messages())]
    assert [s.split(": ", 1)[1] for s in subjects] == [
        "New recovery codes",
        "A recovery code was used",
        "A recovery code was used",
    ]


@pytest.mark.backends("engine")
def test_a_wrong_password_spends_no_code(desk: SupportDesk) -> None:
    desk.add_user("bob")
    desk.enrol_totp("bob")
    codes = self_service.issue_codes(desk.support, "bob")
    with pytest.raises(ActionFailed) as exc:
        _recover(desk, codes[0], password="Wrong-Password-1!")
    assert exc.value.code == "NotAuthorizedException"
    assert self_service.remaining_codes(desk.support, "bob") == 10
    assert desk.methods("bob") == ["SOFTWARE_TOKEN_MFA"]
    # Counted into the address's burst (audited once, see test_admin_recovery_limit), not audited.
    assert desk.support.audit.query()[0].action == "recovery-codes issue"


@pytest.mark.backends("engine")
def test_another_users_code_does_not_work(desk: SupportDesk) -> None:
    desk.add_user("bob")
    desk.add_user("eve")
    desk.enrol_totp("bob")
    eve_codes = self_service.issue_codes(desk.support, "eve")
    with pytest.raises(ActionFailed) as exc:
        _recover(desk, eve_codes[0], user="bob")
    assert exc.value.code == "RecoveryCodeRejected"
    assert desk.methods("bob") == ["SOFTWARE_TOKEN_MFA"]


@pytest.mark.backends("engine")
def test_a_new_set_voids_the_old_one(desk: SupportDesk) -> None:
    desk.add_user("bob")
    desk.enrol_totp("bob")
    old = self_service.issue_codes(desk.support, "bob")
    self_service.issue_codes(desk.support, "bob")
    with pytest.raises(ActionFailed):
        _recover(desk, old[0])
    assert self_service.remaining_codes(desk.support, "bob") == 10


@pytest.mark.backends("engine")
def test_an_app_client_with_a_secret_gets_a_secret_hash(desk: SupportDesk) -> None:
    app = desk.client.call(
        "CreateUserPoolClient",
        UserPoolId=desk.pool_id,
        ClientName="confidential",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    desk.add_user("bob")
    desk.enrol_totp("bob")
    codes = self_service.issue_codes(desk.support, "bob")
    step = PasswordStep(
        desk.support.client,
        pool_id=desk.pool_id,
        client_id=app["ClientId"],
        client_secret=app["ClientSecret"],
    )
    result = self_service.recover_with_code(
        desk.support,
        password_step=step,
        username="bob",
        password=PASSWORD,
        code=codes[0],
    )
    assert result.target == "bob" and desk.methods("bob") == []
