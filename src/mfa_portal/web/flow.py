"""The portal's side of the Cognito sign-in conversation, as transitions of the session state.

Routes call these with form input; every Cognito call goes through the client seam with Cognito's own
request shapes (``USER_SRP_AUTH`` or ``USER_PASSWORD_AUTH``, ``RespondToAuthChallenge``,
``REFRESH_TOKEN_AUTH``).
"""

from __future__ import annotations

import logging
from typing import Any

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.cognito_api.id_tokens import TokenInvalid
from mfa_portal.settings import Enforcement, EnrolmentProofKind
from mfa_portal.web.base_path import SitePath
from mfa_portal.web.ended import revocation_reason
from mfa_portal.web.messages import is_token_problem
from mfa_portal.web.portal import Portal
from mfa_portal.web.sessions import PortalSession
from mfa_portal.web.state import Challenge, Enrolment, Identity, Stage, Tokens

log = logging.getLogger("mfa_portal.web")

MFA_CHALLENGES = frozenset({"SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_MFA"})
CHALLENGE_PAGES = {
    "NEW_PASSWORD_REQUIRED": "/signin/new-password",
    "SOFTWARE_TOKEN_MFA": "/signin/code",
    "EMAIL_OTP": "/signin/code",
    "SMS_MFA": "/signin/code",
    "SELECT_MFA_TYPE": "/signin/select",
    "MFA_SETUP": "/mfa/setup",
}
CHALLENGE_MAX_SECONDS = 15 * 60  # Cognito's AuthSessionValidity is at most 15 minutes
ENROLMENT_SECONDS = 10 * 60  # a set-up key not verified by then is dropped from the session


class UnsupportedChallenge(Exception):
    """Cognito asked for something this portal cannot offer (e.g. a custom challenge)."""


class FactorNotAsked(Exception):
    """The password alone was accepted for a user who has an authenticator registered.

    Amazon Cognito does this in an OPTIONAL pool while a newer ``AssociateSoftwareToken`` is
    unverified (spec §3.3), and answers ``MFA_SETUP`` in an ON pool. Such a session must get
    nothing: not the account, and above all not the set-up page, where it could bind its own
    authenticator.
    """


TOTP = "SOFTWARE_TOKEN_MFA"


Outcome = Challenge | Tokens


def outcome_of(response: dict[str, Any], username: str, now: float) -> Outcome:
    result = response.get("AuthenticationResult")
    if result:
        return Tokens(
            access_token=result["AccessToken"],
            id_token=result["IdToken"],
            refresh_token=result.get("RefreshToken"),
            expires_at=now + int(result.get("ExpiresIn", 3600)),
        )
    params = {str(k): str(v) for k, v in (response.get("ChallengeParameters") or {}).items()}
    return Challenge(
        name=str(response.get("ChallengeName", "")),
        session=str(response.get("Session", "")),
        username=params.get("USER_ID_FOR_SRP") or params.get("USERNAME") or username,
        parameters=params,
        started=now,
    )


def start_sign_in(
    portal: Portal, username: str, password: str, *, client_ip: str | None = None
) -> Outcome:
    """The password step (SRP unless ``MFA_PORTAL_AUTH_FLOW=password``), with the visitor's address."""
    response = portal.password_step.call(
        username, password, now=portal.clock(), client_ip=client_ip
    )
    username = str((response.get("ChallengeParameters") or {}).get("USER_ID_FOR_SRP") or username)
    return outcome_of(response, username, portal.clock())


def respond(
    portal: Portal, challenge: Challenge, answers: dict[str, str], *, session: str | None = None
) -> Outcome:
    response = portal.client.call(
        "RespondToAuthChallenge",
        ClientId=portal.client_id,
        ChallengeName=challenge.name,
        Session=session or challenge.session,
        ChallengeResponses={
            "USERNAME": challenge.username,
            **answers,
            **portal.secret_hash(challenge.username),
        },
    )
    return outcome_of(response, challenge.username, portal.clock())


def apply_outcome(portal: Portal, ps: PortalSession, outcome: Outcome) -> str:
    """Move the session to the outcome's stage; return where the browser goes next."""
    if isinstance(outcome, Tokens):
        target = complete_sign_in(portal, ps, outcome)
        if target == "/mfa/setup":
            _begin_unproven(portal, ps, "token")
        return target
    page = CHALLENGE_PAGES.get(outcome.name)
    if page is None:
        log.warning("unsupported challenge %s", outcome.name)
        raise UnsupportedChallenge(outcome.name)
    state = ps.state
    state.challenge = outcome
    state.enrolment = None
    state.stage = (
        Stage.NEW_PASSWORD_REQUIRED if outcome.name == "NEW_PASSWORD_REQUIRED" else Stage.CHALLENGE
    )
    ps.changed()
    if outcome.name == "MFA_SETUP":
        _begin_unproven(portal, ps, "challenge")
    return page


def _begin_unproven(portal: Portal, ps: PortalSession, mode: str) -> None:
    """With ``MFA_PORTAL_ENROLMENT_PROOF=none`` (or the proof already given in this sign-in, e.g.
    by replacing a temporary password) the sign-in POST itself starts the set-up.

    Raises ``FactorNotAsked``; any Cognito error is left for the set-up page's own start button
    to show.
    """
    proven = ps.state.enrolment_proof is not None and ps.state.enrolment_proof.proven
    if portal.settings.enrolment_proof is not EnrolmentProofKind.NONE and not proven:
        return
    try:
        begin_enrolment(portal, ps, mode)
    except CognitoError as exc:
        log.info("set-up could not start after sign-in: %s", exc.code)


def complete_sign_in(portal: Portal, ps: PortalSession, tokens: Tokens) -> str:
    """Tokens in hand: verify who it is, then grant a full or a restricted session.

    Raises ``FactorNotAsked`` when no second factor was proven but the user has one registered.
    """
    identity = Identity.of(portal.verifier.verify(tokens.id_token))  # raises TokenInvalid
    state = ps.state
    if not state.mfa_answered and _has_authenticator(portal, access_token=tokens.access_token):
        raise FactorNotAsked(identity.username)
    now = portal.clock()
    state.tokens = tokens
    state.identity = identity
    state.challenge = None
    state.enrolment = None
    state.last_checked = now
    state.created = now
    state.revocation_generation = _revocation_generation(portal, identity.sub)
    required = portal.settings.enforcement is Enforcement.REQUIRED
    state.stage = Stage.MUST_ENROL if required and not state.mfa_answered else Stage.SIGNED_IN
    ps.rotate()
    return SitePath(state.next_path) if state.stage is Stage.SIGNED_IN else "/mfa/setup"


def _revocation_generation(portal: Portal, sub: str) -> int:
    revocations = portal.support.revocations
    return 0 if revocations is None else revocations.generation(portal.user_pool_id, sub)


# --- enrolment: who may start an association, and when ------------------------------------------


def _has_authenticator(
    portal: Portal, *, access_token: str | None = None, username: str | None = None
) -> bool:
    """Whether Cognito lists TOTP for the user (it still does while a new association is pending)."""
    if access_token is not None:
        user = portal.client.call("GetUser", AccessToken=access_token)
    else:
        support = portal.support
        user = support.client.call("AdminGetUser", UserPoolId=support.pool_id, Username=username)
    return TOTP in (user.get("UserMFASettingList") or [])


def begin_enrolment(portal: Portal, ps: PortalSession, mode: str) -> None:
    """AssociateSoftwareToken, called only from a POST that proved what this session must prove.

    ``mode`` is ``challenge`` (an ON pool's MFA_SETUP), ``token`` (a first enrolment with the
    session's access token) or ``replace`` (password and current code re-proven just now). A
    session that proved only the password may never replace a registered authenticator:
    ``FactorNotAsked`` then. The secret stays in the server-side session, never in a URL.
    """
    state = ps.state
    if mode == "challenge":
        assert state.challenge is not None
        if _has_authenticator(portal, username=state.challenge.username):
            raise FactorNotAsked(state.challenge.username)
        result = portal.client.call("AssociateSoftwareToken", Session=state.challenge.session)
        session = result.get("Session")
    else:
        assert state.tokens is not None
        access = state.tokens.access_token
        if (
            mode != "replace"
            and not state.mfa_answered
            and _has_authenticator(portal, access_token=access)
        ):
            raise FactorNotAsked(state.identity.username if state.identity else "")
        result = portal.client.call("AssociateSoftwareToken", AccessToken=access)
        session = None
    state.enrolment = Enrolment(
        secret=result["SecretCode"], session=session, started=portal.clock()
    )
    ps.changed()


def ensure_live(portal: Portal, ps: PortalSession, *, recheck_now: bool = False) -> bool:
    """Keep a token-holding session valid and its identity current.

    On every call: refused at once when the portal or support ended the user's sessions since this
    sign-in (the shared revocation marker, one indexed lookup). Every ``revalidate_seconds`` (or
    now, with ``recheck_now``) and near expiry: ``REFRESH_TOKEN_AUTH``, which Cognito refuses after a
    global sign-out, reset, disable or delete made anywhere (the AWS console included), and whose
    new ID token carries the current groups, email and ``email_verified``. Returns False (and ends
    the session) when the session is over.
    """
    state = ps.state
    now = portal.clock()
    if state.stage in (Stage.CHALLENGE, Stage.NEW_PASSWORD_REQUIRED):
        if state.challenge is None or now - state.challenge.started > CHALLENGE_MAX_SECONDS:
            ps.end("expired")
            return False
        return True
    if state.stage not in (Stage.MUST_ENROL, Stage.SIGNED_IN) or state.tokens is None:
        return False
    if state.identity is not None and (
        _revocation_generation(portal, state.identity.sub) != state.revocation_generation
    ):
        log.info("portal session ended: revoked through the portal")
        ps.end(revocation_reason(portal, state.identity.username))
        return False
    try:
        due = recheck_now or now - state.last_checked >= portal.settings.revalidate_seconds
        if now >= state.tokens.expires_at - 60 or (due and state.tokens.refresh_token):
            _refresh(portal, ps)
        elif due:
            portal.client.call("GetUser", AccessToken=state.tokens.access_token)
            state.last_checked = now
            ps.changed()
    except (CognitoError, TokenInvalid) as exc:
        if (
            isinstance(exc, TokenInvalid)
            or is_token_problem(exc)
            or exc.code
            in (
                "NotAuthorizedException",
                "UserNotFoundException",
                "PasswordResetRequiredException",
            )
        ):
            log.info("portal session ended: %s", getattr(exc, "code", "invalid token"))
            ps.end("ended")
            return False
        if now >= state.tokens.expires_at:  # fail closed: nothing vouches for this session now
            log.warning("session ended: its tokens expired and Cognito could not renew them")
            ps.end("ended")
            return False
        log.warning("could not re-check a session with Cognito: %s", exc.code)
    return True


def _refresh(portal: Portal, ps: PortalSession) -> None:
    state = ps.state
    assert state.tokens is not None and state.identity is not None
    if not state.tokens.refresh_token:
        raise TokenInvalid("no refresh token")
    username = state.identity.username
    try:
        response = portal.client.call(
            "InitiateAuth",
            AuthFlow="REFRESH_TOKEN_AUTH",
            ClientId=portal.client_id,
            AuthParameters={
                "REFRESH_TOKEN": state.tokens.refresh_token,
                **portal.secret_hash(username),
            },
        )
    except CognitoError as exc:
        if (
            exc.code != "InvalidParameterException"
            or "GetTokensFromRefreshToken" not in exc.message
        ):
            raise
        # A client with refresh-token rotation: the family moves on with every refresh.
        secret = portal.settings.client_secret
        response = portal.client.call(
            "GetTokensFromRefreshToken",
            ClientId=portal.client_id,
            RefreshToken=state.tokens.refresh_token,
            **({"ClientSecret": secret.get_secret_value()} if secret else {}),
        )
    fresh = outcome_of(response, username, portal.clock())
    if not isinstance(fresh, Tokens):
        raise TokenInvalid("refresh asked for a challenge")
    fresh.refresh_token = fresh.refresh_token or state.tokens.refresh_token
    identity = Identity.of(portal.verifier.verify(fresh.id_token))
    if identity.sub != state.identity.sub:
        raise TokenInvalid("refresh returned another user")
    state.tokens = fresh
    state.identity = identity
    state.last_checked = portal.clock()
    ps.changed()
