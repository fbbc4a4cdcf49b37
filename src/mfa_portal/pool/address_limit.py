"""The pool endpoint's limit on failed password steps per client address.

The pool's lockout stops the guessing of one account. Anyone who knows the id of a public app client
(one without a secret: a browser or mobile app carries it in its code) can also post
``InitiateAuth`` to the endpoint directly, try one password on many accounts, or flood it with
made-up names; each step costs an argon2 hash or SRP's exponentiations. The sign-in page counts
failures per address (``admin.signin_limit``), but a caller that goes to the endpoint itself passes
around that page. So the endpoint keeps the same kind of count (``storage.address_limit``, in the
pool's ``address_limits`` table) for the password steps it serves:

- ``InitiateAuth`` with ``USER_PASSWORD_AUTH``, and ``RespondToAuthChallenge`` with
  ``PASSWORD_VERIFIER`` (SRP's proof), are admitted, and counted when they fail;
- ``InitiateAuth`` with ``USER_SRP_AUTH`` from an address at its limit is refused as well (it only
  starts the exchange, so it is not counted).

Not counted:
- calls signed with the pool's key pair (``AdminInitiateAuth``, ``AdminRespondToAuthChallenge``):
  the operator's own tools. The two operations above are public (never signed), and these are
  other operations, so they never reach this limit;
- clients with a secret: without the secret a call is refused before any hash, so only the
  application that holds it can cost one, and it signs its users in from its own address;
- callers whose address is not a public (global) one: loopback, private networks (RFC 1918, IPv6
  unique-local), link-local. Those are the operator's own machines: local tools and test suites,
  containers, and above all server-side applications (a portal on another host, a backend) that
  sign many users in from one address and would be stopped by their users' typos. Behind a proxy the
  caller's address comes from ``X-Forwarded-For`` when the proxy is trusted, so a browser on the
  internet is counted by its own address.

A refused step answers ``TooManyRequestsException``, before the pool reads anything about the user.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from mfa_portal import security_events
from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_client
from mfa_portal.storage.address_limit import MAX_FAILURES, AddressLimit, parse_address

TABLE = "address_limits"

#: What a failed password step answers: a wrong password or proof, a name that is no user, an
#: account locked or disabled, a made-up or spent SRP session.
FAILURES = frozenset({"NotAuthorizedException", "UserNotFoundException"})

#: The operations a password step comes in (``_step_of`` says which calls of them are one).
OPERATIONS = frozenset({"InitiateAuth", "RespondToAuthChallenge"})
_CHECKED, _STARTED = "checked", "started"


def _step_of(operation: str, params: dict[str, Any]) -> str | None:
    """``_CHECKED`` for a step that checks a password, ``_STARTED`` for an SRP start, else None."""
    if operation == "InitiateAuth":
        flow = params.get("AuthFlow")
        if flow == "USER_PASSWORD_AUTH":
            return _CHECKED
        if flow == "USER_SRP_AUTH":
            return _STARTED
    elif operation == "RespondToAuthChallenge" and params.get("ChallengeName") == (
        "PASSWORD_VERIFIER"
    ):
        return _CHECKED
    return None


def is_counted(source: str) -> bool:
    """Whether failures from ``source`` count: a public address (an IPv4 address written as IPv6
    is judged as IPv4); not loopback, a private network, link-local, or no address at all (a unix
    socket)."""
    address = parse_address(source)
    return address is not None and address.is_global


class PasswordStepLimit:
    """Admits, refuses and counts the endpoint's password steps (see the module's docstring)."""

    def __init__(
        self,
        engine: Engine,
        max_failures: int = MAX_FAILURES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self.counts = AddressLimit(engine.db, TABLE, clock, max_failures)

    def call(
        self,
        run: Callable[[], dict[str, Any]],
        operation: str,
        params: dict[str, Any],
        source_ip: str,
    ) -> dict[str, Any]:
        """``run()`` (the engine call), unless ``source_ip`` is at its limit; a failed password
        step is counted. Runs on a call thread: it reads and writes the pool's database."""
        step = _step_of(operation, params) if self.counts.enabled else None
        if step is None or not is_counted(source_ip) or not self._public_client(params):
            return run()
        if step == _STARTED:  # not a guess: refused at the limit, never counted
            if not self.counts.check(source_ip).allowed:
                raise errors.TooManyRequestsException(messages.ADDRESS_LIMITED)
            return run()
        if not self.counts.admit(source_ip).allowed:
            raise errors.TooManyRequestsException(messages.ADDRESS_LIMITED)
        failed = False
        try:
            return run()
        except errors.CognitoError as exc:
            failed = exc.code in FAILURES
            raise
        finally:
            reached = self.counts.settle(source_ip, failed=failed)
            if reached is not None:
                security_events.emit(
                    "sign-in.address-limited",
                    logging.WARNING,
                    ip=reached.source,
                    via="cognito-endpoint",
                    failures=reached.failures,
                    outcome="refused",
                    reason=f"{reached.failures} failed password steps; refused until "
                    + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(reached.until)),
                )

    def _public_client(self, params: dict[str, Any]) -> bool:
        """Whether ``ClientId`` names an app client without a secret (an unknown one is refused
        by the engine at once, without a hash: nothing to count)."""
        client_id = params.get("ClientId")
        if not isinstance(client_id, str):
            return False
        with self._engine.db.single_statements() as conn:
            try:
                client = load_client(conn, client_id)
            except errors.ResourceNotFoundException:
                return False
        return not client.secret
