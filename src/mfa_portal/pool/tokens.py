"""PLACEHOLDER until the tokens module lands."""

from __future__ import annotations

from pathlib import Path


class TokenSigner:
    @classmethod
    def from_data_dir(cls, data_dir: Path) -> TokenSigner:
        return cls()
