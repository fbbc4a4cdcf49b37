"""The lost-phone reset, end to end against the pool: forced re-enrolment, old codes dead, audited."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mfa_portal.admin.actions import FALLBACK_NOTE, NO_PROOF_NOTE, PROOF_NOTE, reset_mfa
from mfa_portal.admin.audit import AuditFilter
from mfa_portal.admin.support import ActionFailed, Support
from mfa_portal.cognito_api.client import CognitoClient, CognitoError
from tests.admin.support_world import ADMIN, World
from tests.support.setup import create_pool


class WithoutDeleteSoftwareToken:
    """A backend like moto or an old botocore: no AdminDeleteSoftwareToken."""

    def __init__(self, inner: CognitoClient) -> None:
        self._inner = inner

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        return self._inner.call(operation, **params)

    def supports(self, operation: str) -> bool:
        return operation != "AdminDeleteSoftwareToken" and self._inner.supports(operation)


@pytest.mark.backends("engine", "wire")
def test_lost_phone_reset_forces_enrolment_and_kills_the_old_authenticator(world: World) -> None:
    world.add_user("bob")
    secret = world.enrol_totp("bob")
    assert world.sign_in("bob")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"

    result = reset_mfa(world.support, ADMIN, "bob", "lost phone, ticket 42")

    assert result.message == "authenticator removed and all sessions signed out"
    assert result.notes == []
    # The portal's enforcement sees no TOTP factor and sends the user to set-up.
    assert world.methods("bob") == []
    user = world.client.call("AdminGetUser", UserPoolId=world.pool_id, Username="bob")
    assert "PreferredMfaSetting" not in user
    # Next sign-in: no TOTP challenge any more (OPTIONAL pool), so the portal's guard takes over.
    signed_in = world.sign_in("bob")
    assert "ChallengeName" not in signed_in
    access = signed_in["AuthenticationResult"]["AccessToken"]
    # The old authenticator's current code does not verify a new enrolment.
    world.client.call("AssociateSoftwareToken", AccessToken=access)
    with pytest.raises(CognitoError) as exc:
        world.client.call("VerifySoftwareToken", AccessToken=access, UserCode=world.code(secret))
    assert exc.value.code in ("EnableSoftwareTokenMFAException", "CodeMismatchException")
    # Audited and notified.
    [entry] = world.support.audit.query(AuditFilter(target="bob"))
    assert (entry.actor, entry.action, entry.outcome) == ("cli:tester", "reset-mfa", "success")
    assert (entry.reason, entry.source) == ("lost phone, ticket 42", "test-host")
    [mail] = world.outbox.messages()
    assert mail.recipient == "bob@example.com" and "reset" in mail.subject


@pytest.mark.backends("engine")
def test_reset_signs_out_every_session(world: World) -> None:
    world.add_user("carol")
    access = world.sign_in("carol")["AuthenticationResult"]["AccessToken"]
    world.client.call("GetUser", AccessToken=access)
    reset_mfa(world.support, ADMIN, "carol", "lost phone")
    with pytest.raises(CognitoError) as exc:
        world.client.call("GetUser", AccessToken=access)
    assert exc.value.code == "NotAuthorizedException"


@pytest.mark.backends("engine")
def test_in_a_required_pool_the_next_sign_in_is_mfa_setup(world: World) -> None:
    pool_id, client_id = create_pool(world.client, mfa="OPTIONAL")
    w = World(
        world.backend, Support(world.client, pool_id, world.support.audit), world.outbox, client_id
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
def test_without_delete_software_token_the_preference_is_disabled_and_said(world: World) -> None:
    world.add_user("erin")
    world.enrol_totp("erin")
    world.support.client = WithoutDeleteSoftwareToken(world.client)
    result = reset_mfa(world.support, ADMIN, "erin", "lost phone")
    assert result.notes == [FALLBACK_NOTE]
    assert world.methods("erin") == []
    assert "ChallengeName" not in world.sign_in("erin")
    [entry] = world.support.audit.query()
    assert FALLBACK_NOTE in entry.detail


@pytest.mark.backends("moto")
def test_moto_has_no_delete_software_token_so_the_fallback_runs(world: World) -> None:
    world.add_user("erin")
    world.enrol_totp("erin")
    assert world.methods("erin") == ["SOFTWARE_TOKEN_MFA"]
    result = reset_mfa(world.support, ADMIN, "erin", "lost phone")
    assert result.notes == [FALLBACK_NOTE]
    assert world.methods("erin") == []


@pytest.mark.backends("engine")
def test_a_user_without_an_authenticator_is_still_signed_out(world: World) -> None:
    world.add_user("fred")
    result = reset_mfa(world.support, ADMIN, "fred", "asked to re-enrol")
    assert result.notes == ["the user had no authenticator registered"]


@pytest.mark.backends("engine", "moto")
def test_an_unknown_user_fails_and_the_failure_is_audited(world: World) -> None:
    with pytest.raises(ActionFailed) as exc:
        reset_mfa(world.support, ADMIN, "nobody", "lost phone")
    assert exc.value.code == "UserNotFoundException"
    [entry] = world.support.audit.query()
    assert (entry.target, entry.outcome) == ("nobody", "failure")
    assert entry.detail.startswith("UserNotFoundException")


@pytest.mark.backends("engine")
def test_a_reason_is_required_and_its_absence_is_audited(world: World) -> None:
    world.add_user("gina")
    world.enrol_totp("gina")
    with pytest.raises(ActionFailed) as exc:
        reset_mfa(world.support, ADMIN, "gina", "   ")
    assert exc.value.code == "ReasonRequired"
    assert world.methods("gina") == ["SOFTWARE_TOKEN_MFA"]
    [entry] = world.support.audit.query()
    assert (entry.outcome, entry.reason) == ("failure", "(none given)")


@pytest.mark.backends("engine")
def test_reset_says_what_the_next_enrolment_needs(world: World) -> None:
    """With MFA_PORTAL_ENROLMENT_PROOF=email support learns that a mailed code gates the next
    enrolment, or that the user has no verified address to receive one."""
    support = dataclasses.replace(world.support, enrolment_proof="email")
    world.add_user("bob")
    world.enrol_totp("bob")
    assert reset_mfa(support, ADMIN, "bob", "lost phone").notes == [PROOF_NOTE]
    world.add_user("eve")
    world.enrol_totp("eve")
    world.client.call(
        "AdminUpdateUserAttributes",
        UserPoolId=world.pool_id,
        Username="eve",
        UserAttributes=[{"Name": "email_verified", "Value": "false"}],
    )
    assert reset_mfa(support, ADMIN, "eve", "lost phone").notes == [NO_PROOF_NOTE]
