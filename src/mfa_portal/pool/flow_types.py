"""The records every sign-in step passes around: the app a call comes through, a challenge answer
after its checks, the outcome with the mail to send and the tokens to sign after commit, and the one
required-parameter check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.mail import Message
from mfa_portal.pool.auth_sessions import AuthSession
from mfa_portal.pool.pools import AppClient, Pool
from mfa_portal.pool.srp import PreparedKey
from mfa_portal.pool.token_store import Unsigned
from mfa_portal.pool.users import User


@dataclass(frozen=True)
class App:
    """The pool and app client a call is made through."""

    pool: Pool
    client: AppClient


@dataclass
class Outcome:
    """The operation's response, plus what happens once the transaction has committed: emails to
    send, and for a completed sign-in the tokens to sign into its ``AuthenticationResult``."""

    response: dict[str, Any]
    outbox: list[Message] = field(default_factory=list)
    tokens: Unsigned | None = None


@dataclass(frozen=True)
class Answer:
    """One challenge response, after the session, identity and SECRET_HASH checks."""

    app: App
    session: str
    found: AuthSession
    user: User
    responses: dict[str, Any]
    new_hash: str | None = None  # NEW_PASSWORD_REQUIRED: the checked, hashed new password
    srp_key: PreparedKey | None = None  # PASSWORD_VERIFIER: the session key, if computed before
    named_user: bool = True  # PASSWORD_VERIFIER: whether USERNAME names the block's user


def required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise errors.InvalidParameterException(messages.missing_parameter(name))
    return value
