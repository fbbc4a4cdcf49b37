"""Cognito's error texts as sentences a support person can act on.

Cognito words errors for developers ("User does not have delivery config set to turn on
SOFTWARE_TOKEN_MFA", a regular expression for a bad username). The CLI shows these sentences
instead; ``--json`` keeps Cognito's own code and message for scripts. Texts are recognised with
the catalog's predicates, never by matching a sentence of our own.
"""

from __future__ import annotations

from mfa_portal.cognito_api import messages

_FACTOR_MEANS = {
    "SOFTWARE_TOKEN_MFA": (
        "the user has no authenticator app set up, so TOTP cannot be turned on: ask them to "
        "sign in to the portal and set one up"
    ),
    "EMAIL_OTP": (
        "the user has no verified email address, so email codes cannot be turned on: set one "
        "with `users set-attr NAME email=ADDRESS --verified` first"
    ),
    "SMS_MFA": (
        "the user has no verified phone number, so SMS codes cannot be turned on: set one with "
        "`users set-attr NAME phone_number=+NUMBER --verified` first"
    ),
}

FILTER_HELP = (
    'the --filter could not be read: write it as ATTRIBUTE OPERATOR "VALUE", e.g. '
    "'email ^= \"bob\"' (= is an exact match, ^= a prefix), with the value in double quotes"
)
BAD_USERNAME = (
    "this is not a valid username: usernames cannot be empty or contain spaces, tabs or other "
    "control characters (check for stray text or a comment on the line)"
)
LONG_USERNAME = "this is not a valid username: usernames are at most 128 characters"
EMPTY_USERNAME = "this is not a valid username: it is empty"


def for_people(code: str, message: str) -> str:
    """What to tell a support person about a Cognito error (its message when already plain)."""
    factor = messages.missing_delivery_config(code, message)
    if factor is not None:
        return _FACTOR_MEANS.get(factor, f"the user cannot use {factor}: {message}")
    if messages.is_filter_parse_error(code, message):
        return FILTER_HELP
    for member, rule in messages.failed_members(code, message):
        if member.lower() == "username":
            if not rule.startswith(messages.LENGTH_RULE):
                return BAD_USERNAME
            return EMPTY_USERNAME if "greater than" in rule else LONG_USERNAME
    return message
