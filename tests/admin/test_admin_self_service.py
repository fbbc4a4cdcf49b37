"""Recovery codes against the pool: password + one code resets the authenticator, once per code."""

from __future__ import annotations

import pytest

from mfa_portal.admin import self_service
from mfa_portal.admin.audit import AuditFilter
from mfa_portal.admin.support import ActionFailed
from tests.admin.support_world import World
from tests.support.backends import PASSWORD


def _recover(world: World, code: str, password: str = PASSWORD, user: str = "bob") -> str:
    return self_service.recover_with_code(
        world.support,
        client_id=world.client_id,
        client_secret=None,
        username=user,
        password=password,
        code=code,
        source="203.0.113.9",
    ).message


@pytest.mark.backends("engine", "wire")
def test_a_recovery_code_resets_the_authenticator_once(world: World) -> None:
    world.add_user("bob")
    world.enrol_totp("bob")
    codes = self_service.issue_codes(world.support, "bob", source="203.0.113.9")
    assert self_service.remaining_codes(world.support, "bob") == 10

    message = _recover(world, codes[0])

    assert message == "authenticator removed with a recovery code; 9 codes remain"
    assert world.methods("bob") == []
    assert "ChallengeName" not in world.sign_in("bob")  # the portal now sends bob to enrol
    world.enrol_totp("bob")
    with pytest.raises(ActionFailed) as exc:
        _recover(world, codes[0])
    assert exc.value.code == "RecoveryCodeRejected"
    assert world.methods("bob") == ["SOFTWARE_TOKEN_MFA"]
    _recover(world, codes[1])
    assert self_service.remaining_codes(world.support, "bob") == 8

    trail = world.support.audit.query(AuditFilter(target="bob"))
    assert [(e.action, e.outcome) for e in reversed(trail)] == [
        ("recovery-codes issue", "success"),
        ("recovery-reset", "success"),
        ("recovery-reset", "failure"),
        ("recovery-reset", "success"),
    ]
    assert {e.actor for e in trail} == {"self:bob"} and {e.source for e in trail} == {"203.0.113.9"}
    subjects = [m.subject for m in reversed(world.outbox.messages())]
    assert [s.split(": ", 1)[1] for s in subjects] == [
        "New recovery codes",
        "A recovery code was used",
        "A recovery code was used",
    ]


@pytest.mark.backends("engine")
def test_a_wrong_password_spends_no_code(world: World) -> None:
    world.add_user("bob")
    world.enrol_totp("bob")
    codes = self_service.issue_codes(world.support, "bob")
    with pytest.raises(ActionFailed) as exc:
        _recover(world, codes[0], password="Wrong-Password-1!")
    assert exc.value.code == "NotAuthorizedException"
    assert self_service.remaining_codes(world.support, "bob") == 10
    assert world.methods("bob") == ["SOFTWARE_TOKEN_MFA"]
    # Counted into the address's burst (audited once, see test_admin_recovery_limit), not audited.
    assert world.support.audit.query()[0].action == "recovery-codes issue"


@pytest.mark.backends("engine")
def test_another_users_code_does_not_work(world: World) -> None:
    world.add_user("bob")
    world.add_user("eve")
    world.enrol_totp("bob")
    eve_codes = self_service.issue_codes(world.support, "eve")
    with pytest.raises(ActionFailed) as exc:
        _recover(world, eve_codes[0], user="bob")
    assert exc.value.code == "RecoveryCodeRejected"
    assert world.methods("bob") == ["SOFTWARE_TOKEN_MFA"]


@pytest.mark.backends("engine")
def test_a_new_set_voids_the_old_one(world: World) -> None:
    world.add_user("bob")
    world.enrol_totp("bob")
    old = self_service.issue_codes(world.support, "bob")
    self_service.issue_codes(world.support, "bob")
    with pytest.raises(ActionFailed):
        _recover(world, old[0])
    assert self_service.remaining_codes(world.support, "bob") == 10


@pytest.mark.backends("engine")
def test_an_app_client_with_a_secret_gets_a_secret_hash(world: World) -> None:
    app = world.client.call(
        "CreateUserPoolClient",
        UserPoolId=world.pool_id,
        ClientName="confidential",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    world.add_user("bob")
    world.enrol_totp("bob")
    codes = self_service.issue_codes(world.support, "bob")
    result = self_service.recover_with_code(
        world.support,
        client_id=app["ClientId"],
        client_secret=app["ClientSecret"],
        username="bob",
        password=PASSWORD,
        code=codes[0],
    )
    assert result.target == "bob" and world.methods("bob") == []
