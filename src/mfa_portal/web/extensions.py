"""What the portal's pages take from outside, passed in by the composition root (never registered
by importing a module).

``after_enrolment``: run right after a user's authenticator is verified and turned on, with the
request and the now fully signed-in user. A hook may return a local path to send the browser to
instead of the success page (e.g. the recovery-codes offer); the first path returned wins, and every
hook still runs. ``account_sections`` are template names included, in order, at the end of the
account page; ``account_context`` adds values to that page's context.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import Request

    from mfa_portal.web.deps import SignedInUser

log = logging.getLogger("mfa_portal.web")

EnrolmentHook = Callable[["Request", "SignedInUser"], "str | None"]
AccountContext = Callable[["Request", "SignedInUser"], "dict[str, Any]"]


@dataclass(frozen=True)
class PortalExtensions:
    after_enrolment: tuple[EnrolmentHook, ...] = ()
    account_sections: tuple[str, ...] = ()
    account_context: tuple[AccountContext, ...] = ()

    def run_after_enrolment(self, request: Request, user: SignedInUser) -> str | None:
        """Run every hook; return the first redirect path one of them asked for."""
        target: str | None = None
        for hook in self.after_enrolment:
            try:
                result = hook(request, user)
            except Exception:  # a failing extension must not undo a completed enrolment
                log.exception("after_enrolment hook %r failed", hook)
                continue
            if result and target is None:
                target = result
        return target
