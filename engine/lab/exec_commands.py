"""Exec-mode commands that only read the device: every `show`, and `ping`.

A table from action name to renderer keeps the dispatch declarative; the session handles
the commands that change the session itself (enable, configure, exit ...).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.lab.commands import Failure
from engine.lab.device import Device
from engine.lab.modes import Command
from engine.lab.render_config import interface_config, running_config, startup_config
from engine.lab.render_interfaces import (
    show_interfaces,
    show_interfaces_description,
    show_interfaces_status,
    show_ip_interface,
    show_ip_interface_brief,
)
from engine.lab.render_show import ping, show_clock, show_inventory, show_version
from engine.lab.render_tables import (
    show_arp,
    show_cdp_neighbors,
    show_cdp_neighbors_detail,
    show_vlan,
)
from engine.lab.routing import show_ip_route

Renderer = Callable[[Device], str]

_TECH_SUPPORT: tuple[tuple[str, Renderer], ...] = (
    ("show version", show_version),
    ("show running-config", lambda d: running_config(d.state)),
    ("show ip interface brief", show_ip_interface_brief),
    ("show interfaces", show_interfaces),
    ("show ip route", show_ip_route),
    ("show cdp neighbors detail", show_cdp_neighbors_detail),
)


def show_tech_support(device: Device) -> str:
    """`show tech-support`: the main show commands, each under a banner line."""
    parts = [
        f"------------------ {title} ------------------\n\n{render(device)}\n"
        for title, render in _TECH_SUPPORT
    ]
    return "\n".join(parts)


_SIMPLE: dict[str, Renderer] = {
    "show_version": show_version,
    "show_clock": show_clock,
    "show_inventory": show_inventory,
    "show_arp": show_arp,
    "show_ip_interface_brief": show_ip_interface_brief,
    "show_ip_route": show_ip_route,
    "show_cdp_neighbors": show_cdp_neighbors,
    "show_cdp_neighbors_detail": show_cdp_neighbors_detail,
    "show_vlan": lambda d: show_vlan(d, brief=False),
    "show_vlan_brief": lambda d: show_vlan(d, brief=True),
    "show_running_config": lambda d: running_config(d.state),
    "show_startup_config": lambda d: startup_config(d.state),
    "show_tech_support": show_tech_support,
}

# Commands naming an interface: the renderer for it, given the interface's full name.
_PER_INTERFACE: dict[str, Callable[[Device, str | None], str]] = {
    "show_interfaces": show_interfaces,
    "show_interfaces_description": show_interfaces_description,
    "show_interfaces_status": show_interfaces_status,
    "show_ip_interface": show_ip_interface,
    "show_running_interface": lambda d, name: interface_config(d.state, name or ""),
}


def is_show(action: str) -> bool:
    """Whether `action` is one of the read-only commands of this module."""
    return action in _SIMPLE or action in _PER_INTERFACE or action == "ping"


def run_show(device: Device, command: Command) -> str | Failure:
    """The output of a read-only command, or where the device refuses it."""
    action = command.match.action
    if action == "ping":
        return ping(device, command.args[0])
    if action in _SIMPLE:
        return _SIMPLE[action](device)
    name = command.args[0] if command.args else None
    if name is not None and name not in device.state.interfaces:
        return Failure("invalid", command.column(command.match.words.index(name)))
    return _PER_INTERFACE[action](device, name)
