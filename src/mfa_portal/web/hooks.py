"""Extension points other parts of the portal register into, without the portal importing them.

``after_enrolment``: called right after a user's authenticator is verified and turned on, with the
request and the now fully signed-in user. A hook may return a local path to send the browser to
instead of the success page (e.g. the recovery-codes page); the first path returned wins, and every
hook still runs. Register at import time::

    from mfa_portal.web import hooks
    hooks.after_enrolment.append(my_hook)

``account_sections``: template names (under ``web/templates``) included, in order, at the end of the
account page's sections, e.g. ``"recovery/_account_section.html"``. They render with the account
page's context (``user``, ``csrf_token``, ``t``, ``viewer``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import Request

    from mfa_portal.web.deps import SignedInUser

log = logging.getLogger("mfa_portal.web")

EnrolmentHook = Callable[["Request", "SignedInUser"], "str | None"]

after_enrolment: list[EnrolmentHook] = []

account_sections: list[str] = []

AccountContext = Callable[["Request", "SignedInUser"], "dict[str, Any]"]
# Extra values for the account page's context (e.g. how many recovery codes remain).
account_context: list[AccountContext] = []


def run_after_enrolment(request: Request, user: SignedInUser) -> str | None:
    """Run every hook; return the first redirect path one of them asked for."""
    target: str | None = None
    for hook in list(after_enrolment):
        try:
            result = hook(request, user)
        except Exception:  # a failing extension must not undo a completed enrolment
            log.exception("after_enrolment hook %r failed", hook)
            continue
        if result and target is None:
            target = result
    return target
