"""Binding the keys kept outside the pool database to it, so a lost or different key stops the start.

The seed key and the two token signing keys live in files (or the environment); what they protect
lives in the database. A new seed key over existing sealed seeds makes every enrolled user's correct
code fail; new signing keys silently void every issued token. So the database keeps a check value of
each key (for the seed key a known plaintext sealed under it, for a signing key its ``kid``), written
in the transaction that first uses the key, and a start with a missing, empty, damaged or different
key refuses with one line. Keys are created only for an empty store (no pool, no check values).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag

from mfa_portal.pool.secretbox import RESTORE_HINT, SecretBox
from mfa_portal.pool.storage import Database
from mfa_portal.pool.tokens import KEY_FILES, TokenSigner, TokenUse, restore_hint
from mfa_portal.sqlite import StartupError

SEED_CHECK = "seed_key_check"
SEED_CHECK_PLAINTEXT = "mfa-portal seed key check"
SEED_CHECK_CONTEXT = "meta:seed-key"
KID_CHECKS: dict[TokenUse, str] = {"id": "id_token_kid", "access": "access_token_kid"}


@dataclass(frozen=True)
class BoundKeys:
    seal: SecretBox
    signer: TokenSigner
    was_empty: bool  # no pool existed when the store was opened (a first start)


def bind_keys(db: Database, data_dir: Path, env: Mapping[str, str] | None = None) -> BoundKeys:
    """Load the keys (creating them only for an empty store) and check them against the database."""
    env = os.environ if env is None else env
    with db.read() as conn:
        has_checks = conn.execute("SELECT EXISTS (SELECT 1 FROM meta)").fetchone()[0]
        empty = not conn.execute("SELECT EXISTS (SELECT 1 FROM pools)").fetchone()[0]
    fresh = empty and not has_checks
    box, source = SecretBox.load(data_dir, env, may_create=fresh)
    signer = TokenSigner.from_data_dir(data_dir, env, may_create=fresh)
    with db.transaction() as conn:
        stored = {row[0]: row[1] for row in conn.execute("SELECT name, value FROM meta")}
        if SEED_CHECK in stored:
            if not _opens(box, stored[SEED_CHECK], SEED_CHECK_CONTEXT, SEED_CHECK_PLAINTEXT):
                raise StartupError(_wrong_seed_key(source, db))
        else:  # a database from before the check values: try one of its sealed seeds instead
            sample = conn.execute(
                "SELECT user_id, COALESCE(secret, pending_secret) FROM software_tokens "
                "WHERE COALESCE(secret, pending_secret) IS NOT NULL LIMIT 1"
            ).fetchone()
            if sample is not None and not _opens(box, sample[1], f"totp:{sample[0]}"):
                raise StartupError(_wrong_seed_key(source, db))
            conn.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?)",
                (SEED_CHECK, box.seal(SEED_CHECK_PLAINTEXT, SEED_CHECK_CONTEXT)),
            )
        for use, name in KID_CHECKS.items():
            if name not in stored:
                conn.execute(
                    "INSERT INTO meta (name, value) VALUES (?, ?)", (name, signer.kid(use))
                )
            elif stored[name] != signer.kid(use):
                file_name, var = KEY_FILES[use]
                raise StartupError(
                    f"the {use} token signing key (keys/{file_name} or {var}) is not the one "
                    f"{db.where} was started with: {restore_hint(use)}"
                )
    return BoundKeys(box, signer, empty)


def _opens(box: SecretBox, sealed: str, context: str, expected: str | None = None) -> bool:
    try:
        plain = box.open(sealed, context)
    except (InvalidTag, ValueError):
        return False
    return expected is None or plain == expected


def _wrong_seed_key(source: str, db: Database) -> str:
    return f"{source} is not the key the data in {db.where} was sealed with: {RESTORE_HINT}"
