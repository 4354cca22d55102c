"""Interface configuration mode: addresses, descriptions, shutdown, switchport settings.

Answers follow IOS wording for the mistakes people make most: a bad mask, an address that
overlaps another interface, an IP address on a layer-2 port.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from engine.lab.commands import Failure
from engine.lab.device import Device
from engine.lab.modes import Command, Context
from engine.lab.state import Interface

Outcome = str | Failure
Handler = Callable[[Context, Device, Command], Outcome]


def _interface(context: Context, device: Device) -> Interface:
    return device.state.interfaces[context.target]


def _set(**changes: object) -> Handler:
    """A handler that only sets fields of the current interface."""

    def handler(context: Context, device: Device, command: Command) -> Outcome:
        device.state.update(context.target, **changes)
        return ""

    return handler


def _description(context: Context, device: Device, command: Command) -> Outcome:
    device.state.update(context.target, description=command.args[0][:240])
    return ""


def _ip_address(context: Context, device: Device, command: Command) -> Outcome:
    interface = _interface(context, device)
    if interface.switchport:
        return Failure("invalid", command.column(1))
    checked = _checked_address(device, interface, command.args[0], command.args[1])
    if isinstance(checked, str):
        return checked
    if command.match.action == "ip_address_secondary":
        line = f"ip address {checked.ip} {checked.netmask} secondary"
        device.state.update(context.target, extra=(*interface.extra, line))
    else:
        device.state.update(context.target, address=checked, method="manual")
    return ""


def _checked_address(
    device: Device, interface: Interface, address: str, mask: str
) -> ipaddress.IPv4Interface | str:
    """The address, or the error text IOS prints for it."""
    try:
        value = ipaddress.IPv4Interface(f"{address}/{mask}")
    except ValueError:
        return f"Bad mask 0x{int(ipaddress.IPv4Address(mask)):X} for address {address}\n"
    network = value.network
    if network.prefixlen < 31 and value.ip in (network.network_address, network.broadcast_address):
        return f"Bad mask /{network.prefixlen} for address {address}\n"
    for other in device.state.interfaces.values():
        if (
            other.name != interface.name
            and other.address is not None
            and other.address.network.overlaps(network)
        ):
            return f"% {network.network_address} overlaps with {other.name}\n"
    return value


def _no_ip_address(context: Context, device: Device, command: Command) -> Outcome:
    interface = _interface(context, device)
    extra = tuple(line for line in interface.extra if not line.startswith("ip address "))
    device.state.update(context.target, address=None, extra=extra)
    return ""


def _switchport(context: Context, device: Device, command: Command) -> Outcome:
    if _interface(context, device).kind != "GigabitEthernet":
        return Failure("invalid", command.column(0))
    # Turning a routed port into a switch port drops its layer-3 configuration, as on IOS.
    device.state.update(context.target, switchport=True, address=None)
    return ""


def _no_switchport(context: Context, device: Device, command: Command) -> Outcome:
    if _interface(context, device).kind != "GigabitEthernet":
        return Failure("invalid", command.column(1))
    device.state.update(context.target, switchport=False, trunk=False, access_vlan=1)
    return ""


def _access_vlan(context: Context, device: Device, command: Command) -> Outcome:
    interface = _interface(context, device)
    if not interface.switchport:
        return f"% Command rejected: {interface.name} is not a switching port.\n"
    vlan = int(command.args[0])
    answer = ""
    if vlan not in device.state.vlans:
        device.state.vlans[vlan] = f"VLAN{vlan:04d}"
        answer = f"% Access VLAN does not exist. Creating vlan {vlan}\n"
    device.state.update(context.target, access_vlan=vlan)
    return answer


def _switchport_mode(context: Context, device: Device, command: Command) -> Outcome:
    interface = _interface(context, device)
    if not interface.switchport:
        return f"% Command rejected: {interface.name} is not a switching port.\n"
    device.state.update(context.target, trunk=command.match.words[-1] == "trunk")
    return ""


def _noop(context: Context, device: Device, command: Command) -> Outcome:
    return ""


INTERFACE_HANDLERS: dict[str, Handler] = {
    "description": _description,
    "no_description": _set(description=""),
    "ip_address": _ip_address,
    "ip_address_secondary": _ip_address,
    "no_ip_address": _no_ip_address,
    "shutdown": _set(shutdown=True),
    "no_shutdown": _set(shutdown=False),
    "switchport": _switchport,
    "no_switchport": _no_switchport,
    "switchport_access_vlan": _access_vlan,
    "no_switchport_access_vlan": _set(access_vlan=1),
    "switchport_mode": _switchport_mode,
    "noop": _noop,
}
