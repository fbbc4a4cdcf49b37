"""Pools of 1,000 to 1,000,000 users, seeded once and kept under ``bench/.cache/datasets``.

A dataset is a whole data directory (database, key pair, signing keys) made by the server itself: a
fresh ``pool serve`` creates the schema, the pool and its app client through the API, then stops,
and the users are written into the stopped server's database (see ``bench.seed_users``). It is
cached under a name keyed by the user count and the pool's schema version, so a migration added
later seeds anew; each run works on a copy, so the cache never sees a server write.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from bench import serving
from bench.cognito_requests import PASSWORD, create_pool
from bench.seed_users import email_of, seed_users, username_of
from bench.servers import Server
from mfa_portal.pool.schema import MIGRATIONS

DATABASE = "pool.sqlite3"


@dataclass(frozen=True)
class Dataset:
    """A seeded data directory and what the workloads address in it."""

    data_dir: Path
    count: int
    pool_id: str
    client_id: str
    seconds_to_seed: float

    @property
    def some_user(self) -> str:
        return username_of(self.count // 2)

    @property
    def email_prefix(self) -> str:
        """Matches ten users: the middle user's email up to its last digit."""
        return email_of(self.count // 2)[: len(username_of(0)) - 1]


def cache_dir(root: Path, count: int) -> Path:
    return root / "datasets" / f"users-{count}-schema{len(MIGRATIONS)}"


def _load(path: Path) -> Dataset:
    meta = json.loads((path / "dataset.json").read_text())
    return Dataset(path, meta["count"], meta["pool_id"], meta["client_id"], meta["seconds"])


def _seed(path: Path, count: int, logs: Path) -> Dataset:
    began = time.monotonic()
    building = path.with_name(path.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    with serving.pool_serve(building, 1, logs) as running:
        creds = json.loads((building / "credentials.json").read_text())
        server = Server("mfa-portal", running.url, creds["AccessKeyId"], creds["SecretAccessKey"])
        pool_id, client_id = create_pool(server)
    seed_users(building / DATABASE, count, pool_id, PASSWORD)
    seconds = time.monotonic() - began
    meta = {"count": count, "pool_id": pool_id, "client_id": client_id, "seconds": seconds}
    (building / "dataset.json").write_text(json.dumps(meta))
    building.rename(path)  # complete or absent: an interrupted seeding is redone next time
    return _load(path)


def cached(root: Path, count: int, logs: Path) -> tuple[Dataset, bool]:
    """The dataset of ``count`` users, seeding it if absent; True when it was seeded now."""
    path = cache_dir(root, count)
    if (path / "dataset.json").exists():
        return _load(path), False
    return _seed(path, count, logs), True


def working_copy(dataset: Dataset, dest: Path) -> Dataset:
    """A copy of ``dataset`` in ``dest`` for one server run (servers write; the cache must not)."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(dataset.data_dir, dest)
    return Dataset(dest, dataset.count, dataset.pool_id, dataset.client_id, dataset.seconds_to_seed)
