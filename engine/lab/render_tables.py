"""Table-like show commands: ARP, CDP and LLDP neighbours, VLANs."""

from __future__ import annotations

import hashlib
import ipaddress

from engine.lab.device import Device
from engine.lab.identity import format_mac
from engine.lab.state import Interface
from engine.lab.topology import (
    MANAGEMENT,
    Neighbor,
    cdp_neighbors,
    far_end,
    lldp_neighbors,
    oob_switch,
)

# IOS ends two of these lines with a space.
_CDP_CODES = (
    "Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge\n"
    "                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone, \n"
    "                  D - Remote, C - CVTA, M - Two-port Mac Relay \n"
)
_CAPABILITY_LETTERS = {"Router": "R", "Switch": "S", "IGMP": "I", "Host": "H", "Phone": "P"}
_RESERVED_VLANS = (
    (1002, "fddi-default", "fddi", "-", "-"),
    (1003, "token-ring-default", "tr", "-", "srb"),
    (1004, "fddinet-default", "fdnet", "ieee", "-"),
    (1005, "trnet-default", "trnet", "ibm", "-"),
)


def show_arp(device: Device) -> str:
    """`show arp` and `show ip arp` (the same table on IOS): the device's own addresses,
    the far ends of its cables, and the management network's gateway and switch."""
    entries: dict[ipaddress.IPv4Address, tuple[str, str, str]] = {}
    for interface in device.state.ordered(brief=True):
        if interface.protocol != "up" or interface.kind == "Loopback":
            continue
        for own in (interface.address, *interface.secondaries):
            if own is not None:
                entries[own.ip] = ("-", device.identity.mac(interface.index), interface.name)
        for host, mac in _hosts_on(device, interface):
            entries.setdefault(host, (str(_age(device, host)), mac, interface.name))
    lines = ["Protocol  Address          Age (min)  Hardware Addr   Type   Interface"]
    for address in sorted(entries):
        age, mac, name = entries[address]
        lines.append(f"Internet  {address!s:<15}{age:>10}   {mac}  ARPA   {name}")
    return "\n".join(lines) + "\n"


def _hosts_on(device: Device, interface: Interface) -> list[tuple[ipaddress.IPv4Address, str]]:
    """The other hosts this device has talked to through the interface."""
    if interface.address is None:
        return []
    far = far_end(device, interface.name)
    if far is not None:
        peer, port = far
        other = peer.state.interface(port)
        if (
            other.address is None
            or other.protocol != "up"
            or (peer is device and port == interface.name)
        ):
            return []
        same = other.address.ip in interface.address.network
        return [(other.address.ip, peer.identity.mac(other.index))] if same else []
    if interface.name != MANAGEMENT:
        return []
    switch = oob_switch(device.identity)
    hosts = [(ipaddress.IPv4Address(switch.address), switch.mac)]
    hosts.append((device.identity.gateway, _mac_for(device.identity.gateway)))
    return [
        (a, m) for a, m in hosts if a in interface.address.network and a != interface.address.ip
    ]


def _mac_for(address: ipaddress.IPv4Address) -> str:
    seed = hashlib.sha256(address.packed).digest()
    return format_mac((0x0C0000 << 24) | int.from_bytes(seed[:4], "big") & 0xFFFFFFFFFF)


def _age(device: Device, address: ipaddress.IPv4Address) -> int:
    return hashlib.sha256(f"{device.identity.serial}|{address}".encode()).digest()[0] % 240


def show_cdp_neighbors(device: Device) -> str:
    """`show cdp neighbors`; long device IDs get a line of their own, as on IOS."""
    found = cdp_neighbors(device)
    if not _cdp_on(device):
        return "% CDP is not enabled\n"
    lines = [
        _CDP_CODES,
        "Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID",
    ]
    for neighbor in found:
        letters = " ".join(_CAPABILITY_LETTERS[c] for c in neighbor.capabilities.split())
        platform = neighbor.platform.split()[-1][:9]
        local, holdtime = _short(neighbor.local_interface), _holdtime(device, neighbor)
        row = f"{local:<18}{holdtime:<11}{letters:>10}  {platform:<9} {_short(neighbor.port)}"
        if len(neighbor.device_id) > 16:
            lines += [neighbor.device_id, " " * 17 + row]
        else:
            lines.append(f"{neighbor.device_id:<17}{row}")
    lines += ["", f"Total cdp entries displayed : {len(found)}"]
    return "\n".join(lines) + "\n"


def _cdp_on(device: Device) -> bool:
    return not device.state.root.has("cdp", "run")


def show_cdp_neighbors_detail(device: Device) -> str:
    """`show cdp neighbors detail`."""
    if not _cdp_on(device):
        return "% CDP is not enabled\n"
    found = cdp_neighbors(device)
    blocks = [_cdp_detail(device, n) for n in found]
    return "".join(blocks) + f"\n\nTotal cdp entries displayed : {len(found)}\n"


def show_lldp_neighbors(device: Device) -> str:
    """`show lldp neighbors`."""
    found = lldp_neighbors(device)
    if found is None:
        return "% LLDP is not enabled\n"
    lines = [
        "Capability codes:",
        "    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device",
        "    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other",
        "",
        "Device ID           Local Intf     Hold-time  Capability      Port ID",
    ]
    for neighbor in found:
        letters = "B,R" if "Router" in neighbor.capabilities else "B"
        local, port = _compact(neighbor.local_interface), _compact(neighbor.port)
        lines.append(f"{neighbor.device_id[:20]:<20}{local:<15}{120:<11}{letters:<16}{port}")
    lines += ["", f"Total entries displayed: {len(found)}", ""]
    return "\n".join(lines) + "\n"


def _compact(name: str) -> str:
    """`GigabitEthernet0/1` as LLDP tables print it: `Gi0/1`."""
    kind = name.rstrip("0123456789/.")
    return f"{kind[:2]}{name[len(kind) :]}"


def _cdp_detail(device: Device, neighbor: Neighbor) -> str:
    return (
        "-------------------------\n"
        f"Device ID: {neighbor.device_id}\n"
        f"Entry address(es): \n  IP address: {neighbor.address}\n"
        f"Platform: {neighbor.platform},  Capabilities: {neighbor.capabilities} \n"
        f"Interface: {neighbor.local_interface},  Port ID (outgoing port): {neighbor.port}\n"
        f"Holdtime : {_holdtime(device, neighbor)} sec\n\n"
        f"Version :\n{neighbor.version}\n"
        "Technical Support: http://www.cisco.com/techsupport\n"
        "Copyright (c) 1986-2021 by Cisco Systems, Inc.\n"
        "Compiled Tue 19-Jan-21 03:15 by prod_rel_team\n\n"
        "advertisement version: 2\n"
        "VTP Management Domain: ''\n"
        "Native VLAN: 1\n"
        "Duplex: full\n"
        f"Management address(es): \n  IP address: {neighbor.address}\n\n"
    )


def _short(name: str) -> str:
    """`GigabitEthernet0/1` as CDP tables print it: `Gig 0/1`."""
    kind = name.rstrip("0123456789/.")
    return f"{kind[:3]} {name[len(kind) :]}"


def _holdtime(device: Device, neighbor: Neighbor) -> int:
    # Holdtime counts down from 180 between CDP advertisements (every 60 s).
    return 180 - (device.uptime() + len(neighbor.device_id)) % 60


def show_vlan(device: Device, *, brief: bool) -> str:
    """`show vlan brief`, or `show vlan` with its type table."""
    lines = [
        "",
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------",
    ]
    for vlan, name in sorted(device.state.vlans.items()):
        lines += _vlan_rows(vlan, name, _access_ports(device, vlan))
    lines += [f"{vlan:<5}{name:<33}act/unsup " for vlan, name, *_ in _RESERVED_VLANS]
    if not brief:
        lines += _vlan_types(device)
    return "\n".join(lines) + "\n"


def _access_ports(device: Device, vlan: int) -> list[str]:
    return [
        i.short_name
        for i in device.state.ordered(brief=True)
        if i.switchport and not i.trunk and i.access_vlan == vlan
    ]


def _vlan_rows(vlan: int, name: str, ports: list[str]) -> list[str]:
    chunks = [", ".join(ports[i : i + 4]) for i in range(0, len(ports), 4)] or [""]
    rows = [f"{vlan:<5}{name[:32]:<33}active    {chunks[0]}"]
    rows += [" " * 48 + chunk for chunk in chunks[1:]]
    return rows


def _vlan_types(device: Device) -> list[str]:
    lines = [
        "",
        "VLAN Type  SAID       MTU   Parent RingNo BridgeNo Stp  BrdgMode Trans1 Trans2",
        "---- ----- ---------- ----- ------ ------ -------- ---- -------- ------ ------",
    ]
    for vlan in sorted(device.state.vlans):
        said = 100000 + vlan
        lines.append(
            f"{vlan:<5}enet  {said:<11}1500  -      -      -        -    -        0      0   "
        )
    for vlan, _name, kind, stp, mode in _RESERVED_VLANS:
        said, bridging = 100000 + vlan, f"{stp:<5}{mode:<9}"
        lines.append(
            f"{vlan:<5}{kind:<6}{said:<11}1500  -      -      -        {bridging}0      0   "
        )
    lines += [
        "",
        "Remote SPAN VLANs",
        "-" * 78,
        "",
        "",
        "Primary Secondary Type              Ports",
        "------- --------- ----------------- ------------------------------------------",
    ]
    return lines
