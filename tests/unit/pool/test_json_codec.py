"""The fast JSON codec answers exactly as the standard library does: same values of the same types,
same refusals, for well-formed and hostile documents alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mfa_portal.pool import json_codec

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def standard(data: bytes) -> Any:
    try:
        return ("ok", json.loads(data.decode("utf-8")))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return ("refused", type(exc).__name__)


def typed(value: Any) -> Any:
    """``value`` with every number's type beside it (1 and 1.0 and True are all equal in Python)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


def fast(data: bytes) -> Any:
    answer = json_codec.loads(data, standard)
    return answer if isinstance(answer, tuple) else ("ok", answer)


@given(json_values, st.booleans())
def test_any_document_parses_to_the_same_values_of_the_same_types(
    value: Any, ascii_only: bool
) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only).encode()
    expected, got = standard(data), fast(data)
    assert got[0] == expected[0] == "ok"
    assert typed(got[1]) == typed(expected[1])


@given(st.binary(max_size=64))
def test_any_bytes_are_accepted_or_refused_as_the_standard_library_does(data: bytes) -> None:
    expected, got = standard(data), fast(data)
    assert got[0] == expected[0]
    if got[0] == "ok":
        assert typed(got[1]) == typed(expected[1])


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 123456789012345678901234567890}',  # orjson: a float; the standard library: an int
        b'{"a": 18446744073709551616}',
        b'{"a": "\\ud800"}',  # a lone surrogate: accepted by the standard library only
        b'{"a": 1e400}',  # infinity, from the standard library
        b'{"a": NaN}',
        b'{"a": "\xff"}',
        b"\xef\xbb\xbf{}",
        b"[" * 200 + b"]" * 200,  # deeper than orjson's fast path is trusted with
        b"[" * 1000 + b"]" * 1000,  # past the standard library's depth: refused by it
        b'{"a": 1} trailing',
    ],
)
def test_where_orjson_differs_the_standard_library_decides(data: bytes) -> None:
    expected, got = standard(data), fast(data)
    if expected[0] == "ok":
        assert got[0] == "ok" and typed(got[1]) == typed(expected[1])
    else:
        assert got == expected


@given(json_values)
def test_written_documents_read_back_to_the_same_values(value: Any) -> None:
    assert typed(json.loads(json_codec.dumps(value))) == typed(value)


def test_written_documents_are_compact_utf8() -> None:
    answer = {"Username": "zoë", "UserAttributes": [{"Name": "sub", "Value": "x"}], "n": 1.5}
    assert json_codec.dumps(answer) == json.dumps(
        answer, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def test_what_orjson_cannot_write_is_written_by_the_standard_library() -> None:
    assert json_codec.dumps({1: "a", "b": [2.5, None]}) == b'{"1":"a","b":[2.5,null]}'
    assert json_codec.dumps({"é": "\u2028"}) == '{"é":"\u2028"}'.encode()


@pytest.mark.parametrize(
    "value",
    [
        {"message": "Value '\ud800' at 'authFlow' failed"},
        {"\udfff": ["ok", "\ud83d"]},
    ],
)
def test_a_string_that_is_not_unicode_is_still_written_as_json(value: Any) -> None:
    written = json_codec.dumps(value)
    assert b"\\ud" in written  # escaped, so the bytes are valid UTF-8
    assert json.loads(written.decode("utf-8")) == value
