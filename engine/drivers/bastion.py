"""Jump hosts at run time: one SSH connection per bastion, carrying every session behind it.

The first session that needs a bastion opens its connection (under the bastion's lock,
so the threads arriving at once wait for that one attempt), checked against the run's
host key policy and within its connect timeout. Each session then gets its own
`direct-tcpip` channel, which netmiko uses as its socket. A bastion that cannot be
reached or logged in to is tried once per run: every host behind it is unreachable with
the same reason, at once. The connections close with the run's sessions.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from typing import Any

import paramiko

from engine.drivers import ConnectionSettings
from engine.drivers.hostkeys import HostKeyChecker, known_hosts
from engine.drivers.netmiko import connect_failure
from engine.errors import Unreachable
from engine.inventory import Host
from engine.jumphosts import JumpHost

# Where a forwarded channel says it comes from (servers log it; nothing connects to it).
_ORIGIN = ("127.0.0.1", 0)
_Key = tuple[str, str, int, str | None]


class Bastions:
    """The run's connections to its jump hosts (engine.drivers.Tunnels)."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._links: dict[_Key, _Link] = {}
        self._closed = False

    def channel(self, host: Host, timeout: float) -> Tunnel:
        """A channel to `host` through its jump host; Unreachable naming the bastion."""
        jump = host.jump
        if jump is None:
            raise ValueError(f"host {host.name} has no jump host")
        try:
            transport = self._link(jump).transport(timeout, self)
            return Tunnel(_forward(transport, host, timeout))
        except _Failed as failed:
            raise Unreachable(host.name, f"via bastion {jump.name}: {failed}") from None

    @property
    def closed(self) -> bool:
        return self._closed

    def _link(self, jump: JumpHost) -> _Link:
        key = (jump.name, jump.address, jump.port, jump.username)
        with self._lock:
            if self._closed:
                raise _Failed("the run is stopping")
            if key not in self._links:
                self._links[key] = _Link(jump, self._settings)
            return self._links[key]

    def close(self) -> None:
        """Close every bastion connection (the channels through them end too)."""
        with self._lock:
            self._closed = True
            links = list(self._links.values())
        for link in links:
            link.close()


class _Failed(Exception):
    """Why a bastion cannot carry a session (the message names no secret)."""


class _Link:
    """One bastion's connection: opened once, or its failure remembered for the run."""

    def __init__(self, jump: JumpHost, settings: ConnectionSettings) -> None:
        self.jump = jump
        self._settings = settings
        self._lock = threading.Lock()
        self._client: paramiko.SSHClient | None = None
        self._failure: str | None = None

    def transport(self, timeout: float, owner: Bastions) -> paramiko.Transport:
        with self._lock:
            if self._failure is None and self._client is None:
                self._client = self._connect(timeout, owner)
            if self._failure is not None:
                raise _Failed(self._failure)
            assert self._client is not None
            transport = self._client.get_transport()
            if transport is None or not transport.is_active():
                self._failure = "the connection to the bastion was lost"
                raise _Failed(self._failure)
            return transport

    def _connect(self, timeout: float, owner: Bastions) -> paramiko.SSHClient | None:
        jump = self.jump
        client = self._client_for(jump)
        try:
            client.connect(
                jump.address,
                jump.port,
                username=jump.username or "",
                password=jump.password or "",
                timeout=timeout,
                banner_timeout=timeout,
                auth_timeout=timeout,
                allow_agent=False,
                look_for_keys=False,
            )
        except (paramiko.SSHException, OSError, EOFError) as exc:
            client.close()
            self._failure = self._why(exc)
            return None
        if owner.closed:  # the run stopped while this connection was being made
            client.close()
            self._failure = "the run is stopping"
            return None
        return client

    def _client_for(self, jump: JumpHost) -> paramiko.SSHClient:
        settings = self._settings
        if settings.host_key_policy == "off":
            client = paramiko.SSHClient()
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # in memory only
            return client
        checker = HostKeyChecker(known_hosts(settings.known_hosts_file()), settings.host_key_policy)
        return checker.client(jump.address, jump.port)

    def _why(self, exc: BaseException) -> str:
        if isinstance(exc, paramiko.AuthenticationException):
            return f"authentication failed for user '{self.jump.username or ''}'"
        return connect_failure(exc, self.jump.address, self.jump.port, self._settings)

    def close(self) -> None:
        client = self._client
        if client is not None:
            with suppress(Exception):
                client.close()


class Tunnel:
    """A direct-tcpip channel as the socket of one device session.

    A session's paramiko transport closes its socket last thing in its own thread, and
    paramiko sends a channel's close message outside the channel's lock: when the
    bastion connection is already gone, that send raises and the thread ends with a
    traceback on stderr. Closing a channel whose carrier has gone has nothing left to
    say, so here it never raises; everything else is the channel's own.
    """

    def __init__(self, channel: paramiko.Channel) -> None:
        self._channel = channel

    def __getattr__(self, name: str) -> Any:
        return getattr(self._channel, name)

    def close(self) -> None:
        with suppress(EOFError, OSError, paramiko.SSHException):
            self._channel.close()


def _forward(transport: paramiko.Transport, host: Host, timeout: float) -> paramiko.Channel:
    """A direct-tcpip channel from the bastion to the host's address and port."""
    where = f"{host.address}:{host.port}"
    try:
        return transport.open_channel(
            "direct-tcpip", (host.address, host.port), _ORIGIN, timeout=timeout
        )
    except paramiko.ChannelException as exc:
        raise _Failed(f"it refused a channel to {where} ({exc.text})") from None
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise _Failed(f"no channel to {where}: {exc or type(exc).__name__}") from None
