"""How the embedded pool delivers one-time codes (email MFA codes, temporary passwords), and a call's
outcome: its mail, then its signed tokens and its answer.

Amazon Cognito sends these through SES/SNS. The embedded pool hands each message to a ``Mailer``
(``mfa_portal.mail``); the portal plugs in its own (SMTP, or the development outbox).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.mail import Mailer, Message
from mfa_portal.pool import password_calls
from mfa_portal.pool.context import Context
from mfa_portal.pool.flow_types import Outcome
from mfa_portal.pool.passwords import HASH_SLOTS

log = logging.getLogger("mfa_portal.pool.delivery")


def send_all(mailer: Mailer, messages: Iterable[Message], *, failure: str) -> None:
    """Send each message; any failure becomes CodeDeliveryFailureException(``failure``).

    Callers send only after their transaction has committed. The cause is logged by type alone: its
    text could quote the message, and so a code or a temporary password.
    """
    for message in messages:
        try:
            mailer.send(message)
        except Exception as exc:
            log.warning("mail delivery failed: %s", type(exc).__name__)
            raise errors.CodeDeliveryFailureException(failure) from None


def deliver(ctx: Context, outcome: Outcome) -> dict[str, Any]:
    """Send the outcome's mail and sign its tokens (after the transaction has committed, which
    held the write lock for its SQL only), and return its response.

    On a password-call thread, mail is left to a call thread with the rest (``password_calls``)."""
    if outcome.outbox and HASH_SLOTS.running_password_call():
        raise password_calls.FinishElsewhere(functools.partial(_deliver, ctx, outcome))
    return _deliver(ctx, outcome)


def _deliver(ctx: Context, outcome: Outcome) -> dict[str, Any]:
    send_all(ctx.engine.mailer, outcome.outbox, failure=messages.CODE_DELIVERY_FAILED)
    if outcome.tokens is None:
        return outcome.response
    return {"AuthenticationResult": outcome.tokens.sign(ctx.engine.signer), **outcome.response}
