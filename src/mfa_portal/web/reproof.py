"""Proving the account again inside a signed-in session, in the same POST as the change it guards.

A session cookie can leak where the user never sees it: a log of the application behind forward-auth,
a script on that application's pages, a shared machine. Whoever holds it must not be able to take
the account for good, so every change that decides who controls the account asks for the password
and, when the user has one, a current code of the authenticator (OWASP MFA cheat sheet; ASVS 5.0
7.5.1): replacing the authenticator, changing the email address (where reset codes go), and
making a new set of recovery codes (each one removes the authenticator). Cognito judges both, as
at sign-in, so its lockout counts every wrong guess.

A user whose only second factor is email or text message proves the password alone here: Cognito
would send a code that this page has no step for (and it goes to the address the change may be
about). The password is still what a stolen cookie does not carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Request

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.cognito_api.id_tokens import TokenInvalid
from mfa_portal.web.deps import SignedInUser, client_address
from mfa_portal.web.flow import respond, start_sign_in
from mfa_portal.web.messages import code_error, log
from mfa_portal.web.portal import get_portal
from mfa_portal.web.state import Challenge, Identity, Tokens

SIX_DIGITS = re.compile(r"^[0-9]{6}$")
#: Challenges that ask for a code this page cannot take: the password was right.
OTHER_FACTORS = frozenset({"EMAIL_OTP", "SMS_MFA", "SELECT_MFA_TYPE"})
FAILED = "reproof.failed"
FAILED_NOCODE = "reproof.failed_nocode"  # the sentence for wrong details when no code was asked
LOCKED = "code.locked"


@dataclass(frozen=True)
class Proven:
    """The account proven again; ``tokens`` and ``identity`` when Cognito signed the user in (the
    password and the authenticator's code), None when only the password could be asked for."""

    tokens: Tokens | None
    identity: Identity | None


def has_totp(user: SignedInUser) -> bool:
    """Whether the proof must include an authenticator code (asked for when unsure)."""
    try:
        settings = user.call("GetUser").get("UserMFASettingList") or []
    except CognitoError:
        return True
    return "SOFTWARE_TOKEN_MFA" in settings


def prove_again(
    request: Request, user: SignedInUser, password: str, code: str, *, needs_code: bool
) -> Proven | str:
    """The proof, or the message key that refuses it: ``LOCKED``, else one sentence for every
    wrong detail, naming the code only when one was asked for."""
    portal = get_portal(request)
    wrong = FAILED if needs_code else FAILED_NOCODE
    code = re.sub(r"\s+", "", code)
    if not password or (needs_code and not SIX_DIGITS.match(code)):
        return wrong
    try:
        outcome = start_sign_in(portal, user.username, password, client_ip=client_address(request))
        if isinstance(outcome, Challenge) and outcome.name == "SELECT_MFA_TYPE" and code:
            outcome = respond(portal, outcome, {"ANSWER": "SOFTWARE_TOKEN_MFA"})
        if isinstance(outcome, Challenge) and outcome.name == "SOFTWARE_TOKEN_MFA" and code:
            outcome = respond(portal, outcome, {"SOFTWARE_TOKEN_MFA_CODE": code})
    except CognitoError as exc:
        log.info("proving the account again failed: %s", exc.code)
        return LOCKED if code_error(exc) == LOCKED else wrong
    if isinstance(outcome, Challenge):
        if outcome.name in OTHER_FACTORS and not needs_code:
            return Proven(None, None)
        return wrong
    try:
        identity = Identity.of(portal.verifier.verify(outcome.id_token))
    except TokenInvalid as exc:
        log.error("ID token from the pool failed verification: %s", exc)
        return wrong
    if identity.sub != user.sub:
        return wrong
    return Proven(outcome, identity)
