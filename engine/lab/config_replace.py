"""Archiving and replacing a simulated device's running-config, as IOS does it:

    R1#copy running-config flash:backup.cfg
    Destination filename [backup.cfg]?
    2873 bytes copied in 0.012 secs (239416 bytes/sec)
    R1#configure replace flash:backup.cfg force
    Total number of passes: 1
    Rollback Done

`configure replace` reads the file back through the lab's own configuration commands,
onto a device with only its hardware (ports, cabling, VLAN database), and swaps the
result in whole: atomically, like IOS, and only if every line applied; otherwise the
running-config stays as it was and the answer says which line failed. Without `force`
it asks first.

The lab shows secrets as stand-in type-9 hashes derived from names, not passwords
(`render_config.fake_hash`): a `secret 9` line whose hash is the one the lab shows for
that user (or the enable secret) keeps the secret the device has, as the real hash would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from engine.lab import config, files
from engine.lab.commands import Failure
from engine.lab.device import Device
from engine.lab.modes import Command, Context, Mode
from engine.lab.render_config import config_lines, fake_hash
from engine.lab.state import FIXED, DeviceState, Interface, User

ACTIONS = ("copy_running_file", "configure_replace")
_CONFIRM = (
    "This will apply all necessary additions and deletions\n"
    "to replace the current running configuration with the\n"
    "contents of the specified configuration file, which is\n"
    "assumed to be a complete configuration, not a partial\n"
    "configuration. Enter Y if you are sure you want to proceed. ? [no]: "
)


def run(device: Device, command: Command) -> str | files.Question | Failure:
    """`copy running-config FILE` or `configure replace FILE [force]`."""
    path = files.parse_path(command.args[0])
    if path is None:
        return Failure("invalid", command.column(len(command.match.words) - 1))
    if command.match.action == "copy_running_file":
        return _copy(device, path)
    if "force" in command.match.words:
        return replace_config(device, path)
    return files.Question(_CONFIRM, lambda answer: _confirmed(device, path, answer))


def _copy(device: Device, path: files.Path) -> files.Question:
    def copy(answer: str) -> str:
        target = files.Path(path.fs, answer.strip() or path.name)
        started = time.monotonic()
        data = ("\n".join(config_lines(device.state)) + "\n").encode()
        if path.fs != "flash" or not files.write(device, target, data):
            return f"%Error opening {target.text} (Permission denied)\n"
        seconds = max(time.monotonic() - started, 0.001)
        rate = int(len(data) / seconds)
        return f"{len(data)} bytes copied in {seconds:.3f} secs ({rate} bytes/sec)\n"

    return files.Question(f"Destination filename [{path.name}]? ", copy)


def _confirmed(device: Device, path: files.Path, answer: str) -> str:
    if answer.strip().lower() not in ("y", "yes"):
        return ""
    return replace_config(device, path)


def replace_config(device: Device, path: files.Path) -> str:
    """Make the running-config the file's configuration; what IOS answers."""
    found = files.read(device, path)
    if found is None or not path.name:
        return f"%Error opening {path.text} ({files.NO_FILE})\n"
    text = found.content().decode("utf-8", "replace")
    old = device.state
    new = _hardware_only(old)
    with _state(device, new):
        refused = _load(device, text)
    if refused:
        lines = "".join(f"%Error: line not applied: {line}\n" for line in refused)
        return f"Total number of passes: 1\n{lines}Rollback aborted after 1 passes\n"
    _keep_what_is_not_config(old, new)
    device.state = new
    return "Total number of passes: 1\nRollback Done\n"


@contextmanager
def _state(device: Device, state: DeviceState) -> Iterator[None]:
    """Configuration commands applied to `state` instead of the device's own."""
    current, device.state = device.state, state
    try:
        yield
    finally:
        device.state = current


def _hardware_only(state: DeviceState) -> DeviceState:
    """A device with the same ports and VLAN database (kept outside the running-config,
    as with VTP), and no configuration: a switch's ports are switch ports until told
    `no switchport`."""
    ports = {
        name: Interface(name, i.index, link=i.link, switchport=i.kind == "GigabitEthernet")
        for name, i in state.interfaces.items()
        if name.startswith(FIXED)
    }
    blank = DeviceState("Router", ports, {}, None, startup=state.startup)
    blank.vlans = dict(state.vlans)
    return blank


def _load(device: Device, text: str) -> list[str]:
    """Apply a configuration file line by line; the lines refused. A line that is not
    indented is a global command, whatever section came before it."""
    fixed = _fixed_lines()
    context = Context(Mode.CONFIG)
    refused = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip() or line.startswith("!"):
            continue
        if line == "end":
            break
        if not line[0].isspace():
            context.enter(Mode.CONFIG)
        if line in fixed:
            continue  # printed by the device itself, not configured
        if not _apply(context, device, line):
            refused.append(line.strip())
    return refused


def _apply(context: Context, device: Device, line: str) -> bool:
    result, leaves = config.resolve(context.mode, line)
    if isinstance(result, Failure):
        if result.kind == "invalid" and result.verbatim:
            config.keep_verbatim(context, device.state, line)
            return True
        return False
    if leaves:
        context.enter(Mode.CONFIG)
    outcome = config.apply(context, device, Command(result, line))
    return outcome == ""


def _fixed_lines() -> frozenset[str]:
    """Global lines every running-config shows, which no command of the lab sets."""
    blank = DeviceState("Router", {}, {}, None)
    return frozenset(line for line in config_lines(blank) if line[:1].strip() and line != "!")


def _keep_what_is_not_config(old: DeviceState, new: DeviceState) -> None:
    """What the running-config does not show: secrets behind the lab's stand-in hashes,
    how unchanged addresses were set, the numbering of interfaces that stay."""
    for name, user in new.users.items():
        before = old.users.get(name)
        if before is not None and user.password in _shown(old, new, name):
            new.users[name] = User(name, before.password, user.privilege)
    if new.enable_secret in _shown(old, new, "enable"):
        new.enable_secret = old.enable_secret
    for name, interface in new.interfaces.items():
        before_if = old.interfaces.get(name)
        if before_if is not None:
            same = before_if.address == interface.address
            method = before_if.method if same else interface.method
            new.update(name, index=before_if.index, method=method)


def _shown(old: DeviceState, new: DeviceState, name: str) -> set[str]:
    """The stand-in hashes the lab may have shown for `name`'s secret (as stored from a
    `secret 9` line), under the hostname of either configuration."""
    return {"\0" + fake_hash(state.hostname, name) for state in (old, new)}
