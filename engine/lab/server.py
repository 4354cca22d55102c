"""The SSH side of the lab: asyncssh listeners, one per device, on one event loop.

This module only moves bytes: it reads lines, echoes them, applies the delays and the
connection-level faults (refuse, hang before the banner, reject logins) and hands each
line to a `Session`. It tracks every live connection, because closing a listener does not
close the sessions it accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass

import asyncssh

from engine.lab.cli import Reply, Session
from engine.lab.device import Device

BACKLOG = 1024  # the default (100) drops connections when hundreds of clients start at once
_STOP_WAIT = 1.5  # seconds stop() waits for connections to close before moving on


@dataclass(frozen=True)
class Binding:
    """Where one device listens."""

    device: Device
    address: str
    port: int  # 0: an ephemeral port


class _Connections:
    """Every live connection and socket, so that stopping the lab ends them all."""

    def __init__(self) -> None:
        self.ssh: set[asyncssh.SSHServerConnection] = set()
        self.silent: set[asyncio.Transport] = set()


class _DeviceServer(asyncssh.SSHServer):
    """Authentication for one device: its local users, after its connect delay."""

    def __init__(self, device: Device, connections: _Connections) -> None:
        self._device = device
        self._connections = connections
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._connections.ssh.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._connections.ssh.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True  # every login needs a password

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        delay = self._device.delays.connect()
        if delay > 0:
            await asyncio.sleep(delay)
        return self._device.login_ok(username, password)


class _SilentProtocol(asyncio.Protocol):
    """Accepts TCP and never says anything: an SSH server stuck before its banner."""

    def __init__(self, connections: _Connections) -> None:
        self._connections = connections
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._connections.silent.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._connections.silent.discard(self._transport)


class _LineReader:
    """Lines from an SSH channel; CR, LF and CRLF all end a line (clients differ)."""

    def __init__(self, stream: asyncssh.SSHReader[str]) -> None:
        self._stream = stream
        self._buffer = ""
        self._after_cr = False

    async def readline(self) -> str | None:
        """The next line without its terminator, or None at end of input."""
        while True:
            line = self._take_line()
            if line is not None:
                return line
            chunk = await self._read()
            if not chunk:
                return None
            chunk = chunk.replace(
                "\0", ""
            )  # a NUL is line noise to IOS (netmiko's is_alive sends one)
            if self._after_cr and chunk.startswith("\n"):
                chunk = chunk[1:]
            self._after_cr = chunk.endswith("\r")
            self._buffer += chunk

    def _take_line(self) -> str | None:
        for index, char in enumerate(self._buffer):
            if char in "\r\n":
                line = self._buffer[:index]
                skip = 2 if self._buffer[index : index + 2] == "\r\n" else 1
                self._buffer = self._buffer[index + skip :]
                return line
        return None

    async def _read(self) -> str:
        while True:
            try:
                data: str = await self._stream.read(4096)
                return data
            except (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue  # a window resize or a break is not input

    async def discard_until_closed(self) -> None:
        """Swallow input forever: the device is hung but the connection stays up."""
        while await self._read():
            pass


async def _session(device: Device, process: asyncssh.SSHServerProcess[str]) -> None:
    """Run one interactive CLI session until the client leaves or the device closes it."""
    session = Session(device, process.get_extra_info("username"))
    reader = _LineReader(process.stdin)
    try:
        process.stdout.write(_wire(session.greeting()))
        while (line := await reader.readline()) is not None:
            reply = session.handle(line)
            await _answer(device, process, session, line, reply)
            if reply.hang:
                await reader.discard_until_closed()
                return
            if reply.close:
                await process.stdout.drain()
                return
    except (OSError, asyncssh.Error):
        return  # the client went away mid-session
    finally:
        _close(process)


async def _answer(
    device: Device,
    process: asyncssh.SSHServerProcess[str],
    session: Session,
    line: str,
    reply: Reply,
) -> None:
    if reply.echo:
        process.stdout.write(line + "\r\n")
    delay = device.delays.command() if line.strip() else 0.0
    if delay > 0:
        await process.stdout.drain()
        await asyncio.sleep(delay)
    prompt = "" if reply.hang else session.prompt
    process.stdout.write(_wire(reply.output + prompt))


def _wire(text: str) -> str:
    """IOS ends lines with CRLF."""
    return text.replace("\n", "\r\n")


def _close(process: asyncssh.SSHServerProcess[str]) -> None:
    with contextlib.suppress(OSError, asyncssh.Error):
        process.exit(0)
        process.channel.get_connection().close()


class LabServer:
    """All listeners of one lab, on the running event loop."""

    def __init__(self) -> None:
        self._connections = _Connections()
        self._acceptors: list[asyncssh.SSHAcceptor] = []
        self._servers: list[asyncio.base_events.Server] = []
        self._sockets: list[socket.socket] = []
        self._key = asyncssh.generate_private_key("ssh-ed25519")  # one host key for every device

    async def start(self, bindings: list[Binding]) -> dict[str, tuple[str, int]]:
        """Listen for every device; returns each device's (address, port)."""
        endpoints = {}
        for binding in bindings:
            port = await self._listen(binding)
            endpoints[binding.device.spec.name] = (binding.address, port)
        return endpoints

    async def _listen(self, binding: Binding) -> int:
        knobs = binding.device.knobs
        if knobs.refuse:
            return self._reserve(binding)
        if knobs.hang_before_banner:
            return await self._listen_silently(binding)
        device, connections = binding.device, self._connections

        async def handle(process: asyncssh.SSHServerProcess[str]) -> None:
            await _session(device, process)

        acceptor = await asyncssh.create_server(
            lambda: _DeviceServer(device, connections),
            binding.address,
            binding.port,
            server_host_keys=[self._key],
            process_factory=handle,
            line_editor=False,  # the session echoes input itself, as IOS does
            backlog=BACKLOG,
            reuse_address=True,
            encoding="utf-8",
        )
        self._acceptors.append(acceptor)
        port: int = acceptor.get_port()
        return port

    def _reserve(self, binding: Binding) -> int:
        """Bind without listening: the port is ours, and connecting to it is refused."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((binding.address, binding.port))
        self._sockets.append(sock)
        port: int = sock.getsockname()[1]
        return port

    async def _listen_silently(self, binding: Binding) -> int:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: _SilentProtocol(self._connections),
            binding.address,
            binding.port,
            backlog=BACKLOG,
            reuse_address=True,
        )
        self._servers.append(server)
        port: int = server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        """Stop listening and end every live session."""
        for acceptor in self._acceptors:
            acceptor.close()
        for server in self._servers:
            server.close()
        for sock in self._sockets:
            sock.close()
        await self._close_connections()
        for acceptor in self._acceptors:
            await acceptor.wait_closed()
        for server in self._servers:
            await server.wait_closed()

    async def _close_connections(self) -> None:
        for transport in list(self._connections.silent):
            transport.abort()
        connections = list(self._connections.ssh)
        for conn in connections:
            conn.close()
        waits = [asyncio.ensure_future(conn.wait_closed()) for conn in connections]
        if waits:
            _done, pending = await asyncio.wait(waits, timeout=_STOP_WAIT)
            for conn in connections:
                conn.abort()
            for waiter in pending:
                waiter.cancel()
