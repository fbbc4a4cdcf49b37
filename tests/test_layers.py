"""The rooms of the architecture, as a test: who may import whom inside ``mfa_portal``.

A rule that only lives in a document erodes with the first hurried change, so this walks every
import statement of the package (top-level and inside functions, ``TYPE_CHECKING`` blocks included)
and fails on an edge the table below does not allow.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import mfa_portal

PACKAGE = Path(mfa_portal.__file__).parent

GROUND = (
    "clock",
    "mail",
    "sqlite",
    "storage",
    "settings",
    "security_events",
    "thread_pools",
    "health",
    "loopback",
)
#: room -> the rooms (or ``room.module`` for a single module) it may import besides itself.
ALLOWED: dict[str, frozenset[str]] = {
    "clock": frozenset(),
    "health": frozenset({"storage"}),  # /healthz and /readyz, for the portal and the pool alike
    "mail": frozenset(),
    "storage": frozenset(),
    "sqlite": frozenset({"storage"}),  # the storage layer's former name, kept for old imports
    "settings": frozenset(),
    "security_events": frozenset(),
    "thread_pools": frozenset(),
    "loopback": frozenset(),  # the development outbox: straight from this machine only
    "cognito_api": frozenset({"clock"}),
    "pool": frozenset(
        {
            "cognito_api",
            "clock",
            "mail",
            "sqlite",
            "storage",
            "security_events",
            "thread_pools",
            "health",
            "loopback",
        }
    ),
    "admin": frozenset(
        {"cognito_api", "clock", "mail", "sqlite", "storage", "security_events", "thread_pools"}
    ),
    "web": frozenset(
        {
            "cognito_api",
            "clock",
            "settings",
            "storage",
            "admin",
            "security_events",
            "thread_pools",
            "health",
            "loopback",
        }
    ),
    "wiring": frozenset({*GROUND, "cognito_api", "pool", "admin", "web"}),
    # The CLI reaches the pool only through its server (``pool serve``) and its key pair file.
    "cli": frozenset(
        {
            "wiring",
            "admin",
            "settings",
            "security_events",
            "cognito_api",
            "pool.standalone",
            "pool.credentials",
        }
    ),
}


def room_of(module: str) -> str:
    """``mfa_portal.pool.ops.auth_ops`` -> ``pool``; ``mfa_portal.clock`` -> ``clock``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports_of(path: Path, module: str) -> Iterator[tuple[int, str]]:
    """Every ``mfa_portal`` module that ``path`` imports, with its line number."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from mfa_portal.pool import errors`` names a module; keep the longer name.
                yield node.lineno, f"{base}.{alias.name}" if base.count(".") < 2 else base


def modules(root: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        yield path, ".".join(parts)


def allowed(source_room: str, target: str) -> bool:
    target_room = room_of(target)
    if not target_room or target_room == source_room:
        return True
    rules = ALLOWED[source_room]
    if target_room in rules:
        return True
    parts = target.split(".")
    return len(parts) > 2 and f"{parts[1]}.{parts[2]}" in rules


def violations(root: Path) -> list[str]:
    found = []
    for path, module in modules(root):
        source_room = room_of(module)
        if not source_room:  # the package's own __init__
            continue
        assert source_room in ALLOWED, f"{module} is in no room of the table"
        for line, target in imports_of(path, module):
            if target.startswith("mfa_portal.") and not allowed(source_room, target):
                found.append(f"{path.relative_to(root.parent)}:{line}: {source_room} -> {target}")
    return found


def test_every_import_stays_inside_the_rooms() -> None:
    assert violations(PACKAGE) == []


def test_only_the_cli_imports_the_composition_root() -> None:
    importers = {
        room_of(module)
        for path, module in modules(PACKAGE)
        for _, target in imports_of(path, module)
        if room_of(target) == "wiring" and room_of(module) != "wiring"
    }
    assert importers <= {"cli"}


@pytest.mark.parametrize(
    ("room", "line"),
    [
        ("web", "from mfa_portal.pool.engine import Engine"),
        ("web", "from mfa_portal.wiring.backend import open_backend"),
        ("pool", "from mfa_portal.web.deps import RedirectTo"),
        ("admin", "from mfa_portal.settings import Settings"),
        ("cognito_api", "from mfa_portal.pool import users"),
        ("clock", "import mfa_portal.mail"),
        ("cli", "from mfa_portal.pool.engine import Engine"),
        ("pool", "from ..web import deps"),
    ],
)
def test_a_forbidden_import_is_caught(tmp_path: Path, room: str, line: str) -> None:
    """The checker itself: a copy of the package with one forbidden edge added fails."""
    copy = tmp_path / "mfa_portal"
    for path, _ in modules(PACKAGE):
        target = copy / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    planted = copy / room / "planted.py" if (copy / room).is_dir() else copy / f"{room}.py"
    planted.write_text(
        planted.read_text() + "\n" + line + "\n" if planted.exists() else line + "\n"
    )
    found = violations(copy)
    assert len(found) == 1 and room in found[0], found
