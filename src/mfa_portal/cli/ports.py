"""Check the listening port before a server creates anything it announces only once.

``serve`` and ``pool serve`` print the first admin's temporary password and the pool's secret key
on the start that creates them. If the port is taken, uvicorn fails only after that, and the next
start (on another port) no longer shows them; so the port is checked first.
"""

from __future__ import annotations

import errno
import socket

import typer


def port_in_use_error(host: str, port: int, hint: str = "--port") -> str | None:
    """Why ``host:port`` cannot be listened on, or None when it is free; ``hint`` says how this
    command chooses another port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = (exc.strerror or type(exc).__name__).lower()
            if exc.errno != errno.EADDRINUSE:
                return f"cannot listen on {host}:{port}: {reason}"
            return f"cannot listen on {host}:{port}: {reason}; choose another port ({hint})"
    return None


def require_free_port(host: str, port: int, hint: str = "--port") -> None:
    """Exit 2 with one line when the server could not listen (before any start-up side effect)."""
    problem = port_in_use_error(host, port, hint)
    if problem is not None:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
