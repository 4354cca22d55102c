"""What an IOS-XR device prints for its show commands, from its committed configuration.

Shapes follow IOS-XR 7 as ntc-templates' `cisco_xr_*` templates parse them: every show
output starts with the time stamp IOS-XR prints, `show running-config` with its `!!` header.
"""

from __future__ import annotations

import ipaddress
import time

from engine.lab.candidate import Path, Tree
from engine.lab.candidate_store import Commit
from engine.lab.device import Device
from engine.lab.platform_ports import PORT_NAMES, neighbours

VERSION = "7.3.2"
_PLATFORM = "cisco_xr"
_UNITS = (("year", 365 * 86400), ("week", 7 * 86400), ("day", 86400), ("hour", 3600),
          ("minute", 60))  # fmt: skip
SHORT_NAMES = {"GigabitEthernet": "Gi", "MgmtEth": "Mg", "Loopback": "Lo", "TenGigE": "Te"}


def stamp(now: float | None = None) -> str:
    """The line IOS-XR prints before a show command's output."""
    moment = time.time() if now is None else now
    tm = time.gmtime(moment)
    millis = int((moment % 1) * 1000)
    clock = time.strftime("%H:%M:%S", tm)
    return f"{time.strftime('%a %b', tm)} {tm.tm_mday:2d} {clock}.{millis:03d} UTC\n"


def uptime(seconds: int) -> str:
    parts = []
    for unit, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts) or "0 minutes"


def hostname(tree: Tree) -> str:
    found = [p[0][1] for p in tree.entries if p[0][0] == "hostname"]
    return found[0] if found else "ios"


def interfaces(tree: Tree) -> list[str]:
    """Every interface: the lab's ports, then the logical ones the configuration makes."""
    ports = [PORT_NAMES[_PLATFORM](n) for n in range(8)]
    made = [p[0][1] for p in tree.entries if p[0][0] == "interface"]
    return ports + [name for name in dict.fromkeys(made) if name not in ports]


def _setting(tree: Tree, name: str, keyword: str) -> Path | None:
    found = tree.values(("interface", name))
    return next((p for p in found if len(p) > 1 and p[1][0] == keyword), None)


def address(tree: Tree, name: str) -> ipaddress.IPv4Interface | None:
    path = _setting(tree, name, "ipv4 address")
    if path is None:
        return None
    try:
        return ipaddress.IPv4Interface(f"{path[1][1]}/{path[1][2]}")
    except ValueError:
        return None


def shut(tree: Tree, name: str) -> bool:
    return _setting(tree, name, "shutdown") is not None


def show_version(device: Device, tree: Tree) -> str:
    return (
        f"{stamp()}\nCisco IOS XR Software, Version {VERSION}\n"
        "Copyright (c) 2013-2021 by Cisco Systems, Inc.\n\n"
        "Build Information:\n"
        " Built By     : lab\n"
        " Built On     : Thu Aug 26 10:12:05 UTC 2021\n"
        " Built Host   : iox-lab-001\n"
        f" Workspace    : /auto/srcarchive/prod/{VERSION}/xrv9k/ws\n"
        f" Version      : {VERSION}\n"
        " Location     : /opt/cisco/XR/packages/\n"
        f" Label        : {VERSION}\n\n"
        "cisco IOS-XRv 9000 () processor\n"
        f"System uptime is {uptime(device.uptime())}\n"
    )


def show_ipv4_brief(device: Device, tree: Tree) -> str:
    rows = [f"{'Interface':<31}{'IP-Address':<16}{'Status':<16}{'Protocol':<9}Vrf-Name"]
    for name in interfaces(tree):
        found = address(tree, name)
        state = ("Shutdown", "Down") if shut(tree, name) else ("Up", "Up")
        ip = str(found.ip) if found else "unassigned"
        rows.append(f"{name:<31}{ip:<16}{state[0]:<16}{state[1]:<9}default")
    return stamp() + "\n" + "\n".join(rows) + "\n"


def show_interfaces(device: Device, tree: Tree) -> str:
    blocks = [_interface(device, tree, name, n) for n, name in enumerate(interfaces(tree))]
    return stamp() + "".join(blocks)


def _interface(device: Device, tree: Tree, name: str, index: int) -> str:
    state = "administratively down" if shut(tree, name) else "up"
    described = _setting(tree, name, "description")
    found = address(tree, name)
    mac = device.identity.mac(index)
    loopback = name.startswith("Loopback")
    lines = [
        f"{name} is {state}, line protocol is {state}",
        "  Interface state transitions: 1",
        "  Hardware is Loopback interface(s)" if loopback
        else f"  Hardware is GigabitEthernet, address is {mac} (bia {mac})",
    ]  # fmt: skip
    if described is not None:
        lines.append(f"  Description: {described[1][1]}")
    lines.append(f"  Internet address is {found.with_prefixlen if found else 'Unknown'}")
    lines += [
        f"  MTU {1500 if loopback else 1514} bytes, BW {0 if loopback else 1000000} Kbit",
        "     reliability 255/255, txload 0/255, rxload 0/255",
        "  Encapsulation Loopback,  loopback not set," if loopback else "  Encapsulation ARPA,",
    ]
    if not loopback:
        lines += ["  Full-duplex, 1000Mb/s, unknown, link type is force-up",
                  "  output flow control is off, input flow control is off",
                  "  loopback not set,"]  # fmt: skip
    lines += [
        "  Last input 00:00:00, output 00:00:00",
        '  Last clearing of "show interface" counters never',
        "  5 minute input rate 0 bits/sec, 0 packets/sec",
        "  5 minute output rate 0 bits/sec, 0 packets/sec",
        "     0 packets input, 0 bytes, 0 total input drops",
        "     0 drops for unrecognized upper-level protocol",
        "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored, 0 abort",
        "     0 packets output, 0 bytes, 0 total output drops",
        "     0 output errors, 0 underruns, 0 applique, 0 resets",
    ]
    return "\n".join(lines) + "\n"


def show_interfaces_brief(device: Device, tree: Tree) -> str:
    rows = [
        "",
        "               Intf       Intf        LineP              Encap  MTU        BW",
        "               Name       State       State               Type (byte)    (Kbps)",
        "-" * 80,
    ]
    for name in interfaces(tree):
        kind = next((k for k in SHORT_NAMES if name.startswith(k)), "")
        short = SHORT_NAMES.get(kind, "") + name[len(kind) :]
        state = "admin-down" if shut(tree, name) else "up"
        loopback = kind == "Loopback"
        encap, mtu, bw = ("Loopback", 1500, 0) if loopback else ("ARPA", 1514, 1000000)
        rows.append(f"{short:>19}{state:>12}{state:>12}{encap:>19}{mtu:>6}{bw:>11}")
    return stamp() + "\n".join(rows) + "\n\n"


def show_clock(device: Device, tree: Tree) -> str:
    now = time.time()
    tm = time.gmtime(now)
    clock = time.strftime("%H:%M:%S", tm) + f".{int((now % 1) * 1000):03d}"
    return f"{stamp(now)}{clock} UTC {time.strftime('%a %b %d %Y', tm)}\n"


def show_lldp(device: Device, tree: Tree) -> str:
    """`show lldp neighbors`: the lab devices cabled to this one."""
    if not tree.has(("lldp",)):
        return f"{stamp()}% LLDP is not enabled\n"
    rows = []
    for index, peer in sorted(neighbours(device).items()):
        local = PORT_NAMES[_PLATFORM](index)
        if shut(tree, local):
            continue
        short = "Gi" + local.removeprefix("GigabitEthernet")
        rows.append(f"{peer.hostname[:15]:<16}{short:<20}{120:<11}{'R':<16}{peer.port}")
    return (
        f"{stamp()}Capability codes:\n"
        "        (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device\n"
        "        (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other\n\n"
        f"{'Device ID':<16}{'Local Intf':<20}{'Hold-time':<11}{'Capability':<15}Port ID\n"
        + "".join(row + "\n" for row in rows)
        + f"\nTotal entries displayed: {len(rows)}\n\n"
    )


def show_commit_list(history: list[Commit]) -> str:
    """`show configuration commit list`: the commits, newest first (the boot one is not
    a commit), each by its label or its commit ID."""
    rows = [
        "SNo. Label/ID              User      Line                Client      Time Stamp",
        "~~~~ ~~~~~~~~              ~~~~      ~~~~                ~~~~~~      ~~~~~~~~~~",
    ]
    for number, commit in enumerate(history[:-1], start=1):
        name = commit.label or str(1000000000 + len(history) - number)
        when = time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(commit.when))
        rows.append(f"{number:<5}{name:<22}{commit.user:<10}{'vty0:node0_RP0_CPU0':<20}"
                    f"{'CLI':<12}{when}")  # fmt: skip
    return stamp() + "\n".join(rows) + "\n"
