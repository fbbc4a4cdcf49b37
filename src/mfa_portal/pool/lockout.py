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

The functions mutate the ``User``; the caller saves it (``users.save_user``) in the same transaction,
and on a failure commits that write before raising (``storage.CommitThenRaise``).
"""

from __future__ import annotations

from dataclasses import dataclass

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool.users import User


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

    def check_not_locked(self, user: User, now: float) -> None:
        if now < user.locked_until:
            raise errors.NotAuthorizedException(messages.PASSWORD_ATTEMPTS_EXCEEDED)

    def record_failure(self, user: User, now: float) -> None:
        if user.failed_attempts and now - user.last_failure >= self.idle_reset_seconds:
            user.failed_attempts = 0
        user.failed_attempts += 1
        user.last_failure = now
        lock = self.lock_seconds(user.failed_attempts)
        user.locked_until = now + lock if lock else 0.0

    def record_success(self, user: User) -> None:
        user.failed_attempts = 0
        user.last_failure = 0.0
        user.locked_until = 0.0


COGNITO = Throttle()


def check_not_locked(user: User, now: float) -> None:
    """Raise NotAuthorizedException("Password attempts exceeded") while ``user`` is locked out."""
    COGNITO.check_not_locked(user, now)


def record_failure(user: User, now: float) -> None:
    """Count one wrong password or code at ``now``; may lock the user."""
    COGNITO.record_failure(user, now)


def record_success(user: User) -> None:
    """Forget past failures (call when the sign-in completes)."""
    COGNITO.record_success(user)
