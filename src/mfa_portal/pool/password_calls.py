"""Which Cognito calls hash a password: the wire runs each of them whole on a password-call thread
(``hash_slots``), where its hashes run without a hop to another thread.

A call filed wrongly here is still answered rightly. One that hashes but is not listed runs on a
call thread and hashes on a hashing thread, as every call once did; one listed that does not hash
takes a password-call thread for nothing, and under sign-in load waits for one. So the list names
only calls that hash on every path: a sign-in with the password (an unknown name verifies a dummy
hash), a new password. SRP, refresh and MFA answers are not here.

A password-call thread never waits for a mail server: there are few of them (two per worker on a
machine with as many workers as cores), so one slow SMTP server would stop every password sign-in
of the worker. A call that has mail to send once its transaction has committed (a sign-up's code,
a sign-in's email MFA code) raises ``FinishElsewhere`` there instead, and the wire runs the rest,
the mail and the answer, on a call thread (``offload.in_password_thread``). ``AdminCreateUser``
sends its invitation in the middle of its work, so it is not listed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_ALWAYS = frozenset(
    {
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


class FinishElsewhere(Exception):
    """The rest of a password call (``finish``), which would wait for a mail server."""

    def __init__(self, finish: Callable[[], dict[str, Any]]) -> None:
        super().__init__("the rest of this call runs on a call thread")
        self.finish = finish
