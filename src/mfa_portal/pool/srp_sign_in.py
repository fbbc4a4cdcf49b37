"""USER_SRP_AUTH: the password proven without sending it, then the same steps as a password sign-in.

``start`` answers InitiateAuth/AdminInitiateAuth with the PASSWORD_VERIFIER challenge; the SDKs send
back the claim with ``PASSWORD_CLAIM_SECRET_BLOCK`` (usually without ``Session``), so the secret
block *is* the session string. ``answer`` checks the claim, spends the session whatever the result,
counts a wrong claim into the same lockout as a wrong password, and then continues exactly like
``password_sign_in`` (new password, MFA challenge or tokens).

An unknown user (on clients that prevent user-existence errors) or a user without a verifier yet
gets a challenge that looks the same and fails at the claim with the wrong-password error, so the
two steps never tell who has an account.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag

from mfa_portal.cognito_api import errors, messages
from mfa_portal.cognito_api.srp import TIMESTAMP_FORMAT
from mfa_portal.pool import srp
from mfa_portal.pool.auth_sessions import SessionStage, create_session, peek_session
from mfa_portal.pool.context import Context
from mfa_portal.pool.flow_types import Answer, App, Outcome, required
from mfa_portal.pool.secret_hash import check_secret_hash
from mfa_portal.pool.srp_store import decoy_verifier, load_verifier
from mfa_portal.pool.users import find_user
from mfa_portal.storage import Connection

log = logging.getLogger("mfa_portal.pool.sign_in")

CHALLENGE = "PASSWORD_VERIFIER"
CLOCK_SKEW_SECONDS = 300  # how far TIMESTAMP may be from the pool's clock


def start(ctx: Context, app: App, params: dict[str, Any]) -> Outcome:
    """The PASSWORD_VERIFIER challenge. Its exponentiation runs before the transaction that stores
    the session, on the user and verifier read a moment before; that transaction reads them again
    and computes the challenge there only if they changed meanwhile. An unknown name writes
    nothing."""
    username = required(params, "USERNAME")
    srp_a = required(params, "SRP_A")
    check_secret_hash(app.client, [username], params.get("SECRET_HASH"))
    try:
        big_a = srp.parse_a(srp_a)
    except srp.BadClientValue:
        raise errors.InvalidParameterException(messages.BAD_SRP_A) from None
    with ctx.single_statements() as conn:
        seen = find_user(conn, app.pool, username)
        seen_verifier = load_verifier(ctx, conn, seen.id) if seen is not None else None
    if seen is None:
        return _unknown(ctx, app, username)
    offered = seen_verifier or decoy_verifier(ctx)  # a user without one yet is offered a decoy's
    challenge = _server_challenge(ctx, offered)
    with ctx.tx() as conn:
        user = find_user(conn, app.pool, username)
        verifier = load_verifier(ctx, conn, user.id) if user is not None else None
        if user is None or user.id != seen.id:  # deleted or replaced meanwhile: as if unknown
            return _unknown(ctx, app, username)
        if verifier != seen_verifier:  # a password set meanwhile
            offered = verifier or decoy_verifier(ctx)
            challenge = _server_challenge(ctx, offered)
        block = base64.b64encode(ctx.random_bytes(SECRET_BLOCK_BYTES)).decode()
        data = {
            "A": format(big_a, "x"),
            "b": ctx.engine.seal.seal(format(challenge.b, "x"), context=f"srp-b:{user.id}"),
            "B": format(challenge.big_b, "x"),
            "ready": verifier is not None,
        }
        create_session(
            ctx,
            conn,
            pool_id=app.pool.id,
            client_id=app.client.id,
            user_id=user.id,
            stage=SessionStage.SRP_STARTED,
            challenge=CHALLENGE,
            ttl_seconds=app.client.auth_session_seconds,
            data=data,
            token=block,
        )
    return _challenge(user.username, offered.salt, block, challenge)


def _unknown(ctx: Context, app: App, username: str) -> Outcome:
    """No such user: UserNotFoundException, or where the client prevents user-existence errors a
    challenge like anyone's, made from a decoy verifier, whose claim then fails."""
    if not app.client.prevent_user_existence_errors:
        log.info("SRP sign-in refused in %s: unknown user", app.pool.id)
        raise errors.UserNotFoundException(messages.USER_NOT_FOUND)
    block = _decoy_block(ctx, app.pool.id, username)
    decoy = decoy_verifier(ctx)
    return _challenge(username, decoy.salt, block, _server_challenge(ctx, decoy))


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


SECRET_BLOCK_BYTES = 288


def _decoy_block(ctx: Context, pool_id: str, name: str) -> str:
    """A secret block for a name that is no user: the name sealed inside, padded to the length of
    a real block, so the second step can count the failure against the name (as for a user)."""
    sealed = ctx.engine.seal.seal(name, context=f"srp-decoy:{pool_id}").encode()
    if len(sealed) >= SECRET_BLOCK_BYTES:  # an absurdly long name: nothing to count it by
        return base64.b64encode(ctx.random_bytes(SECRET_BLOCK_BYTES)).decode()
    padding = ctx.random_bytes(SECRET_BLOCK_BYTES - len(sealed) - 1)
    return base64.b64encode(sealed + b"\x00" + padding).decode()


def decoy_name(ctx: Context, pool_id: str, block: str) -> str | None:
    """The name a decoy block was made for, or None for anything else (forged, real, damaged)."""
    try:
        raw = base64.b64decode(block, validate=True)
        sealed = raw.split(b"\x00", 1)[0].decode("ascii")
        return ctx.engine.seal.open(sealed, context=f"srp-decoy:{pool_id}")
    except (ValueError, UnicodeDecodeError, InvalidTag):
        return None


def prepare_key(ctx: Context, block: str) -> srp.PreparedKey | None:
    """Before the answer's transaction: the session key of the challenge ``block`` names, from that
    challenge and the user's verifier as they are now, so that the transaction does not hold the
    write lock for its exponentiations. None when there is nothing to compute. The transaction
    judges everything again, and takes the key only if what it was computed from is unchanged."""
    with ctx.single_statements() as conn:
        found = peek_session(conn, block)
        if found is None or not found[1].get("ready"):
            return None
        user_id, data = found
        verifier = load_verifier(ctx, conn, user_id)
    if verifier is None:
        return None
    try:
        key = _session_key(ctx, user_id, data, verifier)
    except (srp.BadClientValue, ValueError, KeyError, InvalidTag):
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
            key = _session_key(ctx, a.user.id, a.found.data, verifier)
        block = base64.b64decode(a.session, validate=True)
    except (srp.BadClientValue, ValueError):
        return False
    return srp.claim_matches(key, a.app.pool.id, a.user.username, block, stamp, signature)


def _session_key(ctx: Context, user_id: int, data: dict[str, Any], verifier: srp.Verifier) -> bytes:
    b = int(ctx.engine.seal.open(data["b"], context=f"srp-b:{user_id}"), 16)
    challenge = srp.ServerChallenge(b, int(data["B"], 16))
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
