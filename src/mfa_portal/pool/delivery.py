"""How the embedded pool delivers one-time codes (email MFA codes, temporary passwords).

Amazon Cognito sends these through SES/SNS. The embedded pool hands each message to a ``Mailer``
(``mfa_portal.mail``); the portal plugs in its own (SMTP, or the development outbox).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from mfa_portal.cognito_api import errors
from mfa_portal.mail import Mailer, Message

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
