"""The other support actions: each does what the user would notice, and each is audited."""

from __future__ import annotations

import pytest

from mfa_portal.admin import actions
from mfa_portal.admin.audit import AuditFilter
from mfa_portal.admin.support import ActionFailed
from mfa_portal.cognito_api.client import CognitoError
from tests.support.cognito_errors import raises_cognito
from tests.support.setup import create_pool
from tests.support.support_desk import ADMIN, SupportDesk


def _last(desk: SupportDesk) -> tuple[str, str, str, str]:
    e = desk.support.audit.query()[0]
    return e.action, e.target, e.outcome, e.detail


@pytest.mark.backends("engine")
def test_disabling_totp_keeps_the_secret_and_says_so(desk: SupportDesk) -> None:
    desk.add_user("bob")
    desk.enrol_totp("bob")
    result = actions.set_mfa(desk.support, ADMIN, "bob", "totp", "disabled", "testing")
    assert desk.methods("bob") == []
    assert "use reset-mfa" in result.notes[0]
    # Spec §3.3: re-enabling needs no verification — exactly why reset-mfa deletes instead.
    actions.set_mfa(desk.support, ADMIN, "bob", "totp", "preferred", "testing")
    assert desk.methods("bob") == ["SOFTWARE_TOKEN_MFA"]
    assert [
        m.subject.endswith("Your sign-in settings changed") for m in desk.outbox.messages()
    ] == [
        True,
        True,
    ]


@pytest.mark.backends("engine", "moto")
def test_enabling_totp_without_an_authenticator_fails_with_cognitos_error(
    desk: SupportDesk,
) -> None:
    desk.add_user("bob")
    with pytest.raises(ActionFailed) as exc:
        actions.set_mfa(desk.support, ADMIN, "bob", "totp", "enabled", "testing")
    assert exc.value.code == "InvalidParameterException"
    assert _last(desk)[:3] == ("set-mfa", "bob", "failure")
    assert _last(desk)[3].startswith("totp enabled: InvalidParameterException")


@pytest.mark.backends("engine")
def test_switching_a_user_to_email_codes(desk: SupportDesk) -> None:
    pool_id, client_id = create_pool(desk.client, email_mfa=True)
    desk.support.pool_id, desk.client_id = pool_id, client_id
    desk.add_user("bob")
    actions.set_mfa(desk.support, ADMIN, "bob", "email", "preferred", "phone lost, no codes")
    user = desk.client.call("AdminGetUser", UserPoolId=desk.pool_id, Username="bob")
    assert user["PreferredMfaSetting"] == "EMAIL_OTP"
    assert desk.sign_in("bob")["ChallengeName"] == "EMAIL_OTP"


@pytest.mark.backends("engine", "moto")
def test_set_attributes_can_mark_a_new_email_verified(desk: SupportDesk) -> None:
    desk.add_user("bob")
    result = actions.set_attributes(
        desk.support, ADMIN, "bob", {"email": "new@example.com"}, "new address", verified=True
    )
    assert result.message == "attributes updated: email, email_verified"
    attrs = desk.client.call("AdminGetUser", UserPoolId=desk.pool_id, Username="bob")
    values = {a["Name"]: a["Value"] for a in attrs["UserAttributes"]}
    assert values["email"] == "new@example.com" and values["email_verified"] == "true"
    with pytest.raises(ActionFailed):
        actions.set_attributes(desk.support, ADMIN, "bob", {}, "nothing")


@pytest.mark.backends("engine", "moto")
def test_create_user_shows_a_temporary_password_once_and_never_audits_it(desk: SupportDesk) -> None:
    result = actions.create_user(desk.support, ADMIN, "newbie", "newbie@example.com", "joined")
    assert result.secret is not None
    challenge = desk.sign_in("newbie", result.secret)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    entry = desk.support.audit.query()[0]
    assert result.secret not in entry.detail and result.secret not in entry.reason
    with pytest.raises(ActionFailed) as exc:
        actions.create_user(desk.support, ADMIN, "newbie", "newbie@example.com", "again")
    assert exc.value.code == "UsernameExistsException"


@pytest.mark.backends("engine")
def test_create_user_can_leave_delivery_to_the_pool(desk: SupportDesk) -> None:
    result = actions.create_user(
        desk.support, ADMIN, "mailed", "mailed@example.com", "joined", deliver="email"
    )
    assert result.secret is None and "sent by email" in result.message
    user = desk.client.call("AdminGetUser", UserPoolId=desk.pool_id, Username="mailed")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"


@pytest.mark.backends("engine", "moto")
def test_reset_password_to_a_temporary_one(desk: SupportDesk) -> None:
    desk.add_user("bob")
    result = actions.reset_password(desk.support, ADMIN, "bob", "forgot", temporary=True)
    assert result.secret is not None
    assert desk.sign_in("bob", result.secret)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    with pytest.raises(CognitoError):
        desk.sign_in("bob")


@pytest.mark.backends("engine", "wire", "moto")
def test_reset_password_by_code(desk: SupportDesk) -> None:
    desk.add_user("bob")
    result = actions.reset_password(desk.support, ADMIN, "bob", "forgot")
    assert result.secret is None
    user = desk.client.call("AdminGetUser", UserPoolId=desk.pool_id, Username="bob")
    assert user["UserStatus"] == "RESET_REQUIRED"
    # The notice says where the separately mailed code is entered: the portal's reset-code page.
    [notice] = desk.outbox.messages()
    assert notice.recipient == "bob@example.com" and "password was reset" in notice.subject
    assert "http://portal.test/password/reset?username=bob" in notice.body
    assert "still be asked for a code" in notice.body


@pytest.mark.backends("engine", "moto")
def test_disable_blocks_sign_in_and_enable_restores_it(desk: SupportDesk) -> None:
    desk.add_user("bob")
    actions.disable_user(desk.support, ADMIN, "bob", "left the company")
    with raises_cognito("NotAuthorizedException"):
        desk.sign_in("bob")
    actions.enable_user(desk.support, ADMIN, "bob", "came back")
    assert "AuthenticationResult" in desk.sign_in("bob")
    assert [e.action for e in desk.support.audit.query()] == ["enable", "disable"]


@pytest.mark.backends("engine", "wire")
def test_sign_out_everywhere_revokes_tokens(desk: SupportDesk) -> None:
    desk.add_user("bob")
    access = desk.sign_in("bob")["AuthenticationResult"]["AccessToken"]
    actions.sign_out(desk.support, ADMIN, "bob", "suspicious session")
    with raises_cognito("NotAuthorizedException"):
        desk.client.call("GetUser", AccessToken=access)


@pytest.mark.backends("engine", "moto")
def test_delete_needs_the_username_typed_again(desk: SupportDesk) -> None:
    desk.add_user("bob")
    with pytest.raises(ActionFailed) as exc:
        actions.delete_user(desk.support, ADMIN, "bob", "offboarding", confirm="bo")
    assert exc.value.code == "ConfirmationMismatch"
    assert desk.methods("bob") == []  # still there
    actions.delete_user(desk.support, ADMIN, "bob", "offboarding", confirm="bob")
    with raises_cognito("UserNotFoundException"):
        desk.client.call("AdminGetUser", UserPoolId=desk.pool_id, Username="bob")
    outcomes = [e.outcome for e in desk.support.audit.query(AuditFilter(action="delete"))]
    assert outcomes == ["success", "failure"]


@pytest.mark.backends("engine")
def test_delete_voids_the_users_recovery_codes(desk: SupportDesk) -> None:
    desk.add_user("bob")
    user = desk.client.call("AdminGetUser", UserPoolId=desk.pool_id, Username="bob")
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    assert desk.support.recovery is not None
    desk.support.recovery.issue(desk.pool_id, sub)
    result = actions.delete_user(desk.support, ADMIN, "bob", "offboarding", confirm="bob")
    assert result.notes == ["recovery codes deleted"]
    assert desk.support.recovery.remaining(desk.pool_id, sub) == 0


@pytest.mark.backends("engine")
def test_reasons_are_bounded_and_cleaned_for_every_action(desk: SupportDesk) -> None:
    desk.add_user("bob")
    with pytest.raises(ActionFailed) as exc:
        actions.disable_user(desk.support, ADMIN, "bob", "x" * 501)
    assert exc.value.code == "ReasonTooLong"
    assert str(exc.value) == "The reason is too long: at most 500 characters."
    entry = desk.support.audit.query()[0]
    assert (entry.outcome, len(entry.reason)) == ("failure", 500)
    assert desk.client.call("AdminGetUser", UserPoolId=desk.pool_id, Username="bob")["Enabled"]
    with pytest.raises(ActionFailed) as exc:
        actions.disable_user(desk.support, ADMIN, "bob", "\x00\n\t\u202e ")
    assert exc.value.code == "ReasonRequired"
    assert str(exc.value) == "Give a reason for this action."
    actions.disable_user(desk.support, ADMIN, "bob", "left\x00 the\r\n team\x1b[0m " + "y" * 470)
    entry = desk.support.audit.query()[0]
    assert entry.outcome == "success"
    assert entry.reason == "left the team[0m " + "y" * 470
