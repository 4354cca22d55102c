"""Archiving and replacing a simulated device's running-config, as IOS does it:

    R1#copy running-config flash:backup.cfg
    Destination filename [backup.cfg]?
    2873 bytes copied in 0.012 secs (239416 bytes/sec)
    R1#configure replace flash:backup.cfg force
    Total number of passes: 1
    Rollback Done

`configure replace` reads the file as a boot reads the startup-config (`config.load`),
onto a device with only its hardware, and swaps the result in whole: atomically, like IOS,
and only if every line applied; otherwise the running-config stays as it was and the
answer says which lines failed. Uptime, logs, counters and the saved configuration are
the device's own, not configuration, and stay. Without `force` it asks first.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from engine.lab import config, files
from engine.lab.commands import Failure
from engine.lab.device import Device
from engine.lab.logbuffer import LogBuffer
from engine.lab.modes import Command, Mode, Question
from engine.lab.state import FIXED, DeviceState
from engine.lab.store import Block, Config, Line

ACTIONS = ("copy_running_file", "configure_replace")
_CONFIRM = (
    "This will apply all necessary additions and deletions\n"
    "to replace the current running configuration with the\n"
    "contents of the specified configuration file, which is\n"
    "assumed to be a complete configuration, not a partial\n"
    "configuration. Enter Y if you are sure you want to proceed. ? [no]: "
)


def run(device: Device, command: Command) -> str | Question | Failure:
    """`copy running-config FILE` or `configure replace FILE [force]`."""
    path = files.parse_path(command.args[0])
    if path is None:
        return Failure("invalid", command.column(len(command.match.words) - 1))
    if command.match.action == "copy_running_file":
        return _copy(device, path)
    if "force" in command.match.words:
        return replace_config(device, path)
    return Question(_CONFIRM, lambda answer: _confirmed(device, path, answer))


def _copy(device: Device, path: files.Path) -> Question:
    def copy(answer: str) -> str:
        target = files.Path(path.fs, answer.strip() or path.name)
        started = time.monotonic()
        data = device.running_text().encode()
        if path.fs != "flash" or not files.write(device, target, data):
            return f"%Error opening {target.text} (Permission denied)\n"
        seconds = max(time.monotonic() - started, 0.001)
        rate = int(len(data) / seconds)
        return f"{len(data)} bytes copied in {seconds:.3f} secs ({rate} bytes/sec)\n"

    return Question(f"Destination filename [{path.name}]? ", copy)


def _confirmed(device: Device, path: files.Path, answer: str) -> str:
    if answer.strip().lower() not in ("y", "yes"):
        return ""
    return replace_config(device, path)


def replace_config(device: Device, path: files.Path) -> str:
    """Make the running-config the file's configuration; what IOS answers."""
    found = files.read(device, path)
    if found is None or not path.name:
        return f"%Error opening {path.text} ({files.NO_FILE})\n"
    old = device.state
    new = _hardware_only(old)
    with _loading(device, new):
        config.load(device, "\n".join(f"interface {name}" for name in new.ports))
        refused = config.load(device, found.content().decode("utf-8", "replace"))
    if refused:
        lines = "".join(f"%Error: line not applied: {line}\n" for line in refused)
        return f"Total number of passes: 1\n{lines}Rollback aborted after 1 passes\n"
    _keep_what_is_not_config(old, new)
    device.state = new
    new.changed()
    return "Total number of passes: 1\nRollback Done\n"


@contextmanager
def _loading(device: Device, state: DeviceState) -> Iterator[None]:
    """Configuration applied to `state` instead of the device's own, its log messages
    dropped (the lines a file sets again are no news)."""
    current, log = device.state, device.log
    device.state, device.log = state, LogBuffer()
    try:
        yield
    finally:
        device.state, device.log = current, log


def _hardware_only(state: DeviceState) -> DeviceState:
    """A device with the same ports and cabling, and no configuration."""
    ports = {name: index for name, index in state.ports.items() if name.startswith(FIXED)}
    root = Block(Line((), "", (0, 0)), Mode.CONFIG)
    return DeviceState(Config(root), ports, state.carrier, startup=state.startup)


def _keep_what_is_not_config(old: DeviceState, new: DeviceState) -> None:
    """What the running-config does not say: the numbering of interfaces that stay, and
    whether an address that did not change was set by hand (`show ip interface brief`)."""
    for name in new.ports:
        if name in old.ports:
            new.ports[name] = old.ports[name]
            if old.interface(name).address == new.interface(name).address:
                new.manual.discard(name)
                if name in old.manual:
                    new.manual.add(name)
