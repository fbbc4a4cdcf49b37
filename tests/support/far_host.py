"""A second host on this machine whose network link a test can cut: a network namespace joined to
this one by a veth pair.

Stopping a server tests an outage the client hears about (its connections are closed). A host that
vanishes — a crashed machine, a fail-over that moves the address, a network split — says nothing:
packets just stop arriving, and without timeouts of its own a client waits for TCP to give up, which
takes about 15 minutes. ``cut`` makes exactly that silence: a router between the two drops every
packet, so nothing is answered, refused or reset, and ``heal`` lets them through again, with every
connection intact that neither side gave up on. This needs root (``ip netns``); the kernel here has
neither ``netem`` nor traffic-control filters, so the router is a third namespace.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.pg_throwaway import PostgresServer
from tests.support.postgres import own_server
from tests.support.tools import missing


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


class FarHost:
    """A namespace at ``address``, two links away: this host, a router, the far host.

    The silence is made in the router, by routes that discard (``blackhole``) what it would
    forward, so that both ends still send as on a working network and only never hear back. Taking
    an end's own link down is not the same: its sends then fail locally, and TCP's keepalive counts
    no probe that failed to leave, so a server whose own link is down never gives up on a client.
    """

    def __init__(self) -> None:
        tag = secrets.token_hex(3)
        self.name = f"mfa-far-{tag}"
        self.router = f"mfa-via-{tag}"
        self._links = [f"mf{tag}{end}" for end in "abcd"]  # ≤ 15 characters, the kernel's limit
        block = f"10.{secrets.randbelow(200) + 20}.{secrets.randbelow(250) + 1}"
        near_net, far_net = secrets.randbelow(32) * 8, secrets.randbelow(32) * 8 + 4
        self.near_address = f"{block}.{near_net + 1}"
        self._router_near = f"{block}.{near_net + 2}"
        self._router_far = f"{block}.{far_net + 1}"
        self.address = f"{block}.{far_net + 2}"
        self.is_cut = False

    @property
    def prefix(self) -> list[str]:
        """The command prefix that runs a program on the far host."""
        return self._in(self.name)

    def create(self) -> None:
        near, router_near, router_far, far = self._links
        _ip("netns", "add", self.router)
        try:
            _ip("netns", "add", self.name)
            _ip("link", "add", near, "type", "veth", "peer", "name", router_near)
            _ip("link", "add", router_far, "type", "veth", "peer", "name", far)
            _ip("link", "set", router_near, "netns", self.router)
            _ip("link", "set", router_far, "netns", self.router)
            _ip("link", "set", far, "netns", self.name)
            _ip("addr", "add", f"{self.near_address}/30", "dev", near)
            _ip("link", "set", near, "up")
            _ip("route", "add", f"{self.address}/32", "via", self._router_near)
            _ip("-n", self.router, "addr", "add", f"{self._router_near}/30", "dev", router_near)
            _ip("-n", self.router, "addr", "add", f"{self._router_far}/30", "dev", router_far)
            _ip("-n", self.router, "link", "set", router_near, "up")
            _ip("-n", self.router, "link", "set", router_far, "up")
            subprocess.run(
                [*self._in(self.router), "sysctl", "-qw", "net.ipv4.ip_forward=1"],
                check=True,
                capture_output=True,
            )
            _ip("-n", self.name, "addr", "add", f"{self.address}/30", "dev", far)
            _ip("-n", self.name, "link", "set", far, "up")
            _ip("-n", self.name, "link", "set", "lo", "up")
            _ip("-n", self.name, "route", "add", "default", "via", self._router_far)
        except BaseException:
            self.remove()
            raise

    def cut(self) -> None:
        """From now on the router drops all it would forward, either way, and tells nobody."""
        for address in (self.address, self.near_address):
            _ip("-n", self.router, "route", "add", "blackhole", f"{address}/32")
        self.is_cut = True

    def heal(self) -> None:
        for address in (self.address, self.near_address):
            _ip("-n", self.router, "route", "del", "blackhole", f"{address}/32")
        self.is_cut = False

    def heal_if_cut(self) -> None:
        if self.is_cut:
            self.heal()

    def remove(self) -> None:
        """Both namespaces, and with them every link (a process still in one keeps it)."""
        for namespace in (self.name, self.router):
            subprocess.run(["ip", "netns", "delete", namespace], capture_output=True)
        subprocess.run(["ip", "link", "delete", self._links[0]], capture_output=True)

    @staticmethod
    def _in(namespace: str) -> list[str]:
        return ["ip", "netns", "exec", namespace]


@contextmanager
def far_host() -> Iterator[FarHost]:
    """A far host for the block; without root it skips the test, and fails it when CI=true."""
    if os.geteuid() != 0:
        missing("a far host needs root (ip netns); CI runs as root")
    host = FarHost()
    host.create()
    try:
        yield host
    finally:
        host.remove()


@contextmanager
def postgres_on_far_host() -> Iterator[tuple[FarHost, PostgresServer]]:
    """A throwaway PostgreSQL server running on a far host, listening on its address (and on its Unix
    socket, which a test on this side can use while the link is cut)."""
    with far_host() as host, own_server(host.address, host.prefix) as (server, _):
        try:
            yield host, server
        finally:
            host.heal_if_cut()  # a test that failed mid-cut: its clients still say goodbye
