"""Exec-mode commands that only read the device: every `show`, and `ping`.

A table from action name to renderer keeps the dispatch declarative; the session handles
the commands that change the session itself (enable, configure, exit ...).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.lab import acl, bgp, ospf
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
from engine.lab.render_show import (
    PingRequest,
    ping,
    show_clock,
    show_inventory,
    show_logging,
    show_processes_cpu,
    show_version,
)
from engine.lab.render_switching import (
    show_interfaces_trunk,
    show_mac_address_table,
    show_spanning_tree,
)
from engine.lab.render_tables import (
    show_arp,
    show_cdp_neighbors,
    show_cdp_neighbors_detail,
    show_lldp_neighbors,
    show_vlan,
)
from engine.lab.routing import routes, show_ip_route

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


def show_bgp_summary(device: Device) -> str:
    reachable = {route.prefix for route in routes(device)}
    return bgp.show_summary(device, bgp.sessions(device, reachable))


_SIMPLE: dict[str, Renderer] = {
    "show_version": show_version,
    "show_clock": show_clock,
    "show_inventory": show_inventory,
    "show_arp": show_arp,
    "show_ip_interface_brief": show_ip_interface_brief,
    "show_ip_route": show_ip_route,
    "show_cdp_neighbors": show_cdp_neighbors,
    "show_cdp_neighbors_detail": show_cdp_neighbors_detail,
    "show_lldp_neighbors": show_lldp_neighbors,
    "show_vlan": lambda d: show_vlan(d, brief=False),
    "show_vlan_brief": lambda d: show_vlan(d, brief=True),
    "show_running_config": lambda d: running_config(d.state),
    "show_startup_config": lambda d: startup_config(d.state),
    "show_tech_support": show_tech_support,
    "show_logging": show_logging,
    "show_processes_cpu": show_processes_cpu,
    "show_ip_ospf_neighbor": ospf.show_neighbors,
    "show_ip_bgp_summary": show_bgp_summary,
}

# Commands naming an interface: the renderer for it, given the interface's full name.
_PER_INTERFACE: dict[str, Callable[[Device, str | None], str]] = {
    "show_interfaces": show_interfaces,
    "show_interfaces_description": show_interfaces_description,
    "show_interfaces_status": show_interfaces_status,
    "show_interfaces_trunk": show_interfaces_trunk,
    "show_ip_interface": show_ip_interface,
    "show_running_interface": lambda d, name: interface_config(d.state, name or ""),
}

# Commands with options of their own.
_WITH_OPTIONS: dict[str, Callable[[Device, Command], str]] = {
    "ping": lambda d, c: ping(d, _ping_request(c)),
    "show_spanning_tree": lambda d, c: show_spanning_tree(d, int(c.args[0]) if c.args else None),
    "show_mac_address_table": lambda d, c: show_mac_address_table(d, "dynamic" in c.match.words),
    "show_access_lists": lambda d, c: acl.show_access_lists(d.state.config, (c.args or (None,))[0]),
}


def is_show(action: str) -> bool:
    """Whether `action` is one of the read-only commands of this module."""
    return action in _SIMPLE or action in _PER_INTERFACE or action in _WITH_OPTIONS


def run_show(device: Device, command: Command) -> str | Failure:
    """The output of a read-only command, or where the device refuses it."""
    action = command.match.action
    if action in _WITH_OPTIONS:
        return _WITH_OPTIONS[action](device, command)
    if action in _SIMPLE:
        return _SIMPLE[action](device)
    name = command.args[0] if command.args else None
    if name is not None and name not in device.state.ports:
        return Failure("invalid", command.column(command.match.words.index(name)))
    return _PER_INTERFACE[action](device, name)


def _ping_request(command: Command) -> PingRequest:
    """`ping TARGET [repeat N] [size N] [source X] [timeout N]` as a request."""
    words = command.match.words
    request = PingRequest(command.args[0])
    for option in ("repeat", "size", "timeout"):
        if option in words:
            request = request.with_value(option, int(words[words.index(option) + 1]))
    if "source" in words:
        request = request.with_source(words[words.index("source") + 1])
    return request
