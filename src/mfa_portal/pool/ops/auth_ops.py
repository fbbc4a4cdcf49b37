"""InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge.

Thin handlers: resolve the pool and client, then run the shared steps in ``pool.sign_in``. The admin
forms differ only in naming the pool (the client must belong to it) and in the flows they accept.
"""

from __future__ import annotations

from mfa_portal.pool import challenge_answers, delivery, sign_in
from mfa_portal.pool.context import Context
from mfa_portal.pool.registry import Params, Result, operation


@operation("InitiateAuth")
def initiate_auth(ctx: Context, p: Params) -> Result:
    app = sign_in.resolve_app(ctx, p["ClientId"])
    outcome = sign_in.initiate(ctx, app, p["AuthFlow"], p.get("AuthParameters") or {}, admin=False)
    return delivery.deliver(ctx, outcome)


@operation("AdminInitiateAuth")
def admin_initiate_auth(ctx: Context, p: Params) -> Result:
    app = sign_in.resolve_app(ctx, p["ClientId"], p["UserPoolId"])
    outcome = sign_in.initiate(ctx, app, p["AuthFlow"], p.get("AuthParameters") or {}, admin=True)
    return delivery.deliver(ctx, outcome)


@operation("RespondToAuthChallenge")
def respond_to_auth_challenge(ctx: Context, p: Params) -> Result:
    app = sign_in.resolve_app(ctx, p["ClientId"])
    outcome = challenge_answers.respond(
        ctx, app, p["ChallengeName"], p.get("Session"), p.get("ChallengeResponses") or {}
    )
    return delivery.deliver(ctx, outcome)


@operation("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(ctx: Context, p: Params) -> Result:
    app = sign_in.resolve_app(ctx, p["ClientId"], p["UserPoolId"])
    outcome = challenge_answers.respond(
        ctx, app, p["ChallengeName"], p.get("Session"), p.get("ChallengeResponses") or {}
    )
    return delivery.deliver(ctx, outcome)
