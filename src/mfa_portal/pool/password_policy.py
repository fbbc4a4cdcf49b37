"""The pool's password policy: Cognito's checks and messages, and temporary passwords that pass.

Cognito reports the first rule a password breaks, in the order length, uppercase, lowercase,
numbers, symbols. Symbols are Cognito's fixed set; a space counts as one when it is neither
leading nor trailing. Letters and digits count in basic Latin only (see docs/compatibility.md).
"""

from __future__ import annotations

import string
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.cognito_api.passwords import temporary_password
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import Pool

SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "
MAX_PASSWORD_LENGTH = 256
DEFAULT_MINIMUM_LENGTH = 8
DEFAULT_TEMPORARY_PASSWORD_DAYS = 7

# Cognito's policy when a pool was created without one (CreateUserPool's defaults).
DEFAULT_POLICY: dict[str, Any] = {
    "MinimumLength": DEFAULT_MINIMUM_LENGTH,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": DEFAULT_TEMPORARY_PASSWORD_DAYS,
}

_RULES: tuple[tuple[str, str, str], ...] = (
    ("RequireUppercase", string.ascii_uppercase, messages.PASSWORD_NEEDS_UPPERCASE),
    ("RequireLowercase", string.ascii_lowercase, messages.PASSWORD_NEEDS_LOWERCASE),
    ("RequireNumbers", string.digits, messages.PASSWORD_NEEDS_NUMBER),
    ("RequireSymbols", SYMBOLS, messages.PASSWORD_NEEDS_SYMBOL),
)


def effective_policy(pool: Pool) -> dict[str, Any]:
    """The pool's PasswordPolicy; Cognito's defaults when the pool stores none."""
    policy = pool.settings.get("Policies", {}).get("PasswordPolicy")
    if policy is None:
        return dict(DEFAULT_POLICY)
    return dict(policy)


def temporary_password_seconds(pool: Pool) -> int:
    """How long an admin-set temporary password stays usable (TemporaryPasswordValidityDays)."""
    days = effective_policy(pool).get("TemporaryPasswordValidityDays")
    return int(days if days is not None else DEFAULT_TEMPORARY_PASSWORD_DAYS) * 86400


def enforce_policy(pool: Pool, password: str, *, field: str = "password") -> None:
    """Raise Cognito's error for the first rule ``password`` breaks; never echo the password.

    ``field`` names the request member in the validation messages (``password``,
    ``temporaryPassword``, ``proposedPassword``...).
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        raise errors.InvalidParameterException(
            messages.failed_constraint(field, messages.max_length(MAX_PASSWORD_LENGTH))
        )
    if password != password.strip() or any(c.isspace() and c != " " for c in password):
        raise errors.InvalidParameterException(
            messages.failed_constraint(field, messages.PASSWORD_PATTERN)
        )
    policy = effective_policy(pool)
    minimum = int(policy.get("MinimumLength") or DEFAULT_MINIMUM_LENGTH)
    if len(password) < minimum:
        raise errors.InvalidPasswordException(messages.PASSWORD_TOO_SHORT)
    for key, alphabet, message in _RULES:
        if policy.get(key) and not any(c in alphabet for c in password):
            raise errors.InvalidPasswordException(message)


def generate_temporary_password(ctx: Context, pool: Pool) -> str:
    """A random password that satisfies the pool's policy, with every character class present."""
    minimum = int(effective_policy(pool).get("MinimumLength") or DEFAULT_MINIMUM_LENGTH)
    return temporary_password(ctx.random_bytes, length=max(minimum, 12))
