"""The lab: simulated devices served over SSH on loopback, from synchronous code.

One asyncio event loop in a daemon thread serves every device; each device listens on
its own loopback address (127.0.1.1, 127.0.1.2, ...), like real devices have their own
IPs. Binding 127.0.0.0/8 addresses needs no set-up on Linux.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
import threading
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from types import FrameType, MappingProxyType, TracebackType
from typing import Any, TextIO, TypeVar

import asyncssh

from engine.errors import NetplayError
from engine.files import FileWriteError
from engine.lab import hostkey
from engine.lab.bastion import ForwardCounts
from engine.lab.device import Device, DeviceSpec
from engine.lab.identity import derive
from engine.lab.knobs import Delays
from engine.lab.server import Binding, LabServer
from engine.lab.topology import wire
from engine.terminal import printable

_T = TypeVar("_T")
_SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None
_LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")
_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 10.0


class _QuietClosedWrites(logging.Filter):
    """asyncio warns when a device keeps answering a client that already hung up; for a
    lab whose clients disconnect at will that is normal, not worth a line on stderr."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "socket.send() raised exception" not in record.getMessage()


logging.getLogger("asyncio").addFilter(_QuietClosedWrites())


class LabError(NetplayError):
    """The lab could not start (an address or port already in use, say)."""


def allocate(first: str, count: int) -> list[str]:
    """`count` loopback addresses from `first`, skipping .0 and .255 of every /24."""
    current = ipaddress.IPv4Address(first)
    if current not in _LOOPBACK:
        raise ValueError(f"lab addresses must be in 127.0.0.0/8, not {first}")
    found: list[str] = []
    while len(found) < count:
        if current not in _LOOPBACK:
            raise ValueError(f"not enough loopback addresses after {first} for {count} devices")
        if current.packed[3] not in (0, 255):
            found.append(str(current))
        current += 1
    return found


def build_devices(specs: Sequence[DeviceSpec]) -> list[Device]:
    """The devices of a lab, cabled together (see `topology`)."""
    identities = [derive(spec.name, spec.address) for spec in specs]
    wirings = wire(identities)
    devices = [
        Device(spec, wirings[index], identity=identities[index]) for index, spec in enumerate(specs)
    ]
    for device in devices:
        device.lab = devices
    return devices


class Lab:
    """Simulated devices for a list of hosts; start() serves them, stop() ends everything."""

    def __init__(
        self,
        devices: Sequence[DeviceSpec],
        *,
        port: int | None = None,
        first_address: str = "127.0.1.1",
        host_key: Path | None = None,
    ) -> None:
        """`host_key`: the file that keeps the lab's SSH host key from one start to the
        next (created on first use); without one, every start makes a new key."""
        names = [spec.name for spec in devices]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate device names in lab: {', '.join(duplicates)}")
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"lab port must be between 1 and 65535, not {port}")
        self._devices = build_devices(devices)
        addresses = allocate(first_address, len(devices))
        self._bindings = [
            Binding(d, a, port or 0) for d, a in zip(self._devices, addresses, strict=True)
        ]
        self._endpoints: dict[str, tuple[str, int]] = {}
        self._host_key_path = host_key
        self._key: asyncssh.SSHKey | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: LabServer | None = None

    def start(self) -> None:
        """Serve every device; returns when all listeners are up."""
        if self._loop is not None:
            raise RuntimeError("lab already started")
        self._key = self._load_key()
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="netplay-lab", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            self._endpoints = self._call(self._start_async(), _START_TIMEOUT)
        except BaseException as exc:
            self.stop()  # never leave a half-started lab's thread and sockets behind
            if isinstance(exc, OSError):
                raise LabError(f"cannot start the lab: {exc.strerror or exc}") from exc
            raise

    def _load_key(self) -> asyncssh.SSHKey:
        path = self._host_key_path
        if path is None:
            return self._key or hostkey.generate()
        try:
            return hostkey.load_or_create(path)
        except (OSError, ValueError, FileWriteError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise LabError(f"cannot use the lab's host key {path}: {reason}") from exc

    @property
    def fingerprint(self) -> str:
        """The SHA256 fingerprint of the host key every device presents (once started)."""
        if self._key is None:
            raise RuntimeError("the lab is not started")
        return hostkey.fingerprint(self._key)

    async def _start_async(self) -> dict[str, tuple[str, int]]:
        assert self._key is not None
        self._server = LabServer(self._key)
        return await self._server.start(self._bindings)

    def stop(self) -> None:
        """Close every listener and live session, then the event loop. Safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            self._call(self._stop_async(), _STOP_TIMEOUT)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(_STOP_TIMEOUT)
            loop.close()
            self._loop = self._thread = self._server = None
            self._endpoints = {}

    async def _stop_async(self) -> None:
        if self._server is not None:
            await self._server.stop()
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.get_running_loop().shutdown_asyncgens()

    def _call(self, coroutine: Coroutine[Any, Any, _T], timeout: float) -> _T:
        """Run a coroutine on the lab's loop and wait for its result."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def endpoint(self, name: str) -> tuple[str, int]:
        """Where to connect to device `name` (address, port)."""
        if not self._endpoints:
            raise RuntimeError("the lab is not started")
        try:
            return self._endpoints[name]
        except KeyError:
            raise KeyError(f"no device named {name!r} in the lab") from None

    def forwarded(self, name: str, *, idle_within: float | None = None) -> ForwardCounts:
        """What bastion `name` has done so far (connections, channels, refusals); with
        `idle_within`, once its clients have all left (waiting at most that long)."""
        if self._server is None or name not in self._server.forwardings:
            raise KeyError(f"no bastion named {name!r} in the lab")
        forwarding = self._server.forwardings[name]
        return forwarding.counts if idle_within is None else forwarding.idle(idle_within)

    def restart_delays(self) -> None:
        """Every device draws its jittered delays again from the start of its sequence, so
        successive runs (e.g. of different tools in a benchmark) meet the same delays."""
        for device in self._devices:
            device.delays = Delays(device.spec.name, device.spec.knobs)

    @property
    def endpoints(self) -> Mapping[str, tuple[str, int]]:
        """Every device's (address, port), in inventory order."""
        return MappingProxyType(dict(self._endpoints))

    def __enter__(self) -> Lab:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve_forever(lab: Lab, out: TextIO) -> None:
    """Start the lab, print `NAME  ADDRESS:PORT` per device (control characters in a name
    shown, not obeyed) and the host key's fingerprint, serve until SIGINT/SIGTERM."""
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = _install(on_signal)
    try:
        lab.start()
        endpoints = lab.endpoints
        width = max((len(name) for name in endpoints), default=0)
        for name, (address, port) in endpoints.items():
            print(printable(f"{name:<{width}}  {address}:{port}"), file=out)
        print(f"host key {lab.fingerprint}", file=out)
        out.flush()
        while not stopping.wait(0.2):
            pass
    finally:
        lab.stop()
        _restore(previous)


def _install(handler: _SignalHandler) -> dict[int, _SignalHandler]:
    if threading.current_thread() is not threading.main_thread():
        return {}  # signals only reach the main thread; the caller stops us some other way
    return {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}


def _restore(previous: dict[int, _SignalHandler]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
