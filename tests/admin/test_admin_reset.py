"""The lost-phone reset, end to end against the pool: forced re-enrolment, old codes dead, audited."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mfa_portal.admin.actions import (
    FALLBACK_NOTE,
    NO_AUTHENTICATOR_NOTE,
    NO_PROOF_NOTE,
    NOT_NOTIFIED_NOTE,
    NOTHING_REMOVED,
    PROOF_NOTE,
    reset_mfa,
)
from mfa_portal.admin.audit import AuditFilter
from mfa_portal.admin.support import ActionFailed, Support
from mfa_portal.cognito_api.client import CognitoClient, CognitoError
from tests.support.cognito_errors import raises_cognito
from tests.support.setup import create_pool
from tests.support.support_desk import ADMIN, SupportDesk


class WithoutDeleteSoftwareToken:
    """A backend like moto or an old botocore: no AdminDeleteSoftwareToken."""

    def __init__(self, inner: CognitoClient) -> None:
        self._inner = inner

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        return self._inner.call(operation, **params)

    def supports(self, operation: str) -> bool:
        return operation != "AdminDeleteSoftwareToken" and self._inner.supports(operation)


@pytest.mark.backends("engine", "wire")
def test_lost_phone_reset_forces_enrolment_and_kills_the_old_authenticator(
    desk: SupportDesk,
) -> None:
    desk.add_user("bob")
    secret = desk.enrol_totp("bob")
    assert desk.sign_in("bob")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"

    result = reset_mfa(desk.support, ADMIN, "bob", "lost phone, ticket 42")

    assert result.message == "authenticator removed and all sessions signed out"
    assert result.notes == []
    # The portal's enforcement sees no TOTP factor and sends the user to set-up.
    assert desk.methods("bob") == []
    user = desk.client.call("AdminGetUser", UserPoolId=desk.pool_id, Username="bob")
    assert "PreferredMfaSetting" not in user
    # Next sign-in: no TOTP challenge any more (OPTIONAL pool), so the portal's guard takes over.
    signed_in = desk.sign_in("bob")
    assert "ChallengeName" not in signed_in
    access = signed_in["AuthenticationResult"]["AccessToken"]
    # The old authenticator's current code does not verify a new enrolment.
    desk.client.call("AssociateSoftwareToken", AccessToken=access)
    with pytest.raises(CognitoError) as exc:
        desk.client.call("VerifySoftwareToken", AccessToken=access, UserCode=desk.code(secret))
    assert exc.value.code in ("EnableSoftwareTokenMFAException", "CodeMismatchException")
    # Audited and notified.
    [entry] = desk.support.audit.query(AuditFilter(target="bob"))
    assert (entry.actor, entry.action, entry.outcome) == ("cli:tester", "reset-mfa", "success")
    assert (entry.reason, entry.source) == ("lost phone, ticket 42", "test-host")
    [mail] = desk.outbox.messages()
    assert mail.recipient == "bob@example.com" and "reset" in mail.subject


@pytest.mark.backends("engine")
def test_reset_signs_out_every_session(desk: SupportDesk) -> None:
    desk.add_user("carol")
    access = desk.sign_in("carol")["AuthenticationResult"]["AccessToken"]
    desk.client.call("GetUser", AccessToken=access)
    reset_mfa(desk.support, ADMIN, "carol", "lost phone")
    with raises_cognito("NotAuthorizedException"):
        desk.client.call("GetUser", AccessToken=access)


@pytest.mark.backends("engine")
def test_in_a_required_pool_the_next_sign_in_is_mfa_setup(desk: SupportDesk) -> None:
    pool_id, client_id = create_pool(desk.client, mfa="OPTIONAL")
    w = SupportDesk(
        desk.backend, Support(desk.client, pool_id, desk.support.audit), desk.outbox, client_id
    )
    w.add_user("dave")
    w.enrol_totp("dave")
    w.client.call(
        "SetUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    reset_mfa(w.support, ADMIN, "dave", "lost phone")
    assert w.sign_in("dave")["ChallengeName"] == "MFA_SETUP"


@pytest.mark.backends("engine")
def test_without_delete_software_token_the_preference_is_disabled_and_said(
    desk: SupportDesk,
) -> None:
    desk.add_user("erin")
    desk.enrol_totp("erin")
    desk.support.client = WithoutDeleteSoftwareToken(desk.client)
    result = reset_mfa(desk.support, ADMIN, "erin", "lost phone")
    assert result.notes == [FALLBACK_NOTE]
    assert desk.methods("erin") == []
    assert "ChallengeName" not in desk.sign_in("erin")
    [entry] = desk.support.audit.query()
    assert FALLBACK_NOTE in entry.detail


@pytest.mark.backends("moto")
def test_moto_has_no_delete_software_token_so_the_fallback_runs(desk: SupportDesk) -> None:
    desk.add_user("erin")
    desk.enrol_totp("erin")
    assert desk.methods("erin") == ["SOFTWARE_TOKEN_MFA"]
    result = reset_mfa(desk.support, ADMIN, "erin", "lost phone")
    assert result.notes == [FALLBACK_NOTE]
    assert desk.methods("erin") == []


@pytest.mark.backends("engine")
def test_a_user_without_an_authenticator_is_still_signed_out(desk: SupportDesk) -> None:
    desk.add_user("fred")
    result = reset_mfa(desk.support, ADMIN, "fred", "asked to re-enrol")
    assert result.message == NOTHING_REMOVED
    assert result.notes == [NO_AUTHENTICATOR_NOTE, NOT_NOTIFIED_NOTE]


@pytest.mark.backends("engine", "moto")
def test_an_unknown_user_fails_and_the_failure_is_audited(desk: SupportDesk) -> None:
    with pytest.raises(ActionFailed) as exc:
        reset_mfa(desk.support, ADMIN, "nobody", "lost phone")
    assert exc.value.code == "UserNotFoundException"
    [entry] = desk.support.audit.query()
    assert (entry.target, entry.outcome) == ("nobody", "failure")
    assert entry.detail.startswith("UserNotFoundException")


@pytest.mark.backends("engine")
def test_a_reason_is_required_and_its_absence_is_audited(desk: SupportDesk) -> None:
    desk.add_user("gina")
    desk.enrol_totp("gina")
    with pytest.raises(ActionFailed) as exc:
        reset_mfa(desk.support, ADMIN, "gina", "   ")
    assert exc.value.code == "ReasonRequired"
    assert desk.methods("gina") == ["SOFTWARE_TOKEN_MFA"]
    [entry] = desk.support.audit.query()
    assert (entry.outcome, entry.reason) == ("failure", "(none given)")


@pytest.mark.backends("engine")
def test_reset_says_what_the_next_enrolment_needs(desk: SupportDesk) -> None:
    """With MFA_PORTAL_ENROLMENT_PROOF=email support learns that a mailed code gates the next
    enrolment, or that the user has no verified address to receive one."""
    support = dataclasses.replace(desk.support, enrolment_proof="email")
    desk.add_user("bob")
    desk.enrol_totp("bob")
    assert reset_mfa(support, ADMIN, "bob", "lost phone").notes == [PROOF_NOTE]
    desk.add_user("eve")
    desk.enrol_totp("eve")
    desk.client.call(
        "AdminUpdateUserAttributes",
        UserPoolId=desk.pool_id,
        Username="eve",
        UserAttributes=[{"Name": "email_verified", "Value": "false"}],
    )
    assert reset_mfa(support, ADMIN, "eve", "lost phone").notes == [NO_PROOF_NOTE]
