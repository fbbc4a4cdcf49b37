"""The pool's access keys: created once, private, overridable from the environment."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from mfa_portal.pool import credentials as credentials_module
from mfa_portal.pool.credentials import (
    ENV_ACCESS_KEY_ID,
    ENV_SECRET_ACCESS_KEY,
    FILE_NAME,
    Credentials,
    CredentialsError,
)

ENDPOINT = "http://127.0.0.1:9229"


def test_first_start_creates_a_private_key_file(tmp_path: Path) -> None:
    creds, created = Credentials.load_or_create(tmp_path / "data", env={})

    path = tmp_path / "data" / FILE_NAME
    assert created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
    }
    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", creds.access_key_id)
    assert re.fullmatch(r"[A-Za-z0-9]{40}", creds.secret_access_key)
    assert [p.name for p in path.parent.iterdir()] == [FILE_NAME]  # no temp file left behind


def test_later_starts_reuse_the_same_keys(tmp_path: Path) -> None:
    first, _ = Credentials.load_or_create(tmp_path, env={})
    again, created = Credentials.load_or_create(tmp_path, env={})

    assert not created
    assert again == first


def test_each_pool_gets_its_own_keys(tmp_path: Path) -> None:
    one, _ = Credentials.load_or_create(tmp_path / "one", env={})
    two, _ = Credentials.load_or_create(tmp_path / "two", env={})

    assert one.access_key_id != two.access_key_id
    assert one.secret_access_key != two.secret_access_key


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    Credentials.load_or_create(tmp_path, env={})
    env = {ENV_ACCESS_KEY_ID: "test", ENV_SECRET_ACCESS_KEY: "test-secret"}

    creds, created = Credentials.load_or_create(tmp_path, env=env)

    assert (creds.access_key_id, creds.secret_access_key, creds.source) == (
        "test",
        "test-secret",
        "env",
    )
    assert not created


def test_environment_keys_create_no_file(tmp_path: Path) -> None:
    env = {ENV_ACCESS_KEY_ID: "AKIAENV0000000000000", ENV_SECRET_ACCESS_KEY: "s"}
    Credentials.load_or_create(tmp_path, env=env)

    assert not (tmp_path / FILE_NAME).exists()


def test_process_environment_is_read_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_ACCESS_KEY_ID, "AKIAFROMPROCESSENV00")
    monkeypatch.setenv(ENV_SECRET_ACCESS_KEY, "process-secret")

    creds, _ = Credentials.load_or_create(tmp_path)

    assert creds.lookup("AKIAFROMPROCESSENV00") == "process-secret"


@pytest.mark.parametrize("present", [ENV_ACCESS_KEY_ID, ENV_SECRET_ACCESS_KEY])
def test_half_set_environment_is_an_error(tmp_path: Path, present: str) -> None:
    with pytest.raises(CredentialsError) as info:
        Credentials.load_or_create(tmp_path, env={present: "value"})

    assert ENV_ACCESS_KEY_ID in str(info.value) and ENV_SECRET_ACCESS_KEY in str(info.value)
    assert "value" not in str(info.value)


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"AccessKeyId": "AKIA"}',
        '{"AccessKeyId": "", "SecretAccessKey": "x"}',
        '{"AccessKeyId": 1, "SecretAccessKey": "x"}',
    ],
)
def test_corrupt_file_is_an_error_without_its_content(tmp_path: Path, content: str) -> None:
    (tmp_path / FILE_NAME).write_text(content)

    with pytest.raises(CredentialsError) as info:
        Credentials.load_or_create(tmp_path, env={})

    assert FILE_NAME in str(info.value)
    assert content not in str(info.value)


def test_a_racing_creator_keeps_its_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If another process writes the file between our check and our write, we use its keys."""
    theirs = Credentials("AKIATHEIRS0000000000", "their-secret")
    real_write = credentials_module._write_new

    def lose_the_race(path: Path, creds: Credentials) -> bool:
        assert real_write(path, theirs)
        return real_write(path, creds)

    monkeypatch.setattr(credentials_module, "_write_new", lose_the_race)
    creds, created = Credentials.load_or_create(tmp_path, env={})

    assert not created
    assert creds == theirs
    assert json.loads((tmp_path / FILE_NAME).read_text())["AccessKeyId"] == theirs.access_key_id


def test_without_hard_links_the_file_is_still_created_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: Path, dst: Path) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    creds, created = Credentials.load_or_create(tmp_path, env={})

    assert created
    assert stat.S_IMODE((tmp_path / FILE_NAME).stat().st_mode) == 0o600
    assert Credentials.load_or_create(tmp_path, env={}) == (creds, False)


def test_lookup_knows_only_its_own_key() -> None:
    creds = Credentials("AKIAKNOWN00000000000", "known-secret")

    assert creds.lookup("AKIAKNOWN00000000000") == "known-secret"
    assert creds.lookup("AKIAOTHER00000000000") is None
    assert creds.lookup("") is None
    assert creds.lookup("AKIAKNOWN0000000000é") is None


def test_repr_never_shows_the_secret() -> None:
    creds = Credentials("AKIAKNOWN00000000000", "known-secret")

    assert "known-secret" not in repr(creds)
    assert "AKIAKNOWN00000000000" in repr(creds)


def test_usage_hint_shows_the_cli_and_boto3_with_this_endpoint() -> None:
    creds = Credentials("AKIAKNOWN00000000000", "known-secret")

    hint = creds.usage_hint(ENDPOINT)

    assert "AWS_ACCESS_KEY_ID=AKIAKNOWN00000000000 AWS_SECRET_ACCESS_KEY=known-secret" in hint
    assert "aws cognito-idp list-user-pools --max-results 10" in hint
    assert f"--endpoint-url {ENDPOINT}" in hint
    assert f'endpoint_url="{ENDPOINT}"' in hint
    assert 'aws_secret_access_key="known-secret"' in hint


@pytest.mark.parametrize(
    ("source", "pointer"),
    [("file", f"<SecretAccessKey in {FILE_NAME}>"), ("env", f"${ENV_SECRET_ACCESS_KEY}")],
)
def test_usage_hint_can_withhold_the_secret(source: str, pointer: str) -> None:
    creds = Credentials("AKIAKNOWN00000000000", "known-secret", source)

    hint = creds.usage_hint(ENDPOINT, reveal=False)

    assert "known-secret" not in hint
    assert pointer in hint
    assert "AKIAKNOWN00000000000" in hint
