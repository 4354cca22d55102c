"""Layer-2 show commands: spanning tree, the MAC address table, trunks.

The lab's devices meet each other on routed ports, so each device is the root bridge of
its own VLANs; the ports in a VLAN are its up access ports and the trunks that allow it.
"""

from __future__ import annotations

import hashlib

from engine.lab.commands import vlan_set, vlan_text
from engine.lab.device import Device
from engine.lab.identity import format_mac
from engine.lab.state import Interface, allowed_vlans

_PROTOCOLS = {"pvst": "ieee", "rapid-pvst": "rstp", "mst": "mstp"}
_CPU_MACS = (
    "0100.0ccc.cccc", "0100.0ccc.cccd", "0180.c200.0000", "0180.c200.0001",
    "0180.c200.0002", "0180.c200.0003", "0180.c200.0004", "0180.c200.0005",
)  # fmt: skip


def _active(device: Device, vlan: int) -> list[Interface]:
    """The up switch ports that carry `vlan`."""
    return [
        interface
        for interface in device.state.ordered(brief=True)
        if interface.switchport
        and interface.protocol == "up"
        and (vlan in allowed_vlans(interface) if interface.trunk else interface.access_vlan == vlan)
    ]


def show_spanning_tree(device: Device, only: int | None = None) -> str:
    """`show spanning-tree [vlan N]`: one instance per VLAN with active ports."""
    mode = device.state.root.value("spanning-tree", "mode", default="pvst")
    blocks = []
    for vlan in device.state.vlans:
        ports = _active(device, vlan)
        if ports and only in (None, vlan):
            blocks.append(_instance(device, vlan, ports, _PROTOCOLS.get(mode, "ieee")))
    if not blocks:
        return (
            "No spanning tree instance exists.\n"
            if only is None
            else f"Spanning tree instance(s) for vlan {only} does not exist.\n"
        )
    return "".join(blocks)


def _priority(device: Device, vlan: int) -> int:
    """`spanning-tree vlan LIST priority N`, else the default 32768."""
    for line in device.state.root.starting("spanning-tree", "vlan"):
        if vlan in (vlan_set(line.args[0]) or set()):
            return int(line.args[1])
    return 32768


def _instance(device: Device, vlan: int, ports: list[Interface], protocol: str) -> str:
    priority = _priority(device, vlan) + vlan
    bridge = device.identity.mac(0)
    timers = "Hello Time   2 sec  Max Age 20 sec  Forward Delay 15 sec"
    lines = [
        "",
        f"VLAN{vlan:04d}",
        f"  Spanning tree enabled protocol {protocol}",
        f"  Root ID    Priority    {priority}",
        f"             Address     {bridge}",
        "             This bridge is the root",
        f"             {timers}",
        "",
        f"  Bridge ID  Priority    {priority}  (priority {priority - vlan} sys-id-ext {vlan})",
        f"             Address     {bridge}",
        f"             {timers}",
        "             Aging Time  300 sec",
        "",
        "Interface           Role Sts Cost      Prio.Nbr Type",
        "------------------- ---- --- --------- -------- --------------------------------",
    ]
    for port in ports:
        kind = "P2p Edge" if port.portfast else "P2p"
        lines.append(f"{port.short_name:<20}Desg FWD 4         128.{port.index + 1:<5}{kind} ")
    return "\n".join(lines) + "\n\n"


def _host_mac(device: Device, interface: Interface) -> str:
    seed = hashlib.sha256(f"{device.identity.serial}|host|{interface.name}".encode()).digest()
    return format_mac((0x005056 << 24) | int.from_bytes(seed[:3], "big"))


def show_mac_address_table(device: Device, dynamic_only: bool = False) -> str:
    """`show mac address-table [dynamic]`: the CPU's entries and one host per access port."""
    rows = [] if dynamic_only else [f" All    {mac}    STATIC      CPU" for mac in _CPU_MACS]
    for interface in device.state.ordered(brief=True):
        if interface.switchport and not interface.trunk and interface.protocol == "up":
            mac = _host_mac(device, interface)
            rows.append(
                f"{interface.access_vlan:>4}    {mac}    DYNAMIC     {interface.short_name}"
            )
    lines = [
        "          Mac Address Table",
        "-------------------------------------------",
        "",
        "Vlan    Mac Address       Type        Ports",
        "----    -----------       --------    -----",
        *rows,
        f"Total Mac Addresses for this criterion: {len(rows)}",
    ]
    return "\n".join(lines) + "\n"


def show_interfaces_trunk(device: Device, name: str | None = None) -> str:
    """`show interfaces [NAME] trunk`: the four tables of the trunking ports (none: nothing)."""
    trunks = [
        i for i in device.state.ordered(brief=True)
        if i.trunk and i.protocol == "up" and name in (None, i.name)
    ]  # fmt: skip
    if not trunks:
        return ""
    known = set(device.state.vlans)
    lines = ["", "Port        Mode             Encapsulation  Status        Native vlan"]
    lines += [
        f"{t.short_name:<12}{'on':<17}{'802.1q':<15}{'trunking':<14}{t.native_vlan}" for t in trunks
    ]
    sections = (
        ("Vlans allowed on trunk", lambda t: t.allowed),
        (
            "Vlans allowed and active in management domain",
            lambda t: vlan_text(allowed_vlans(t) & known),
        ),
        (
            "Vlans in spanning tree forwarding state and not pruned",
            lambda t: vlan_text(allowed_vlans(t) & known),
        ),
    )
    for title, vlans in sections:
        lines += ["", f"Port        {title}"]
        lines += [f"{t.short_name:<12}{vlans(t) or 'none'}" for t in trunks]
    return "\n".join(lines) + "\n\n"
