"""The embedded pool's IAM-style access keys, which sign every IAM operation on the wire.

Real Cognito authorises ``Admin*`` and management calls with IAM; the embedded pool has no IAM,
so it knows exactly one key pair. It is created once in the data directory (mode 0600, never
overwritten) or taken from the environment, so boto3 and the AWS CLI can sign requests with it.
It is created only while the data directory holds no pool: a new pair beside existing pools would
silently lock out every script and SDK configured with the old one, so a missing file there is an
error that says how to restore it.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mfa_portal.pool.keyfiles import create_secret_file
from mfa_portal.sqlite import StartupError

FILE_NAME = "credentials.json"
ENV_ACCESS_KEY_ID = "MFA_PORTAL_POOL_ACCESS_KEY_ID"
ENV_SECRET_ACCESS_KEY = "MFA_PORTAL_POOL_SECRET_ACCESS_KEY"

_KEY_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits


class CredentialsError(StartupError):
    """The key pair cannot be loaded (half-set environment, unreadable or corrupt file)."""


@dataclass(frozen=True)
class Credentials:
    """One access key id and its secret; ``repr`` never shows the secret."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    source: str = "file"  # "file" or "env": where the pair came from, for messages only

    def lookup(self, access_key_id: str) -> str | None:
        """The secret of ``access_key_id``, or None when the pool does not know that key."""
        if secrets.compare_digest(access_key_id.encode(), self.access_key_id.encode()):
            return self.secret_access_key
        return None

    @classmethod
    def generate(cls) -> Credentials:
        """A fresh pair shaped like AWS's: ``AKIA`` + 16 uppercase alnum, a 40-char secret."""
        akid = "AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
        secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
        return cls(akid, secret, "file")

    @classmethod
    def load_or_create(
        cls,
        data_dir: Path,
        env: Mapping[str, str] | None = None,
        *,
        may_create: bool | None = None,
        database: str | None = None,
    ) -> tuple[Credentials, bool]:
        """The environment's pair, else the data directory's; create the file on first start.

        ``may_create`` None means: only while the data directory's pool database has no pool.
        ``database`` names the pool's database in messages when it is not the data directory's file.
        Returns ``(credentials, created)``; ``created`` is True only when this call wrote the file.
        """
        env = os.environ if env is None else env
        akid = env.get(ENV_ACCESS_KEY_ID, "")
        secret = env.get(ENV_SECRET_ACCESS_KEY, "")
        if akid or secret:
            if not (akid and secret):
                raise CredentialsError(
                    f"set both {ENV_ACCESS_KEY_ID} and {ENV_SECRET_ACCESS_KEY}, or neither"
                )
            return cls(akid, secret, "env"), False
        path = data_dir / FILE_NAME
        if path.exists():
            return cls._read(path), False
        if not (holds_no_pool(data_dir) if may_create is None else may_create):
            raise CredentialsError(
                f"{path} is missing but {database or data_dir / POOL_DATABASE} holds pools whose "
                "callers sign "
                f"with it: restore it from a backup, or set {ENV_ACCESS_KEY_ID} and "
                f"{ENV_SECRET_ACCESS_KEY}"
            )
        fresh = cls.generate()
        if _write_new(path, fresh):
            return fresh, True
        return cls._read(path), False  # another process created it first

    @classmethod
    def _read(cls, path: Path) -> Credentials:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            akid, secret = data["AccessKeyId"], data["SecretAccessKey"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CredentialsError(f"{path} is not a valid credentials file: {_FIX}") from exc
        if not (isinstance(akid, str) and isinstance(secret, str) and akid and secret):
            raise CredentialsError(f"{path} is not a valid credentials file: {_FIX}")
        return cls(akid, secret, "file")

    def usage_hint(self, endpoint: str, *, region: str = "us-east-1", reveal: bool = True) -> str:
        """How to call the pool with these keys from the AWS CLI and boto3.

        With ``reveal=False`` the secret is replaced by a pointer to where it is kept, so a server
        log of every restart does not carry it.
        """
        secret = self.secret_access_key if reveal else _secret_pointer(self.source)
        return "\n".join(
            [
                "IAM operations (Admin*, pool and client management, ListUsers) must be signed",
                "with the pool's access key (AWS Signature Version 4, service cognito-idp):",
                "",
                f"  AWS_ACCESS_KEY_ID={self.access_key_id} AWS_SECRET_ACCESS_KEY={secret} \\",
                f"    aws cognito-idp list-user-pools --max-results 10 --region {region} \\",
                f"    --endpoint-url {endpoint}",
                "",
                "  import boto3",
                "  cognito = boto3.client(",
                f'      "cognito-idp", region_name="{region}", endpoint_url="{endpoint}",',
                f'      aws_access_key_id="{self.access_key_id}",',
                f'      aws_secret_access_key="{secret}",',
                "  )",
                "  cognito.list_user_pools(MaxResults=10)",
            ]
        )


POOL_DATABASE = "pool.sqlite3"
_FIX = (
    'restore it from a backup (JSON with "AccessKeyId" and "SecretAccessKey"), '
    f"or set {ENV_ACCESS_KEY_ID} and {ENV_SECRET_ACCESS_KEY}"
)


def holds_no_pool(data_dir: Path) -> bool:
    """True when ``data_dir`` has no pool database, or one without any pool (read-only look)."""
    path = data_dir / POOL_DATABASE
    if not path.exists():
        return True
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return not conn.execute("SELECT EXISTS (SELECT 1 FROM pools)").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return path.stat().st_size == 0  # an unreadable database is reported when it is opened


def _secret_pointer(source: str) -> str:
    if source == "env":
        return f"${ENV_SECRET_ACCESS_KEY}"
    return f"<SecretAccessKey in {FILE_NAME}>"


def _write_new(path: Path, creds: Credentials) -> bool:
    """Write ``path`` with mode 0600 unless it exists; False when someone else won the race."""
    text = json.dumps(
        {"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key}, indent=2
    )
    return create_secret_file(path, (text + "\n").encode())
