"""What one bench run measured, as plain data: the harness fills it, the report renders it.

A reference that was not measured carries the reason instead of a figure (``--quick`` leaves the
references out; a full run that cannot start one fails instead), so the report always has every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.argon2_ceiling import Ceiling
from bench.wrk import Figure

Measured = Figure | str  # a figure, or why there is none


@dataclass(frozen=True)
class Settings:
    quick: bool
    duration: float
    connections: int
    workers: int  # asked for (the floor always runs this many)
    serve_workers: int  # what `mfa-portal serve` actually ran
    pool_workers: int  # what `mfa-portal pool serve` actually ran
    command: str


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
    verify_signed_in: Figure | None = None
    verify_anonymous: Figure | None = None
    floor: Figure | None = None
    get_user: dict[str, Measured] = field(default_factory=dict)  # server name -> figure
    admin_get_user: dict[str, Measured] = field(default_factory=dict)
    initiate_auth: Figure | None = None
    ceiling: Ceiling | None = None
    scale: list[ScaleRow] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)  # reference server -> version
