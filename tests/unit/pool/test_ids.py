"""Identifiers: the hand-made UUID text is exactly what ``uuid.UUID`` makes of the same bytes."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from mfa_portal.pool.ids import uuid4_text


@given(st.binary(min_size=16, max_size=16))
def test_uuid4_text_is_the_standard_version_4_uuid_of_the_bytes(raw: bytes) -> None:
    assert uuid4_text(raw) == str(uuid.UUID(bytes=raw, version=4))


def test_every_variant_digit_and_the_extremes() -> None:
    for raw in (bytes(16), b"\xff" * 16, *(bytes([0] * 8 + [b] + [0] * 7) for b in range(256))):
        assert uuid4_text(raw) == str(uuid.UUID(bytes=raw, version=4))
