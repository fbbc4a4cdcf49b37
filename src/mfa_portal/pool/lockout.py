"""Cognito's per-user lockout (spec §4.7), one policy for passwords and every MFA code.

"After five failed sign-in attempts … Amazon Cognito locks out your user for one second … doubles …
up to a maximum of approximately 15 minutes", i.e. after the n-th consecutive failure (n ≥ 5) the user
is locked for 2^(n-5) seconds, at most 900. MFA codes count into the same counter ("After five
unsuccessful attempts to present an MFA code, Amazon Cognito begins the exponential-timeout lockout
process"), so re-entering the password cannot buy fresh code guesses. The counter resets after a
successful sign-in (tokens issued, not merely a correct password) or 15 minutes without a failure.
While locked, every attempt fails with "Password attempts exceeded" — a correct password or code too —
and does not extend the lock. Waiting out the 900-second cap is itself 15 idle minutes, so the count
then starts over: an attacker gets at most about 28 guesses an hour (ASVS 2.2.1 asks for ≤ 100).

Every password and code check goes through one guard (``guard``, or ``Throttle.guard`` for a counter
that is not a user row): it refuses while locked, counts a failure and commits that count before the
Cognito error propagates (``storage.CommitThenRaise``), and forgets the failures on success where the
caller says so. A new entry point cannot forget a step of the policy by calling it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.pool.users import User, save_user
from mfa_portal.storage import Connection


class Counted(Protocol):
    """What the policy keeps per subject: a user row, or a name that is not a user."""

    failed_attempts: int
    last_failure: float
    locked_until: float


@dataclass(frozen=True)
class Throttle:
    free_failures: int = 5
    max_lock_seconds: float = 900.0
    idle_reset_seconds: float = 900.0

    def lock_seconds(self, failures: int) -> float:
        """How long the n-th consecutive failure locks the user (0 before the fifth)."""
        if failures < self.free_failures:
            return 0.0
        exponent = failures - self.free_failures
        if exponent >= 10:  # 2**10 > 900: avoid huge integers for absurd counts
            return self.max_lock_seconds
        return float(min(2**exponent, self.max_lock_seconds))

    def guard(
        self,
        subject: Counted,
        now: float,
        accepted: Callable[[], bool],
        refusal: errors.CognitoError,
        *,
        save: Callable[[], None],
        on_failure: Callable[[], None] | None = None,
        on_locked: Callable[[], None] | None = None,
        reset: bool = False,
    ) -> None:
        """Run one password or code check under the policy; return only when it passed.

        Locked: "Password attempts exceeded", even for a right answer, and nothing is counted.
        ``accepted`` may raise a Cognito error of its own, which is not counted. A wrong answer is
        counted and saved with ``save`` (then ``on_failure`` runs, in the same transaction; a
        locked refusal runs ``on_locked``), and
        the caller's transaction commits before ``refusal`` reaches the client. ``reset`` forgets
        past failures on success; steps that do not finish a sign-in (a right password before an
        MFA challenge, ChangePassword) leave them, so they cannot buy fresh code guesses.
        """
        try:
            self.check_not_locked(subject, now)
        except errors.NotAuthorizedException:
            if on_locked is not None:
                on_locked()
            raise
        if not accepted():
            self.record_failure(subject, now)
            save()
            if on_failure is not None:
                on_failure()
            raise CommitThenRaise(refusal)
        if reset:
            self.record_success(subject)

    def check_not_locked(self, user: Counted, now: float) -> None:
        if now < user.locked_until:
            raise errors.NotAuthorizedException(messages.PASSWORD_ATTEMPTS_EXCEEDED)

    def record_failure(self, user: Counted, now: float) -> None:
        if user.failed_attempts and now - user.last_failure >= self.idle_reset_seconds:
            user.failed_attempts = 0
        user.failed_attempts += 1
        user.last_failure = now
        lock = self.lock_seconds(user.failed_attempts)
        user.locked_until = now + lock if lock else 0.0

    def record_success(self, user: Counted) -> None:
        user.failed_attempts = 0
        user.last_failure = 0.0
        user.locked_until = 0.0


COGNITO = Throttle()


def guard(
    conn: Connection,
    user: User,
    now: float,
    accepted: Callable[[], bool],
    refusal: errors.CognitoError,
    *,
    on_failure: Callable[[], None] | None = None,
    on_locked: Callable[[], None] | None = None,
    reset: bool = False,
) -> None:
    """``COGNITO.guard`` for a user row, saved with ``save_user`` in the caller's transaction."""
    COGNITO.guard(
        user,
        now,
        accepted,
        refusal,
        save=lambda: save_user(conn, user, now),
        on_failure=on_failure,
        on_locked=on_locked,
        reset=reset,
    )


def record_success(user: User) -> None:
    """Forget past failures (call when the sign-in completes)."""
    COGNITO.record_success(user)
