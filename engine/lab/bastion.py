"""A simulated SSH bastion (`lab: {bastion: true}`): it logs users in as a device does,
has no shell, and forwards `direct-tcpip` channels only to the lab's own devices.

A forward to anything else (another address, even on loopback, or a name) is refused
before any connection is attempted, so a lab bastion can never reach past the lab.
It counts what it did, so a test can show one connection carried every session.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace

import asyncssh

REFUSAL = "This host is a bastion: it forwards SSH connections to lab devices and has no shell."


@dataclass(frozen=True)
class ForwardCounts:
    """What one bastion did: connections accepted and closed, channels forwarded, and
    forwards refused."""

    connections: int = 0
    channels: int = 0
    refused: int = 0
    closed: int = 0


class Forwarding:
    """Where one bastion may forward to (set once the lab listens), and its counts.

    Counted on the lab's event loop; read from other threads as a snapshot.
    """

    def __init__(self) -> None:
        self._destinations: frozenset[tuple[str, int]] = frozenset()
        self._counts = ForwardCounts()
        self._changed = threading.Condition()

    def allow(self, endpoints: Iterable[tuple[str, int]]) -> None:
        """The lab's device endpoints: the only destinations forwarded to."""
        self._destinations = frozenset(endpoints)

    def connected(self) -> None:
        self._count(connections=1)

    def disconnected(self) -> None:
        self._count(closed=1)

    def check(self, host: str, port: int) -> None:
        """Accept a forward to (host, port), or raise the refusal the client sees."""
        if (host, port) not in self._destinations:
            self._count(refused=1)
            raise asyncssh.ChannelOpenError(
                asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                f"forwarding to {host}:{port} is not allowed: not a lab device",
            )
        self._count(channels=1)

    @property
    def counts(self) -> ForwardCounts:
        return self._counts

    def idle(self, timeout: float) -> ForwardCounts:
        """The counts once every connection has closed (or `timeout` seconds passed)."""
        with self._changed:
            self._changed.wait_for(lambda: self._counts.closed >= self._counts.connections, timeout)
            return self._counts

    def _count(self, **more: int) -> None:
        with self._changed:
            now = self._counts
            self._counts = replace(now, **{k: getattr(now, k) + v for k, v in more.items()})
            self._changed.notify_all()
