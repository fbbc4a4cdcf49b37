"""AdminResetUserPassword through ``engine.call``, completed by ConfirmForgotPassword."""

from __future__ import annotations

import pytest

from mfa_portal.cognito_api import messages
from mfa_portal.pool.engine import Engine
from tests.support.cognito_errors import raises_cognito
from tests.support.recovery_world import LIMIT, NEW_PASSWORD, RecoveryRig

# --- AdminResetUserPassword --------------------------------------------------------------------------


@pytest.mark.parametrize("prevent", [False, True])
def test_admin_reset_requires_a_reset_then_confirm_completes_it(
    engine: Engine, prevent: bool
) -> None:
    rig = RecoveryRig(engine, prevent=prevent)
    rig.user("alice", email="alice@example.com")
    auth = rig.login("alice")["AuthenticationResult"]
    rig.clock.advance(2)
    assert rig.admin("AdminResetUserPassword", Username="alice") == {}
    assert rig.status("alice") == "RESET_REQUIRED"
    with raises_cognito("PasswordResetRequiredException", "Password reset required for the user"):
        rig.login("alice")
    with raises_cognito("NotAuthorizedException"):
        engine.call("GetUser", {"AccessToken": auth["AccessToken"]})
    code = rig.code_sent_to("alice@example.com")
    rig.confirm("alice", code)
    assert rig.status("alice") == "CONFIRMED"
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)
    with raises_cognito("NotAuthorizedException"):
        rig.login("alice")


def test_admin_reset_is_not_limited_by_forgot_password_requests(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    for _ in range(5):
        rig.forgot("alice")
    rig.admin("AdminResetUserPassword", Username="alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    with raises_cognito("LimitExceededException", LIMIT):  # the count is kept
        rig.forgot("alice")


def test_admin_reset_errors(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("nomail")
    with raises_cognito("InvalidParameterException", messages.NO_RECOVERY_DESTINATION):
        rig.admin("AdminResetUserPassword", Username="nomail")
    assert rig.status("nomail") == "CONFIRMED"
    with raises_cognito("UserNotFoundException", "User does not exist."):
        rig.admin("AdminResetUserPassword", Username="nobody")
    with raises_cognito("MissingAuthenticationTokenException"):
        engine.call("AdminResetUserPassword", {"UserPoolId": rig.pool_id, "Username": "nomail"})
    admin_only = RecoveryRig(engine, recovery=["admin_only"])
    admin_only.user("alice", email="alice@example.com")
    with raises_cognito("InvalidParameterException") as err:
        admin_only.admin("AdminResetUserPassword", Username="alice")
    assert "self-service account recovery" in err.message
    assert admin_only.status("alice") == "CONFIRMED"
    assert rig.mailer.messages == []
