"""Temporary passwords that Cognito's default password policy accepts.

The portal's first start, the support console and the embedded pool's AdminCreateUser and
AdminResetUserPassword all hand out a temporary password; they share this one generator so a change
to the alphabet or the length rules happens in one place. Randomness is passed in (the pool injects
its own CSPRNG so tests can replay it).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable

#: Cognito's default policy: 8 characters with an uppercase, a lowercase, a digit and a symbol.
DEFAULT_MINIMUM_LENGTH = 8
#: Symbols from Cognito's set that survive copy and paste from an e-mail (no quotes, spaces or
#: brackets).
GENERATED_SYMBOLS = "!#%*+-=?@^_~"
CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, GENERATED_SYMBOLS)


def _index(random_bytes: Callable[[int], bytes], n: int) -> int:
    """A uniform integer in ``[0, n)`` (``0 < n <= 256``), by rejection sampling of random bytes."""
    limit = 256 - 256 % n
    while True:
        for byte in random_bytes(4):
            if byte < limit:
                return byte % n


def temporary_password(
    random_bytes: Callable[[int], bytes] = secrets.token_bytes, *, length: int = 16
) -> str:
    """``length`` characters (at least 8) with every character class present, in random places."""
    chars = [alphabet[_index(random_bytes, len(alphabet))] for alphabet in CLASSES]
    everything = "".join(CLASSES)
    size = max(length, DEFAULT_MINIMUM_LENGTH)
    chars += [everything[_index(random_bytes, len(everything))] for _ in range(size - len(chars))]
    # Fisher-Yates with the same unbiased picker, so the class positions are not predictable.
    for i in range(len(chars) - 1, 0, -1):
        j = _index(random_bytes, i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)
