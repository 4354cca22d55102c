"""Configuration mode: which tree a line belongs to, and what each command changes.

As on IOS, a line a sub-mode does not know is tried as a global command (which leaves the
sub-mode); a line nobody knows, at a place where real IOS has more commands, is kept as
verbatim configuration text under the current interface or section.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from engine.lab import trees
from engine.lab.commands import Failure, Match, Node, parse
from engine.lab.device import Device
from engine.lab.interface_config import INTERFACE_HANDLERS
from engine.lab.modes import Command, Context, Mode
from engine.lab.state import DeviceState, StaticRoute, User, add_unique, negate

Outcome = str | Failure
Handler = Callable[[Context, Device, Command], Outcome]

_TREES: dict[Mode, Node] = {
    Mode.CONFIG: trees.GLOBAL,
    Mode.INTERFACE: trees.INTERFACE,
    Mode.VLAN: trees.VLAN,
    Mode.LINE: trees.SECTION,
    Mode.ROUTER: trees.SECTION,
}
_HOSTNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
_SECRET_RE = re.compile(r"([0-9]) (\S.*)")


def resolve(mode: Mode, line: str) -> tuple[Match | Failure, bool]:
    """The command a config line is, and whether it is a global one that leaves a sub-mode."""
    result = parse(line, _TREES[mode])
    if mode is Mode.CONFIG or not isinstance(result, Failure) or result.kind != "invalid":
        return result, False
    fallback = parse(line, trees.GLOBAL)
    if isinstance(fallback, Match) and fallback.action == "exec_only":
        return Failure("invalid", len(line) - len(line.lstrip())), False
    if isinstance(fallback, Match):
        return fallback, True
    return result, False


def tree_for(mode: Mode) -> Node:
    """The command tree of a configuration mode (what `?` and Tab offer there)."""
    return _TREES[mode]


def apply(context: Context, device: Device, command: Command) -> Outcome:
    """Carry out one matched config command; text is the device's answer (often empty)."""
    handler = _HANDLERS.get(command.match.action) or INTERFACE_HANDLERS[command.match.action]
    return handler(context, device, command)


def keep_verbatim(context: Context, state: DeviceState, line: str) -> None:
    """Store a line the lab does not model where the current mode puts it."""
    text = " ".join(line.split())
    words = text.split(" ", 1)
    negated = words[0].lower() == "no" and len(words) == 2
    if context.mode is Mode.INTERFACE:
        lines = list(state.interfaces[context.target].extra)
    elif context.mode in (Mode.LINE, Mode.ROUTER):
        lines = state.sections[context.target]
    else:
        lines = state.extra
    if negated:
        negate(lines, words[1])
    else:
        add_unique(lines, text)
    if context.mode is Mode.INTERFACE:
        state.update(context.target, extra=tuple(lines))


def _hostname(context: Context, device: Device, command: Command) -> Outcome:
    name = command.args[0]
    if not _HOSTNAME_RE.fullmatch(name):
        return "% Hostname contains one or more illegal characters.\n"
    device.state.hostname = name
    return ""


def _interface(context: Context, device: Device, command: Command) -> Outcome:
    name = command.args[0]
    if device.state.ensure_interface(name) is None:
        return Failure("invalid", command.column(1))
    context.enter(Mode.INTERFACE, name)
    return ""


def _no_interface(context: Context, device: Device, command: Command) -> Outcome:
    name = command.args[0]
    if name.startswith(("GigabitEthernet", "Null")):
        return "% Removal of physical interfaces is not permitted\n"
    if not device.state.remove_interface(name):
        return Failure("invalid", command.column(2))
    return ""


def _route_prefix(command: Command) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(f"{command.args[0]}/{command.args[1]}")
    except ValueError:
        return None


def _ip_route(context: Context, device: Device, command: Command) -> Outcome:
    prefix = _route_prefix(command)
    if prefix is None:
        return "%Inconsistent address and mask\n"
    rest = command.args[3] if len(command.args) > 3 else ""
    device.state.add_route(StaticRoute(prefix, command.args[2], rest))
    return ""


def _no_ip_route(context: Context, device: Device, command: Command) -> Outcome:
    prefix = _route_prefix(command)
    if prefix is None:
        return "%Inconsistent address and mask\n"
    device.state.remove_route(prefix, command.args[2] if len(command.args) > 2 else None)
    return ""


def _password(text: str) -> str:
    """The clear-text password of `secret [TYPE] VALUE`; a hashed one can never match a login."""
    typed = _SECRET_RE.fullmatch(text)
    if typed is None or typed.group(1) == "0":
        return typed.group(2) if typed else text
    return "\0" + typed.group(2)


def _username(context: Context, device: Device, command: Command) -> Outcome:
    words = command.match.words
    privilege = int(command.args[1]) if "privilege" in words else 1
    current = device.state.users.get(command.args[0])
    if "secret" in words or "password" in words:
        password = _password(command.args[-1])
    else:  # only the privilege changes; a new user without one cannot log in
        password = current.password if current is not None else "\0"
    device.state.users[command.args[0]] = User(command.args[0], password, privilege)
    return ""


def _no_username(context: Context, device: Device, command: Command) -> Outcome:
    device.state.users.pop(command.args[0], None)
    return ""


def _add_to(attribute: str) -> Handler:
    def handler(context: Context, device: Device, command: Command) -> Outcome:
        add_unique(getattr(device.state, attribute), command.args[0])
        return ""

    return handler


def _remove_from(attribute: str) -> Handler:
    def handler(context: Context, device: Device, command: Command) -> Outcome:
        entries: list[str] = getattr(device.state, attribute)
        if command.args[0] in entries:
            entries.remove(command.args[0])
        return ""

    return handler


def _enable_secret(context: Context, device: Device, command: Command) -> Outcome:
    device.state.enable_secret = _password(command.args[0])
    return ""


def _no_enable_secret(context: Context, device: Device, command: Command) -> Outcome:
    device.state.enable_secret = None
    return ""


def _vlan(context: Context, device: Device, command: Command) -> Outcome:
    vlan = int(command.args[0])
    device.state.vlans.setdefault(vlan, f"VLAN{vlan:04d}")
    context.enter(Mode.VLAN, str(vlan))
    return ""


def _no_vlan(context: Context, device: Device, command: Command) -> Outcome:
    vlan = int(command.args[0])
    if vlan == 1:
        return "%Default VLAN 1 may not be deleted.\n"
    device.state.vlans.pop(vlan, None)
    return ""


def _vlan_name(context: Context, device: Device, command: Command) -> Outcome:
    device.state.vlans[int(context.target)] = command.args[0][:32]
    return ""


def _no_vlan_name(context: Context, device: Device, command: Command) -> Outcome:
    device.state.vlans[int(context.target)] = f"VLAN{int(context.target):04d}"
    return ""


def _section(mode: Mode) -> Handler:
    def handler(context: Context, device: Device, command: Command) -> Outcome:
        words = ["con" if w == "console" else w for w in command.match.words]
        head = (
            " ".join(words) if mode is Mode.LINE else "router " + " ".join(command.args[0].split())
        )
        device.state.sections.setdefault(head, [])
        context.enter(mode, head)
        return ""

    return handler


def _exec_only(context: Context, device: Device, command: Command) -> Outcome:
    return Failure("invalid", command.column(0))


def _end(context: Context, device: Device, command: Command) -> Outcome:
    context.enter(Mode.PRIVILEGED)
    return ""


def _exit_mode(context: Context, device: Device, command: Command) -> Outcome:
    context.enter(Mode.PRIVILEGED if context.mode is Mode.CONFIG else Mode.CONFIG)
    return ""


_HANDLERS: dict[str, Handler] = {
    "hostname": _hostname,
    "interface": _interface,
    "no_interface": _no_interface,
    "ip_route": _ip_route,
    "no_ip_route": _no_ip_route,
    "username": _username,
    "no_username": _no_username,
    "logging_host": _add_to("logging_hosts"),
    "no_logging_host": _remove_from("logging_hosts"),
    "ntp_server": _add_to("ntp_servers"),
    "no_ntp_server": _remove_from("ntp_servers"),
    "enable_secret": _enable_secret,
    "no_enable_secret": _no_enable_secret,
    "vlan": _vlan,
    "no_vlan": _no_vlan,
    "vlan_name": _vlan_name,
    "no_vlan_name": _no_vlan_name,
    "line": _section(Mode.LINE),
    "router": _section(Mode.ROUTER),
    "exec_only": _exec_only,
    "end": _end,
    "exit_mode": _exit_mode,
}
