"""The mail that carries a sign-up or attribute verification code, and how its delivery is reported.

The pool's ``VerificationMessageTemplate`` (``EmailMessage`` / ``EmailSubject``, ``{####}`` for the
code) is used when it holds the placeholder; a code-less mail is never sent.
"""

from __future__ import annotations

from typing import Any

from mfa_portal.mail import Message
from mfa_portal.pool.email_otp import PLACEHOLDER, mask_email
from mfa_portal.pool.pools import Pool

DEFAULT_SUBJECT = "Your verification code"
DEFAULT_MESSAGE = "Your verification code is {####}."


def verification_message(pool: Pool, to: str, code: str) -> Message:
    template = pool.settings.get("VerificationMessageTemplate") or {}
    body = str(template.get("EmailMessage") or DEFAULT_MESSAGE)
    if PLACEHOLDER not in body:
        body = DEFAULT_MESSAGE
    subject = str(template.get("EmailSubject") or DEFAULT_SUBJECT)
    return Message(to=to, subject=subject, body=body.replace(PLACEHOLDER, code))


def email_delivery(address: str, *, masked: bool = False) -> dict[str, Any]:
    """A ``CodeDeliveryDetailsType`` for an email (``masked``: the address is already masked)."""
    return {
        "Destination": address if masked else mask_email(address),
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }


def auto_verifies_email(pool: Pool) -> bool:
    """Whether the pool sends a code for a new email (``AutoVerifiedAttributes``)."""
    return "email" in (pool.settings.get("AutoVerifiedAttributes") or [])
