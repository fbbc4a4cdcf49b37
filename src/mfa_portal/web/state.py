"""The typed state kept in a portal session: where the visitor is in sign-in, and what they may do.

Like an auth flow in Kratos, sign-in progress is an explicit object with a stage, not a handful of
loose flags; every route decides what to do from ``stage`` alone. Cognito's tokens live here, on the
server, and never in the browser.
"""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from mfa_portal.cognito_api.id_tokens import VerifiedIdentity
from mfa_portal.web.base_path import SitePath

#: The user's destination: a path on the whole site (``/report?a=1``), never under the portal's
#: prefix, so ``see_other(state.next_path)`` sends the browser there as it is (a loaded session
#: holds a ``SitePath``; code that sets it uses ``safe_next``, which returns one).
Destination = Annotated[str, AfterValidator(SitePath)]

#: Why a session ended, as the sign-in page says it (``signin.ended.<code>``); the only values a
#: ``?ended=`` parameter may carry. Never free text: the page shows a fixed sentence per code.
ENDED_REASONS = frozenset({"reset", "everywhere", "password", "ended", "idle", "limit", "expired"})


class Stage(StrEnum):
    ANONYMOUS = "anonymous"
    NEW_PASSWORD_REQUIRED = "new_password_required"  # temporary password accepted, must set one
    CHALLENGE = "challenge"  # an MFA challenge (code, choice or setup) is pending with Cognito
    MUST_ENROL = "must_enrol"  # password ok, no MFA: restricted to the set-up page and sign-out
    SIGNED_IN = "signed_in"


class Challenge(BaseModel):
    """A challenge Cognito is waiting for, with the opaque Session that answers it."""

    name: str
    session: str
    username: str  # the username Cognito knows (USER_ID_FOR_SRP), for SECRET_HASH and responses
    parameters: dict[str, str] = Field(default_factory=dict)
    started: float
    #: The other methods Cognito offered in the SELECT_MFA_TYPE this challenge answered, so the code
    #: page can offer "use my authenticator instead" (by signing in again and choosing it).
    alternatives: list[str] = Field(default_factory=list)


class Tokens(BaseModel):
    access_token: str
    id_token: str
    refresh_token: str | None = None
    expires_at: float


class Identity(BaseModel):
    """What the verified ID token says about the user."""

    sub: str
    username: str
    email: str | None = None
    email_verified: bool = False
    groups: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, verified: VerifiedIdentity) -> Identity:
        return cls.model_validate(asdict(verified))


class Enrolment(BaseModel):
    """A pending authenticator set-up: the secret exists only here until the code is verified."""

    secret: str
    session: str | None = None  # for the MFA_SETUP challenge chain (pools in ON mode)
    started: float = 0.0  # a key not verified within ENROLMENT_SECONDS is dropped


class EnrolmentProof(BaseModel):
    """A first enrolment's proof of the mailbox (MFA_PORTAL_ENROLMENT_PROOF=email): code sent, then
    accepted. The code itself is only in the proof store, hashed."""

    sent_at: float = 0.0
    proven: bool = False


class SessionState(BaseModel):
    stage: Stage = Stage.ANONYMOUS
    csrf: str = ""
    created: float = 0.0
    saved: float = 0.0  # last time the session was written to the store
    challenge: Challenge | None = None
    mfa_answered: bool = False  # a second factor was proven during this sign-in
    tokens: Tokens | None = None
    identity: Identity | None = None
    enrolment: Enrolment | None = None
    enrolment_proof: EnrolmentProof | None = None
    reauth_until: float = 0.0  # replacing the authenticator is allowed until then
    #: When this session last finished setting up an authenticator: the first set of recovery codes
    #: right after needs no further proof (``routes_recovery.FIRST_CODES_SECONDS``).
    enrolled_at: float = 0.0
    #: The 30-second TOTP step in which re-authentication spent a code of the current authenticator:
    #: Cognito's per-user replay guard refuses every code of that step, the new app's first included.
    reauth_step: int = -1
    last_checked: float = 0.0  # last time the access token was confirmed with Cognito
    revocation_generation: int = 0  # the user's revocation generation when this sign-in completed
    signup_username: str | None = None  # signed up, waiting for the confirmation code
    pending_email: str | None = None  # a new address waiting for its verification code
    next_path: Destination = SitePath("/")
    #: The FriendlyDeviceName Cognito named in this sign-in's SOFTWARE_TOKEN_MFA challenge (Cognito
    #: returns it nowhere else), for the account page.
    totp_device: str = ""
    #: What the visitor typed as username at the password step of this sign-in, kept so a sign-in
    #: that ended (expired, locked) can fill it in again. Their own input, never looked up.
    typed_username: str = ""
    #: Why the previous sign-in of this browser ended (a code of ``ENDED_REASONS``), for the next
    #: sign-in page to say; set only by ``PortalSession.end``, cleared once shown.
    ended: str = ""
    reset_username: str = (
        ""  # who asked for a password-reset code in this browser (prefills the form)
    )

    @property
    def mfa_satisfied(self) -> bool:
        return self.stage is Stage.SIGNED_IN and self.mfa_answered

    def forget_sign_in(self) -> None:
        """Back to anonymous, keeping only this browser session's CSRF token and start time."""
        csrf, created = self.csrf, self.created
        for name, field in SessionState.model_fields.items():
            setattr(self, name, field.get_default(call_default_factory=True))
        self.csrf, self.created = csrf, created
