"""What a Junos device prints for its operational commands, from its committed configuration.

Shapes follow Junos 21 as ntc-templates' `juniper_junos_*` templates parse them.
"""

from __future__ import annotations

import ipaddress
import time

from engine.lab.candidate import Path, Tree
from engine.lab.device import Device
from engine.lab.identity import format_mac
from engine.lab.platform_ports import PORT_NAMES, neighbours

VERSION = "21.4R3.15"
_PLATFORM = "juniper_junos"
_ETHERNET = (
    "  Link-level type: Ethernet, MTU: 1514, Speed: 1000mbps, BPDU Error: None, "
    "Loopback: Disabled, Source filtering: Disabled, Flow control: Enabled"
)


def hostname(tree: Tree) -> str:
    found = [p[1][1] for p in tree.entries if p[0] == ("system",) and p[1][0] == "host-name"]
    return found[0] if found else "junos"


def colon_mac(device: Device, index: int) -> str:
    dotted = format_mac(device.identity.mac_base + index).replace(".", "")
    return ":".join(dotted[n : n + 2] for n in range(0, 12, 2))


def interfaces(tree: Tree) -> list[str]:
    ports = [PORT_NAMES[_PLATFORM](n) for n in range(8)]
    made = [p[1][0] for p in tree.entries if p[0] == ("interfaces",) and len(p) > 1]
    return ports + [name for name in dict.fromkeys(made) if name not in ports]


def _under(tree: Tree, name: str) -> list[Path]:
    return tree.values(("interfaces",), (name,))


def disabled(tree: Tree, name: str) -> bool:
    return any(p[2:] == (("disable",),) for p in _under(tree, name))


def description(tree: Tree, name: str) -> str | None:
    found = [p[2][1] for p in _under(tree, name) if len(p) == 3 and p[2][0] == "description"]
    return found[0] if found else None


def addresses(tree: Tree, name: str) -> list[ipaddress.IPv4Interface]:
    return [ipaddress.IPv4Interface(p[-1][1]) for p in _under(tree, name)
            if p[-1][0] == "address" and ("family", "inet") in p]  # fmt: skip


def _up(tree: Tree, name: str, index: int | None) -> bool:
    """A port is up while enabled and cabled (management, the ring); the rest are up."""
    if disabled(tree, name):
        return False
    return index is None or index <= 2


def _ago(seconds: int) -> str:
    weeks, seconds = divmod(seconds, 7 * 86400)
    days, seconds = divmod(seconds, 86400)
    return f"{weeks}w{days}d {seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _stamp(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(moment))


_PACKAGES = ("OS Kernel 64-bit", "OS libs", "OS runtime",
             "Packet Forwarding Engine Support (MX Common)", "Routing Software Suite")  # fmt: skip


def show_version(device: Device, tree: Tree) -> str:
    packages = "".join(f"JUNOS {name} [{VERSION}]\n" for name in _PACKAGES)
    return f"Hostname: {hostname(tree)}\nModel: vmx\nJunos: {VERSION}\n{packages}"


def show_interfaces(device: Device, tree: Tree) -> str:
    return "".join(_physical(device, tree, name, n) for n, name in enumerate(interfaces(tree)))


def _physical(device: Device, tree: Tree, name: str, position: int) -> str:
    index = position if position < 8 else None
    up = _up(tree, name, index)
    admin = "Administratively down" if disabled(tree, name) else "Enabled"
    mac = colon_mac(device, position)
    flapped = time.time() - device.uptime()
    lines = [f"Physical interface: {name}, {admin}, Physical link is {'Up' if up else 'Down'}",
             f"  Interface index: {148 + position}, SNMP ifIndex: {526 + position}"]  # fmt: skip
    described = description(tree, name)
    if described is not None:
        lines.append(f"  Description: {described}")
    if name.startswith("lo"):
        lines.append("  Type: Loopback, Link-level type: Unspecified, MTU: Unlimited")
    else:
        lines.append(_ETHERNET)
    lines += [
        "  Device flags   : Present Running",
        "  Interface flags: SNMP-Traps Internal: 0x4000",
        "  Link flags     : None",
        f"  Current address: {mac}, Hardware address: {mac}",
        f"  Last flapped   : {_stamp(flapped)} ({_ago(device.uptime())} ago)",
        "  Input rate     : 0 bps (0 pps)",
        "  Output rate    : 0 bps (0 pps)",
        "  Active alarms  : None",
        "  Active defects : None",
        "",
    ]
    for unit, found in enumerate(addresses(tree, name)[:1]):
        lines += [
            f"  Logical interface {name}.{unit} (Index {333 + position}) "
            f"(SNMP ifIndex {537 + position})",
            "    Flags: Up SNMP-Traps 0x4004000 Encapsulation: ENET2",
            "    Input packets : 0",
            "    Output packets: 0",
            "    Protocol inet, MTU: 1500",
            "      Flags: Sendbcast-pkt-to-re",
            "      Addresses, Flags: Is-Preferred Is-Primary",
            f"        Destination: {found.network}, Local: {found.ip}, "
            f"Broadcast: {found.network.broadcast_address}",
            "",
        ]
    return "\n".join(lines) + "\n"


def show_terse(device: Device, tree: Tree) -> str:
    rows = [f"{'Interface':<24}{'Admin':<6}{'Link':<5}{'Proto':<9}{'Local':<22}Remote"]
    for position, name in enumerate(interfaces(tree)):
        up = _up(tree, name, position if position < 8 else None)
        admin = "down" if disabled(tree, name) else "up"
        rows.append(f"{name:<24}{admin:<6}{'up' if up else 'down'}")
        for found in addresses(tree, name):
            local = str(found.ip) if name.startswith("lo") else found.with_prefixlen
            remote = "--> 0/0" if name.startswith("lo") else ""
            link = "up" if up else "down"
            row = f"{name + '.0':<24}{admin:<6}{link:<5}{'inet':<9}{local:<22}{remote}"
            rows.append(row.rstrip())
    return "\n".join(rows) + "\n"


def show_uptime(device: Device, tree: Tree, last: tuple[float, str]) -> str:
    now = time.time()
    booted = now - device.uptime()
    up = device.uptime()
    days, rest = divmod(up, 86400)
    return (
        f"Current time: {_stamp(now)}\n"
        "Time Source:  LOCAL CLOCK \n"
        f"System booted: {_stamp(booted)} ({_ago(up)} ago)\n"
        f"Protocols started: {_stamp(booted + 60)} ({_ago(up - 60)} ago)\n"
        f"Last configured: {_stamp(last[0])} ({_ago(int(now - last[0]))} ago) by {last[1]}\n"
        f"{time.strftime('%I:%M%p', time.gmtime(now))}  up {days} days, "
        f"{rest // 3600}:{rest % 3600 // 60:02d}, 1 user, load averages: 0.08, 0.05, 0.01\n"
    )


def show_lldp(device: Device, tree: Tree) -> str:
    rows = [
        f"{'Local Interface':<19}{'Parent Interface':<20}{'Chassis Id':<20}"
        f"{'Port info':<19}System Name"
    ]
    for index, peer in sorted(neighbours(device).items()):
        local = PORT_NAMES[_PLATFORM](index)
        if disabled(tree, local) or not tree.has(("protocols",), ("lldp",)):
            continue
        chassis = colon_mac(peer.device, 0)
        rows.append(f"{local:<18} {'-':<19} {chassis:<19} {peer.port:<18} {peer.hostname}")
    return "\n".join(rows) + "\n"


def show_route(device: Device, tree: Tree) -> str:
    ago = _ago(device.uptime())
    routes: list[tuple[ipaddress.IPv4Network, str, list[str]]] = []
    for name in interfaces(tree):
        for found in addresses(tree, name):
            routes.append((found.network, "Direct/0", [f">  via {name}.0"]))
            if found.network.prefixlen < 32:
                routes.append((ipaddress.IPv4Network(f"{found.ip}/32"), "Local/0",
                               [f"   Local via {name}.0"]))  # fmt: skip
    for path in tree.values(("routing-options",), ("static",)):
        if len(path) == 4 and path[3][0] == "next-hop":
            routes.append((ipaddress.IPv4Network(path[2][1]), "Static/5", [f">  to {path[3][1]}"]))
    routes.sort(key=lambda r: (int(r[0].network_address), r[0].prefixlen))
    lines = [
        "",
        f"inet.0: {len(routes)} destinations, {len(routes)} routes ({len(routes)} active, "
        "0 holddown, 0 hidden)",
        "+ = Active Route, - = Last Active, * = Both",
        "",
    ]
    for network, source, hops in routes:
        lines.append(f"{network!s:<19}*[{source}] {ago}")
        lines += [f"{'':20}{hop}" for hop in hops]
    return "\n".join(lines) + "\n"
