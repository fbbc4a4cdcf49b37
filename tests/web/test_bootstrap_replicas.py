"""First start of a replica beside a shared database: it adopts the default pool another replica
created instead of creating a second one, and the CLI never creates one."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfa_portal.pool.client import EngineCognitoClient
from mfa_portal.pool.engine import Engine
from mfa_portal.settings import load_settings
from mfa_portal.wiring.bootstrap import (
    NoDefaultPool,
    ensure_default_pool,
    find_default_pool,
    load_ids,
)
from mfa_portal.wiring.cli_support import NoPool, open_support


def test_a_replica_on_an_empty_data_dir_adopts_the_pool_another_replica_created(
    engine: Engine, tmp_path: Path
) -> None:
    idp = EngineCognitoClient(engine)
    first = ensure_default_pool(idp, tmp_path / "replica-a", shared=True)
    assert first.created
    idp.call("CreateUserPool", PoolName="someone-elses-pool")  # not taken for the default one

    second = ensure_default_pool(idp, tmp_path / "replica-b", shared=True)

    assert not second.created and second.admin_password is None
    assert second.ids == first.ids
    assert load_ids(tmp_path / "replica-b") == first.ids  # remembered for the next start
    pools = idp.call("ListUserPools", MaxResults=60)["UserPools"]
    assert [p["Name"] for p in pools].count("mfa-portal") == 1


def test_without_a_shared_database_an_empty_data_dir_still_gets_its_own_pool(
    engine: Engine, tmp_path: Path
) -> None:
    idp = EngineCognitoClient(engine)
    first = ensure_default_pool(idp, tmp_path / "one")
    second = ensure_default_pool(idp, tmp_path / "two")
    assert second.created and second.ids != first.ids


def test_the_oldest_default_pool_wins_when_two_were_created(engine: Engine, tmp_path: Path) -> None:
    idp = EngineCognitoClient(engine)
    older = ensure_default_pool(idp, tmp_path / "a").ids
    engine.clock.advance(5)  # type: ignore[attr-defined]
    ensure_default_pool(idp, tmp_path / "b")
    assert find_default_pool(idp) == older


def test_a_caller_that_may_not_create_gets_no_pool_and_creates_none(
    engine: Engine, tmp_path: Path
) -> None:
    idp = EngineCognitoClient(engine)
    with pytest.raises(NoDefaultPool):
        ensure_default_pool(idp, tmp_path / "cli", shared=True, may_create=False)
    assert idp.call("ListUserPools", MaxResults=60)["UserPools"] == []
    assert load_ids(tmp_path / "cli") is None


def test_the_cli_on_an_empty_shared_database_says_to_start_the_portal_first(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(data_dir=tmp_path / "desk", database_url=postgres_url)
    with pytest.raises(NoPool, match="MFA_PORTAL_DATABASE_URL: run `mfa-portal serve` once"):
        open_support(settings)
