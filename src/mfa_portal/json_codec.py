"""JSON on the hot paths: orjson where it gives the standard library's answer, ``json`` otherwise.

orjson parses and writes several times faster than the standard library, and every Cognito call
parses its request and writes its answer. For almost every document the two agree exactly. Where
they do not, the standard library decides, so callers get exactly its results and its errors:

- a number of 19 digits or more (orjson turns an integer past 64 bits into a float): the standard
  library parses any document that contains such a run of digits;
- deep nesting (orjson goes 1,024 levels deep, the standard library stops near 1,000 with the
  error a caller may report): the standard library parses any document with more than
  ``MAX_FAST_BRACKETS`` opening brackets, far more than any Cognito request holds;
- anything orjson refuses (a lone surrogate escape, a number beyond a float, ``NaN``, deep nesting,
  bad UTF-8): parsed again by the caller's standard-library parser, which accepts or refuses it
  with the error the caller already gives;
- a value orjson cannot write (say, a dictionary with non-string keys): written by ``json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import orjson

_LONG_NUMBER = re.compile(rb"\d{19}")
MAX_FAST_BRACKETS = 64


def loads(data: bytes, standard: Callable[[bytes], Any]) -> Any:
    """``data`` parsed by orjson, or by ``standard`` wherever orjson might answer differently."""
    brackets = data.count(b"[") + data.count(b"{")
    if brackets <= MAX_FAST_BRACKETS and not _LONG_NUMBER.search(data):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return standard(data)


def loads_text(text: str) -> Any:
    """A JSON document this program wrote (a stored column): orjson, else the standard library."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON with the values ``json.dumps(separators=(",", ":"), ensure_ascii=False)``
    writes (a float may be spelled differently: ``1e-7`` for ``1e-07``)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
