"""The SSH side of the lab: asyncssh listeners, one per device, on one event loop.

This module only moves bytes: it feeds keystrokes to the line editor (`terminal`), hands
each line to a `Session`, pages long answers, applies the delays and the connection-level
faults (refuse, hang before the banner, reject logins), runs exec requests and hands SCP
and SFTP to `transfer`. It tracks every live connection, because closing a listener does not
close the sessions it accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import socket
from dataclasses import dataclass

import asyncssh

from engine.lab.bastion import REFUSAL, Forwarding
from engine.lab.device import Device
from engine.lab.personalities import open_session
from engine.lab.terminal import Event, LineEditor, Pager
from engine.lab.transfer import FlashServer

BACKLOG = 1024  # the default (100) drops connections when hundreds of clients start at once
_STOP_WAIT = 1.5  # seconds stop() waits for connections to close before moving on
SERVER_VERSION = "Cisco-1.25"  # the client sees `SSH-2.0-Cisco-1.25`, as from IOS 15
_SECRET_PROMPT = re.compile(r"[Pp]assword: ?$")  # what IOS reads without echo


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
    """Authentication for one device: its local users, after its connect delay. A bastion
    (`forwarding`) also forwards channels to the lab's devices; others forward nothing."""

    def __init__(
        self, device: Device, connections: _Connections, forwarding: Forwarding | None = None
    ) -> None:
        self._device = device
        self._connections = connections
        self._forwarding = forwarding
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._connections.ssh.add(conn)
        if self._forwarding is not None:
            self._forwarding.connected()

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        if self._forwarding is None:
            return False
        self._forwarding.check(dest_host, dest_port)
        return True  # asyncssh connects to the lab device and pipes the channel

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._connections.ssh.discard(self._conn)
        if self._forwarding is not None:
            self._forwarding.disconnected()

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


class _Input:
    """What the client typed and the session has not used yet (IOS keeps type-ahead)."""

    def __init__(self, stream: asyncssh.SSHReader[str]) -> None:
        self._stream = stream
        self.pending = ""

    async def more(self) -> bool:
        """Wait for more input; False at end of input."""
        while True:
            try:
                data: str = await self._stream.read(4096)
            except (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue  # a window resize or a break is not input
            self.pending += data
            return bool(data)

    async def discard_until_closed(self) -> None:
        """Swallow input forever: the device is hung but the connection stays up."""
        self.pending = ""
        while await self.more():
            self.pending = ""


class _Shell:
    """One interactive session: keys in, echo and answers out, a keystroke at a time."""

    def __init__(self, device: Device, process: asyncssh.SSHServerProcess[str]) -> None:
        self.device = device
        self.session = open_session(device, process.get_extra_info("username"))
        self.editor = LineEditor()
        self.input = _Input(process.stdin)
        self.out = process.stdout

    async def run(self) -> None:
        """Until the client leaves or the device ends the session."""
        self.out.write(_wire(self.session.greeting()))
        self._ready("")
        while self.input.pending or await self.input.more():
            used, echo, event = self.editor.feed(self.input.pending)
            self.input.pending = self.input.pending[used:]
            if echo:
                self.out.write(echo)
            if event is not None and await self._act(event):
                return

    async def _act(self, event: Event) -> bool:
        """Answer a key the session acts on; True when the session is over."""
        if event.kind == "line":
            return await self._line(event.text)
        session = self.session
        if event.kind == "help":
            listing = session.help(event.text)
            self.out.write(_wire(f"?\n{listing}\n{session.prompt}{self.editor.visible}"))
        elif event.kind == "complete":
            completed = session.complete(event.text)
            if completed is not None:
                self.out.write(self.editor.replace(completed))
        elif event.kind == "suspend" and not session.configuring:
            self.editor.text = event.text  # Ctrl-Z means nothing outside config mode
        else:  # Ctrl-C anywhere, Ctrl-Z in config mode: back to the exec prompt
            session.interrupt()
            mark = "^C" if event.kind == "interrupt" else "^Z"
            self.out.write(_wire(f"{mark}\n{session.prompt}"))
            self._ready("")
        return False

    async def _line(self, line: str) -> bool:
        reply = self.session.handle(line)
        delay = self.device.delays.command() if line.strip() else 0.0
        if delay > 0:
            await self.out.drain()
            await asyncio.sleep(delay)
        if reply.hang:
            self.out.write(_wire(reply.output))
            await self.input.discard_until_closed()
            return True
        if not await self._page(reply.output):
            return True
        self.out.write(_wire(self.session.prompt))
        self._ready(reply.output)
        if reply.close:
            await self.out.drain()
        return reply.close

    def _ready(self, output: str) -> None:
        """Set the editor for what the device waits for next: a command, an answer, a secret."""
        self.editor.echo = not _SECRET_PROMPT.search(output)
        self.editor.assist = not self.session.asking
        width, prompt = self.session.terminal.width, self.session.prompt
        self.editor.room = max(width - len(prompt) - 1, 1) if width else 0

    async def _page(self, output: str) -> bool:
        """Send output a screen at a time (`terminal length`); False if the client left."""
        terminal = self.session.terminal
        pager = Pager(output, terminal.length, terminal.width)
        self.out.write(_wire(pager.first()))
        while not pager.done:
            key = await self._key()
            if key is None:
                return False
            self.out.write(_wire(pager.press(key)))
        return True

    async def _key(self) -> str | None:
        """The next single key (the LF of a CRLF is not one), or None at end of input."""
        while self.input.pending or await self.input.more():
            key, self.input.pending = self.input.pending[0], self.input.pending[1:]
            if not self.editor.skips(key):
                self.editor.after_key(key)
                return key
        return None


async def _session(device: Device, process: asyncssh.SSHServerProcess[str]) -> None:
    """Serve one channel: a shell until the client or the device ends it, or one command;
    a bastion only says it has no shell (and keeps the connection for its forwards)."""
    if device.knobs.bastion:
        with contextlib.suppress(OSError, asyncssh.Error):
            process.stdout.write(REFUSAL + "\r\n")
            process.exit(1)
        return
    try:
        if process.command is not None:
            await _run_one(device, process)
        else:
            await _Shell(device, process).run()
    except (OSError, asyncssh.Error):
        return  # the client went away mid-session
    finally:
        _close(process)


async def _run_one(device: Device, process: asyncssh.SSHServerProcess[str]) -> None:
    """An exec request (`ssh r1 "show clock"`): the command's output, then exit status 0."""
    session = open_session(device, process.get_extra_info("username"))
    command = process.command or ""
    reply = session.handle(command)
    delay = device.delays.command() if command.strip() else 0.0
    if delay > 0:
        await asyncio.sleep(delay)
    process.stdout.write(_wire(reply.output))
    if reply.hang:
        await _Input(process.stdin).discard_until_closed()
    else:
        await process.stdout.drain()
    process.exit(0)


def _wire(text: str) -> str:
    """IOS ends lines with CRLF."""
    return text.replace("\n", "\r\n")


def _close(process: asyncssh.SSHServerProcess[str]) -> None:
    """End the channel; a shell's end is the connection's end, as on IOS."""
    with contextlib.suppress(OSError, asyncssh.Error):
        process.exit(0)
        if process.command is None:
            process.channel.get_connection().close()


class LabServer:
    """All listeners of one lab, on the running event loop."""

    def __init__(self, host_key: asyncssh.SSHKey) -> None:
        self._connections = _Connections()
        self._acceptors: list[asyncssh.SSHAcceptor] = []
        self._servers: list[asyncio.base_events.Server] = []
        self._sockets: list[socket.socket] = []
        self._key = host_key  # one host key for every device
        self.forwardings: dict[str, Forwarding] = {}  # bastions, by name

    async def start(self, bindings: list[Binding]) -> dict[str, tuple[str, int]]:
        """Listen for every device; returns each device's (address, port)."""
        endpoints = {}
        for binding in bindings:
            port = await self._listen(binding)
            endpoints[binding.device.spec.name] = (binding.address, port)
        devices = [endpoints[name] for name in endpoints if name not in self.forwardings]
        for forwarding in self.forwardings.values():
            forwarding.allow(devices)
        return endpoints

    async def _listen(self, binding: Binding) -> int:
        knobs = binding.device.knobs
        if knobs.refuse:
            return self._reserve(binding)
        if knobs.hang_before_banner:
            return await self._listen_silently(binding)
        device, connections = binding.device, self._connections
        forwarding = Forwarding() if knobs.bastion else None
        if forwarding is not None:
            self.forwardings[device.spec.name] = forwarding

        async def handle(process: asyncssh.SSHServerProcess[str]) -> None:
            await _session(device, process)

        acceptor = await asyncssh.create_server(
            lambda: _DeviceServer(device, connections, forwarding),
            binding.address,
            binding.port,
            server_host_keys=[self._key],
            server_version=SERVER_VERSION,
            process_factory=handle,
            sftp_factory=functools.partial(FlashServer, device),
            allow_scp=True,
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
