"""RSA key generation is the slowest part of a fresh Engine; tests reuse a small pool of keys.

Keys are handed out round-robin from six generated once per process, so two data directories in one
test still get different keys and an ID key never equals its access key.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

_real_generate = rsa.generate_private_key
_lock = threading.Lock()
_keys: list[rsa.RSAPrivateKey] = []
_cycle: Iterator[rsa.RSAPrivateKey] | None = None


def cached_generate_private_key(
    public_exponent: int, key_size: int, *args: Any, **kwargs: Any
) -> rsa.RSAPrivateKey:
    global _cycle
    with _lock:
        if _cycle is None:
            _keys.extend(_real_generate(public_exponent, key_size) for _ in range(6))
            _cycle = itertools.cycle(_keys)
        return next(_cycle)
