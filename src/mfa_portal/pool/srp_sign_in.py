"""USER_SRP_AUTH: the password proven without sending it, then the same steps as a password sign-in.

``start`` answers InitiateAuth/AdminInitiateAuth with the PASSWORD_VERIFIER challenge; the SDKs send
back the claim with ``PASSWORD_CLAIM_SECRET_BLOCK`` (usually without ``Session``). The block carries
the challenge itself, sealed (``srp_blocks``), so a start writes nothing. The answer checks the
claim, spends the block whatever the result, counts a wrong claim into the same lockout as a wrong
password, and then continues exactly like ``password_sign_in`` (new password, MFA challenge or
tokens).

An unknown user (on clients that prevent user-existence errors) or a user without a verifier yet
gets a challenge that looks the same (a salt, verifier and ``USER_ID_FOR_SRP`` that are the same on
every start, ``srp_decoys``) and fails at the claim with the wrong-password error, so the two steps
never tell who has an account.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from typing import Any, NoReturn

from mfa_portal.cognito_api import errors, messages
from mfa_portal.cognito_api.srp import TIMESTAMP_FORMAT
from mfa_portal.pool import srp, srp_blocks, srp_decoys
from mfa_portal.pool.auth_sessions import AuthSession, SessionStage
from mfa_portal.pool.context import Context
from mfa_portal.pool.flow_types import Answer, App, Outcome, required
from mfa_portal.pool.secret_hash import check_secret_hash
from mfa_portal.pool.srp_store import load_verifier
from mfa_portal.pool.users import User, find_user
from mfa_portal.security_events import emit
from mfa_portal.storage import Connection

log = logging.getLogger("mfa_portal.pool.sign_in")

CHALLENGE = "PASSWORD_VERIFIER"
CLOCK_SKEW_SECONDS = 300  # how far TIMESTAMP may be from the pool's clock


def start(ctx: Context, app: App, params: dict[str, Any]) -> Outcome:
    """The PASSWORD_VERIFIER challenge, made from the user and verifier read a moment before; they
    are read again after the exponentiation, and the challenge made again if they changed meanwhile.
    Nothing is written: the challenge travels sealed in its block."""
    username = required(params, "USERNAME")
    srp_a = required(params, "SRP_A")
    check_secret_hash(app.client, [username], params.get("SECRET_HASH"))
    try:
        big_a = srp.parse_a(srp_a)
    except srp.BadClientValue:
        raise errors.InvalidParameterException(messages.BAD_SRP_A) from None
    seen = _user_and_verifier(ctx, app, username)
    if seen is None:
        return _unknown(ctx, app, username, big_a)
    # A user without a verifier yet is offered a decoy's, the same on every start.
    offered = seen[1] or srp_decoys.verifier(ctx, app.pool, seen[0].username)
    challenge = _server_challenge(ctx, offered)
    now = _user_and_verifier(ctx, app, username)
    if now is None or now[0].id != seen[0].id:  # deleted or replaced meanwhile: as if unknown
        return _unknown(ctx, app, username, big_a)
    user, verifier = now
    if verifier != seen[1]:  # a password set meanwhile
        offered = verifier or srp_decoys.verifier(ctx, app.pool, user.username)
        challenge = _server_challenge(ctx, offered)
    sealed = srp_blocks.Challenge(
        user_id=user.id,
        client_id=app.client.id,
        expires_at=ctx.now + app.client.auth_session_seconds,
        big_a=format(big_a, "x"),
        big_b=format(challenge.big_b, "x"),
        b=format(challenge.b, "x"),
        ready=verifier is not None,
    )
    block = srp_blocks.user_block(ctx, app.pool.id, sealed)
    return _challenge(user.username, offered.salt, block, challenge)


def _user_and_verifier(
    ctx: Context, app: App, username: str
) -> tuple[User, srp.Verifier | None] | None:
    with ctx.single_statements() as conn:
        user = find_user(conn, app.pool, username)
        if user is None:
            return None
        return user, load_verifier(ctx, conn, user.id)


def _unknown(ctx: Context, app: App, username: str, big_a: int) -> Outcome:
    """No such user: UserNotFoundException, or where the client prevents user-existence errors a
    challenge like anyone's, made from a decoy verifier, whose claim then fails."""
    if not app.client.prevent_user_existence_errors:
        log.info("SRP sign-in refused in %s: unknown user", app.pool.id)
        raise errors.UserNotFoundException(messages.USER_NOT_FOUND)
    decoy = srp_decoys.verifier(ctx, app.pool, username)
    challenge = _server_challenge(ctx, decoy)
    sealed = srp_blocks.Decoy(
        name=username,
        client_id=app.client.id,
        expires_at=ctx.now + app.client.auth_session_seconds,
        big_a=format(big_a, "x"),
        big_b=format(challenge.big_b, "x"),
        b=format(challenge.b, "x"),
    )
    block = srp_blocks.decoy_block(ctx, app.pool.id, sealed)
    shown = srp_decoys.user_id_for_srp(ctx, app.pool, username)
    return _challenge(shown, decoy.salt, block, challenge)


def _server_challenge(ctx: Context, verifier: srp.Verifier) -> srp.ServerChallenge:
    return srp.server_challenge(verifier, ctx.random_bytes(srp.SECRET_BYTES))


def _challenge(user_id: str, salt: str, block: str, challenge: srp.ServerChallenge) -> Outcome:
    return Outcome(
        {
            "ChallengeName": CHALLENGE,
            "ChallengeParameters": {
                "SALT": salt,
                "SECRET_BLOCK": block,
                "SRP_B": format(challenge.big_b, "x"),
                "USERNAME": user_id,
                "USER_ID_FOR_SRP": user_id,
            },
        }
    )


def live_challenge(ctx: Context, conn: Connection, app: App, block: str) -> AuthSession:
    """The challenge ``block`` carries, as a session of this pool and client that is not expired
    or answered yet; NotAuthorizedException otherwise (a decoy's block too)."""
    found = srp_blocks.challenge_of(ctx, app.pool.id, block)
    if found is None or found.client_id != app.client.id or srp_blocks.is_spent(conn, block):
        _refuse(ctx, "unknown or spent", messages.SESSION_INVALID)
    if found.expires_at <= ctx.now:
        _refuse(ctx, "expired", messages.SESSION_EXPIRED)
    return AuthSession(
        srp_blocks.digest(block),
        app.pool.id,
        found.client_id,
        found.user_id,
        SessionStage.SRP_STARTED,
        CHALLENGE,
        found.expires_at - app.client.auth_session_seconds,
        found.expires_at,
        found.key_data(),
    )


def _refuse(ctx: Context, reason: str, message: str) -> NoReturn:
    emit("auth-session.refused", **ctx.addresses(), outcome="failure", reason=reason)
    raise errors.NotAuthorizedException(message)


def answered_decoy(ctx: Context, conn: Connection, app: App, block: str) -> str | None:
    """The name a decoy block of this client was made for, the first time it is answered before
    it expires (it is recorded as answered); None otherwise, and for any other block. As for a
    user's block, a replay or a late answer is not counted, so neither tells a name from a user."""
    decoy = srp_blocks.decoy_of(ctx, app.pool.id, block)
    if decoy is None or decoy.name is None or decoy.client_id != app.client.id:
        return None
    if decoy.expires_at <= ctx.now or not srp_blocks.spend(ctx, conn, block, decoy.expires_at):
        return None
    return decoy.name


def spend(ctx: Context, conn: Connection, a: Answer) -> None:
    """One answer per block: a second one (a replay, or a race lost) is refused."""
    if not srp_blocks.spend(ctx, conn, a.session, a.found.expires_at):
        raise errors.NotAuthorizedException(messages.SESSION_INVALID)


def prepare_key(ctx: Context, app: App, block: str) -> srp.PreparedKey | None:
    """Before the answer's transaction: the session key of the challenge ``block`` carries, from
    that challenge and the user's verifier as it is now, so that the transaction does not hold the
    write lock for its exponentiations. The transaction judges everything again, and takes the key
    only if what it was computed from is unchanged.

    A decoy's block, or a user's without a verifier, gets the same exponentiations against a decoy
    verifier (a key no answer matches), so that the answer takes as long for a name as for a user.
    A block of another client, expired or spent gets none, whoever it was made for: the transaction
    refuses it anyway, and a replay should not cost the server a key."""
    found = srp_blocks.opened(ctx, app.pool.id, block)
    if found is None or found.client_id != app.client.id or found.expires_at <= ctx.now:
        return None
    user_id = found.user_id if isinstance(found, srp_blocks.Challenge) else 0
    data = found.key_data()
    with ctx.single_statements() as conn:
        if srp_blocks.is_spent(conn, block):
            return None
        verifier = load_verifier(ctx, conn, user_id) if data["ready"] else None
    if verifier is None:
        name = found.name if isinstance(found, srp_blocks.Decoy) else None
        verifier = srp_decoys.verifier(ctx, app.pool, name or "")
    try:
        key = _session_key(data, verifier)
    except (srp.BadClientValue, ValueError, KeyError):
        return None
    return srp.PreparedKey(_key_inputs(user_id, data, verifier), key)


def claim_is_valid(ctx: Context, conn: Connection, a: Answer) -> bool:
    """Whether the PASSWORD_VERIFIER responses prove the password; False for any malformed part."""
    signature = required(a.responses, "PASSWORD_CLAIM_SIGNATURE")
    stamp = required(a.responses, "TIMESTAMP")
    if not a.found.data.get("ready"):
        return False
    verifier = load_verifier(ctx, conn, a.user.id)
    if verifier is None or not _fresh(stamp, ctx.now):
        return False
    prepared = a.srp_key
    try:
        if prepared is not None and prepared.inputs == _key_inputs(
            a.user.id, a.found.data, verifier
        ):
            key = prepared.key
        else:
            key = _session_key(a.found.data, verifier)
        block = base64.b64decode(a.session, validate=True)
    except (srp.BadClientValue, ValueError):
        return False
    return srp.claim_matches(key, a.app.pool.id, a.user.username, block, stamp, signature)


def _session_key(data: dict[str, Any], verifier: srp.Verifier) -> bytes:
    challenge = srp.ServerChallenge(int(data["b"], 16), int(data["B"], 16))
    return srp.session_key(int(data["A"], 16), challenge, verifier)


def _key_inputs(user_id: int, data: dict[str, Any], verifier: srp.Verifier) -> tuple[str, ...]:
    return (
        str(user_id),
        str(data.get("A")),
        str(data.get("b")),
        str(data.get("B")),
        verifier.dump(),
    )


def _fresh(stamp: str, now: float) -> bool:
    try:
        when = datetime.strptime(stamp, TIMESTAMP_FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return False
    return abs(when - now) <= CLOCK_SKEW_SECONDS
