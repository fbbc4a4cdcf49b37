"""ListUsers' ``Filter``: ``attr = "value"`` (exact) or ``attr ^= "value"`` (prefix), one attribute.

The filter becomes a SQL condition over the ``users`` table. Column expressions come from a fixed
table keyed by the searchable attribute, and the value is always a bound parameter. Prefixes are
compared with ``substr`` rather than ``LIKE`` so that ``%`` and ``_`` are literal and case counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mfa_portal.cognito_api import errors, messages

# Searchable attributes (spec §9) and the SQL expression each one reads.
SEARCHABLE: dict[str, str] = {
    "username": "username",
    "email": "json_extract(attributes, '$.email')",
    "phone_number": "json_extract(attributes, '$.phone_number')",
    "name": "json_extract(attributes, '$.name')",
    "given_name": "json_extract(attributes, '$.given_name')",
    "family_name": "json_extract(attributes, '$.family_name')",
    "preferred_username": "json_extract(attributes, '$.preferred_username')",
    "cognito:user_status": "status",
    "status": "CASE enabled WHEN 1 THEN 'Enabled' ELSE 'Disabled' END",
    "sub": "sub",
}
# cognito:user_status is case-insensitive in Cognito's documentation; the rest compare exactly.
_FOLDED = frozenset({"cognito:user_status"})

_GRAMMAR = re.compile(r'\s*([\w:]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*')
_UNESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class UserFilter:
    attribute: str
    prefix: bool
    value: str

    def sql(self) -> tuple[str, list[str | int]]:
        """A WHERE fragment and its parameters."""
        column = SEARCHABLE[self.attribute]
        value = self.value
        if self.attribute in _FOLDED:
            column, value = f"upper({column})", value.upper()
        if self.prefix:
            return f"substr({column}, 1, ?) = ?", [len(value), value]
        return f"{column} = ?", [value]


def parse_filter(text: str | None) -> UserFilter | None:
    """Parse ListUsers' Filter; None (list everyone) when it is absent or blank."""
    if text is None or not text.strip():
        return None
    match = _GRAMMAR.fullmatch(text)
    if match is None:
        raise errors.InvalidParameterException(messages.FILTER_PARSE_ERROR)
    name, operator, raw = match.groups()
    if name not in SEARCHABLE:
        raise errors.InvalidParameterException(messages.invalid_search_attribute(name, SEARCHABLE))
    return UserFilter(name, operator == "^=", _UNESCAPE.sub(r"\1", raw))
