"""Patterns matched without the time budget (one character class) still refuse what they refuse."""

from __future__ import annotations

import pytest

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool.validate import MAX_TOKEN_CHARS, validate_input

TOKEN_PATTERN = "[A-Za-z0-9-_=.]+"


@pytest.mark.parametrize("token", ["with space", "new\nline", "ünicode", "a" * 4000 + "!"])
def test_a_token_outside_its_class_is_refused_without_echoing_it(token: str) -> None:
    with pytest.raises(CognitoError) as info:
        validate_input("GetUser", {"AccessToken": token})
    assert info.value.code == "InvalidParameterException"
    assert f"Member must satisfy regular expression pattern: {TOKEN_PATTERN}" in info.value.message
    assert token[:8] not in info.value.message  # a token is never shown


@pytest.mark.parametrize("token", ["eyJ.abc-_=.x", "a" * MAX_TOKEN_CHARS])
def test_a_token_inside_its_class_passes(token: str) -> None:
    validate_input("GetUser", {"AccessToken": token})
