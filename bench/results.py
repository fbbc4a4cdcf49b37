"""What one bench run measured, as plain data: each workload group returns its part, the report
renders the whole.

A reference that was not measured carries the reason instead of a figure (``--quick`` leaves the
references out; a full run that cannot start one fails instead), and so do the PostgreSQL figures
(``--no-postgres``, or no PostgreSQL installed), so the report always has every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.argon2_ceiling import Ceiling
from bench.cpu_profile import CpuSplit
from bench.wrk import Figure

Measured = Figure | str  # a figure, or why there is none


@dataclass(frozen=True)
class Settings:
    quick: bool
    duration: float
    connections: int
    workers: int  # asked for (the floor always runs this many)
    command: str


@dataclass(frozen=True)
class ForwardAuth:
    """``/auth/verify`` on ``mfa-portal serve`` and the bare Starlette floor."""

    signed_in: Figure
    anonymous: Figure
    floor: Figure
    serve_workers: int  # what `mfa-portal serve` actually ran


@dataclass(frozen=True)
class SignInCpu:
    """One more InitiateAuth round and one more ceiling round, each under ``perf record -a``."""

    sign_ins: float  # per second, in the profiled round
    verifications: float  # per second, in the profiled ceiling round
    server: CpuSplit
    ceiling: CpuSplit
    cores: int  # the cores perf sampled (all of the machine's)


@dataclass
class PoolFigures:
    """``pool serve`` beside moto and cognito-local; server name -> figure or why not run."""

    pool_workers: int = 1  # what `mfa-portal pool serve` actually ran
    get_user: dict[str, Measured] = field(default_factory=dict)
    admin_get_user: dict[str, Measured] = field(default_factory=dict)
    initiate_auth: Figure | None = None
    ceiling: Ceiling | None = None  # measured in rounds between InitiateAuth's
    # each InitiateAuth round's sign-ins/s and the next ceiling round's verifications/s
    initiate_auth_rounds: list[tuple[float, float]] = field(default_factory=list)
    sign_in_cpu: SignInCpu | str = "not measured"  # or why not
    versions: dict[str, str] = field(default_factory=dict)  # reference server -> version


@dataclass(frozen=True)
class OnPostgres:
    """The same servers with ``--database-url`` on a throwaway PostgreSQL server."""

    verify_signed_in: Figure
    get_user: Figure
    initiate_auth: Figure
    version: str  # e.g. "PostgreSQL 16.4"
    settings: dict[str, str]  # the durability settings the server ran with, as it reports them


@dataclass(frozen=True)
class ScaleRow:
    count: int
    admin_get_user: Figure
    list_users: Figure
    rss_mib: float
    seeded_now: bool
    seed_seconds: float


@dataclass
class Results:
    settings: Settings
    machine: dict[str, str]
    forward_auth: ForwardAuth | None = None
    pool: PoolFigures = field(default_factory=PoolFigures)
    ceiling: Ceiling | None = None
    postgres: OnPostgres | str = "not run"  # figures, or why there are none
    scale: list[ScaleRow] = field(default_factory=list)
