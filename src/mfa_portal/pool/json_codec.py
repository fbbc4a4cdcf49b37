"""JSON on the hot paths: orjson where it gives the standard library's answer, ``json`` otherwise.

orjson parses and writes several times faster than the standard library, and every Cognito call
parses its request and writes its answer. For almost every document the two agree exactly. Where
they do not, the standard library decides, so callers get exactly its results and its errors:

- a float anywhere in orjson's answer (it turns an integer past 64 bits into a float, where the
  standard library keeps the integer): no Cognito request holds a float, so such a document is
  parsed again by the standard library;
- deep nesting (orjson goes 1,024 levels deep, the standard library stops near 1,000 with an error
  a caller may report): anything nested more than ``MAX_FAST_DEPTH`` levels is parsed again too;
- anything orjson refuses (a lone surrogate escape, a number beyond a float, ``NaN``, deep nesting,
  bad UTF-8): parsed again by the caller's standard-library parser, which accepts or refuses it
  with the error the caller already gives;
- a value orjson cannot write (say, a dictionary with non-string keys): written by ``json``; one
  holding a string that is not Unicode (a lone surrogate) with ``\\u`` escapes, so writing never
  fails on a string.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

MAX_FAST_DEPTH = 32


def loads(data: bytes, standard: Callable[[bytes], Any]) -> Any:
    """``data`` parsed by orjson, or by ``standard`` wherever orjson might answer differently."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return standard(data)
    return value if _plain(value, 0) else standard(data)


def _plain(value: Any, depth: int) -> bool:
    """No float anywhere and no deeper than ``MAX_FAST_DEPTH``: orjson's answer is the standard
    library's. (Checks the parsed value, a few entries for a request, not the bytes.)"""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind is not float
    if depth == MAX_FAST_DEPTH:
        return False
    for item in items:
        kind = type(item)
        if kind is str or kind is int or kind is bool or item is None:
            continue
        if not _plain(item, depth + 1):
            return False
    return True


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
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":")).encode()
