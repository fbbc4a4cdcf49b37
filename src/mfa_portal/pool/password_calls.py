"""Which Cognito calls hash a password: the wire runs each of them whole on a password-call thread
(``hash_slots``), where its hashes run without a hop to another thread.

A call filed wrongly here is still answered rightly. One that hashes but is not listed runs on a
call thread and hashes on a hashing thread, as every call once did; one listed that does not hash
takes a password-call thread for nothing, and under sign-in load waits for one. So the list names
only calls that hash on every path: a sign-in with the password (an unknown name verifies a dummy
hash), a new password, a new user's temporary one. SRP, refresh and MFA answers are not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_ALWAYS = frozenset(
    {
        "AdminCreateUser",  # a temporary password, given or made
        "AdminSetUserPassword",
        "ChangePassword",  # verifies the previous one, hashes the proposed one
        "ConfirmForgotPassword",  # hashes before it judges the code, for unknown names too
        "SignUp",
    }
)
_PASSWORD_FLOWS = {
    "InitiateAuth": frozenset({"USER_PASSWORD_AUTH"}),
    "AdminInitiateAuth": frozenset({"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}),
}
_NEW_PASSWORD_ANSWERS = frozenset({"RespondToAuthChallenge", "AdminRespondToAuthChallenge"})


def hashes(operation: str, params: Mapping[str, Any]) -> bool:
    """Whether ``operation`` called with ``params`` (as sent: not yet validated) hashes a password."""
    if operation in _ALWAYS:
        return True
    flows = _PASSWORD_FLOWS.get(operation)
    if flows is not None:
        return _text(params.get("AuthFlow")) in flows
    if operation in _NEW_PASSWORD_ANSWERS:
        return _text(params.get("ChallengeName")) == "NEW_PASSWORD_REQUIRED"
    return False


def _text(value: object) -> str:
    """A member as sent may be any JSON value; only a string can name a flow."""
    return value if isinstance(value, str) else ""
