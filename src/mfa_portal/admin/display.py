"""How support sees user-supplied text: control characters escaped, look-alike names marked.

Usernames, attributes and audit reasons come from users and from anonymous visitors of /recover.
Printed raw, an ESC sequence rewrites the operator's terminal and a bidi override reorders what
they read; a name like ``аdmin`` (Cyrillic а) or ``ａdmin`` (fullwidth) looks like ``admin``.
The CLI and the console both show text through this module, so both show the same thing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: The marker beside a name with any non-ASCII character.
LOOKALIKE = "look-alike/non-ASCII"

# Cc: C0/C1 controls and DEL; Cf: bidi overrides and isolates, zero-width characters;
# Zl/Zp: line and paragraph separators; Cs: lone surrogates.
_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape_controls(text: str) -> str:
    """``text`` with every control, format or separator character written as ``\\x1b``, ``\\u202e``…"""
    return "".join(_escape(c) if unicodedata.category(c) in _UNSAFE else c for c in text)


def ascii_form(text: str) -> str:
    """``text`` in printable ASCII only, e.g. ``\\u0430dmin`` for the Cyrillic-a ``аdmin``."""
    return "".join(c if " " <= c <= "~" else _escape(c) for c in text)


@dataclass(frozen=True)
class Shown:
    """A piece of user text ready to show: ``text`` is safe to print; ``escaped`` only when needed."""

    text: str
    escaped: str | None

    @property
    def lookalike(self) -> bool:
        return self.escaped is not None

    marker = LOOKALIKE

    def __str__(self) -> str:
        if self.escaped is None:
            return self.text
        return f"{self.text} [{LOOKALIKE}: {self.escaped}]"


def shown(text: str) -> Shown:
    """A name as support must see it: controls escaped, and marked when it is not plain ASCII."""
    escaped = None if text.isascii() else ascii_form(text)
    return Shown(escape_controls(text), escaped)


def safe(text: str) -> str:
    """Free text (attribute values, reasons, details): control characters escaped, nothing marked."""
    return escape_controls(text)
