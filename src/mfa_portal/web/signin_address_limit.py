"""The sign-in page's side of ``admin.signin_limit``: which refusals count, and what is said.

A refusal counts when the password step itself failed: a wrong password, a name that is no user, an
attempt on a locked or disabled account (the kinds the audit trail records, ``signin_failures``).
Anything else (an expired temporary password, a pool that is unavailable) releases the step
uncounted. When an address reaches the limit, the security log and the audit trail say so once per
window; the refusals after it are not logged one by one, so a flood cannot flood the log too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request

from mfa_portal.admin.audit import FAILED, utc_iso
from mfa_portal.admin.signin_audit import ACTOR, PREFIX, REASON
from mfa_portal.admin.signin_limit import Admission, Reached
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.security_events import emit
from mfa_portal.web.deps import client_address
from mfa_portal.web.portal import get_portal
from mfa_portal.web.signin_failures import password_failure_kind

log = logging.getLogger("mfa_portal.web")

LIMITED_ACTION = PREFIX + "address-limited"  # the audit trail's action when an address is stopped


_warned_untrusted_proxy = False


def source(request: Request) -> str:
    return client_address(request) or ""


def admit(request: Request) -> Admission:
    """May this visitor's address try a password now? (Always, when the limit is off.)"""
    limit = get_portal(request).support.signin_limit
    if limit is None or not limit.enabled:
        return Admission(True)
    _warn_if_behind_an_untrusted_proxy(request)
    return limit.admit(source(request))


def _warn_if_behind_an_untrusted_proxy(request: Request) -> None:
    """Once per process: a request names a client in ``X-Forwarded-For`` that the server did not
    take (its proxy is not in ``FORWARDED_ALLOW_IPS``), so every visitor behind that proxy shares
    its address, and one guesser can stop them all."""
    global _warned_untrusted_proxy
    forwarded = request.headers.get("x-forwarded-for")
    if _warned_untrusted_proxy or not forwarded:
        return
    named = {entry.strip() for entry in forwarded.split(",")}
    peer = source(request)
    if peer not in named:  # taken, the server's client would be one of them
        _warned_untrusted_proxy = True
        log.warning(
            "sign-in requests come through a proxy at %s that is not trusted (FORWARDED_ALLOW_IPS):"
            " its X-Forwarded-For is ignored, so the limit on failed sign-ins per address counts "
            "every visitor behind it as one",
            peer,
        )


def settle(request: Request, refusal: CognitoError | None) -> None:
    """After a password step ``admit`` allowed: ``refusal`` is the pool's error, None on success."""
    portal = get_portal(request)
    limit = portal.support.signin_limit
    if limit is None:
        return
    failed = refusal is not None and password_failure_kind(refusal) is not None
    reached = limit.settle(source(request), failed=failed)
    if reached is not None:
        _report(request, reached)


def _report(request: Request, reached: Reached) -> None:
    where = reached.source or "an unknown address"
    emit(
        "sign-in.address-limited",
        logging.WARNING,
        ip=reached.source,
        outcome="failure",
        failures=reached.failures,
        until=utc_iso(reached.until),
    )
    detail = (
        f"{reached.failures} failed password steps from {where} between {utc_iso(reached.first)} "
        f"and {utc_iso(reached.last)}; further sign-ins from this address refused until "
        f"{utc_iso(reached.until)}"
    )
    try:
        get_portal(request).support.audit.append(
            actor=ACTOR,
            target="-",
            action=LIMITED_ACTION,
            reason=REASON,
            outcome=FAILED,
            detail=detail,
            source=reached.source,
        )
    except Exception:  # the trail must never stop the page from answering
        log.exception("could not record an address's sign-in limit in the audit trail")


@contextmanager
def password_step(request: Request) -> Iterator[None]:
    """Around a password step ``admit`` allowed: settles it however it ends (an exception other than
    the pool's refusal releases the step uncounted)."""
    try:
        yield
    except CognitoError as exc:
        settle(request, exc)
        raise
    except BaseException:
        settle(request, None)
        raise
    settle(request, None)
