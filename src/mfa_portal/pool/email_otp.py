"""Email MFA codes (spec §6): 8 digits from the injected CSPRNG, valid for the session that carries them.

Only a salted SHA-256 of the code is kept, inside the challenge session's data; it never outlives the
session (AuthSessionValidity, 3–15 minutes). The message uses the pool's ``EmailMfaConfiguration``
``Message`` / ``Subject`` templates, where ``{####}`` stands for the code.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from mfa_portal.mail import Message
from mfa_portal.pool.context import Context

CODE_DIGITS = 8
PLACEHOLDER = "{####}"
DEFAULT_SUBJECT = "Your verification code"
DEFAULT_MESSAGE = "Your verification code is {####}."


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def seal_code(ctx: Context, code: str, destination: str) -> dict[str, str]:
    """Session data that lets ``check_code`` recognise ``code`` without storing it."""
    salt = ctx.random_bytes(16).hex()
    return {"email_salt": salt, "email_code": _digest(salt, code), "email_to": destination}


def check_code(data: dict[str, Any], code: str) -> bool:
    salt, stored = data.get("email_salt"), data.get("email_code")
    if not isinstance(salt, str) or not isinstance(stored, str):
        return False
    return hmac.compare_digest(_digest(salt, code), stored)


def code_message(mfa: dict[str, Any], to: str, code: str) -> Message:
    """The email for ``code`` from the pool's stored SetUserPoolMfaConfig document."""
    config = mfa.get("EmailMfaConfiguration") or {}
    body = str(config.get("Message") or DEFAULT_MESSAGE)
    if PLACEHOLDER not in body:  # validation requires it; never send a code-less mail
        body = DEFAULT_MESSAGE
    subject = str(config.get("Subject") or DEFAULT_SUBJECT)
    return Message(to=to, subject=subject, body=body.replace(PLACEHOLDER, code))


def mask_email(email: str) -> str:
    """``jane@example.com`` → ``j***@e***`` (the CODE_DELIVERY_DESTINATION shape)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"
