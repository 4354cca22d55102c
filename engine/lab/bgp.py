"""BGP sessions between lab devices, derived from both ends' configuration.

A session is Established when the neighbour address belongs to a lab device the local
device can reach, that device runs BGP in the AS given by `remote-as`, and it names one
of the local device's addresses as its neighbour, with the local AS. Each side then
receives the other's `network` prefixes that are in the other's routing table.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.lab import ospf
from engine.lab.modes import Mode
from engine.lab.store import Block

if TYPE_CHECKING:
    from engine.lab.device import Device


@dataclass(frozen=True)
class Session:
    """One configured neighbour and how far the session got."""

    address: str
    remote_as: str
    peer: Device | None  # set when Established
    received: tuple[ipaddress.IPv4Network, ...]
    waiting: str = "Idle"  # the state when not Established: Idle (no route) or Active

    @property
    def established(self) -> bool:
        return self.peer is not None


def process(device: Device) -> Block | None:
    found = device.state.config.of_mode(Mode.BGP)
    return found[0] if found else None


def owner(device: Device, address: str) -> Device | None:
    """The lab device that has `address` on an up interface."""
    return next((other for other in device.lab if address in _addresses(other)), None)


def _addresses(device: Device) -> set[str]:
    def up() -> set[str]:
        interfaces = device.state.interfaces.values()
        return {str(i.address.ip) for i in interfaces if i.address and i.protocol == "up"}

    return device.cached("addresses", up)


def sessions(device: Device, reachable: set[ipaddress.IPv4Network]) -> list[Session]:
    """Every configured neighbour; `reachable` are the prefixes the device has routes for."""
    block = process(device)
    if block is None:
        return []
    found = []
    for line in block.starting("neighbor"):
        if line.key[2:] != ("remote-as",):
            continue
        address, remote_as = line.args[0], line.args[1]
        target = ipaddress.IPv4Address(address)
        if block.has("neighbor", address, "shutdown") or not any(target in p for p in reachable):
            found.append(Session(address, remote_as, None, ()))
            continue
        peer = _peer(device, block, address, remote_as)
        received = tuple(advertised(peer)) if peer is not None else ()
        found.append(Session(address, remote_as, peer, received, "Active"))
    return found


def _peer(device: Device, block: Block, address: str, remote_as: str) -> Device | None:
    peer = owner(device, address)
    far = process(peer) if peer is not None else None
    if peer is None or far is None or far.head.args[0] != remote_as:
        return None
    mine = {str(i.address.ip) for i in device.state.interfaces.values() if i.address}
    local_as = block.head.args[0]
    for line in far.starting("neighbor"):
        if line.key[2:] == ("remote-as",) and line.args[0] in mine and line.args[1] == local_as:
            return None if far.has("neighbor", line.args[0], "shutdown") else peer
    return None


def advertised(device: Device) -> list[ipaddress.IPv4Network]:
    """The `network` prefixes of the device that its own table holds (BGP's rule)."""
    block = process(device)
    if block is None:
        return []
    table = _igp_prefixes(device)
    found = []
    for line in block.starting("network"):
        prefix = _prefix(line.args)
        if prefix is not None and prefix in table:
            found.append(prefix)
    return found


def _prefix(args: tuple[str, ...]) -> ipaddress.IPv4Network | None:
    address = args[0]
    if len(args) > 1:
        try:
            return ipaddress.IPv4Network(f"{address}/{args[1]}")
        except ValueError:
            return None
    first = int(address.split(".")[0])
    length = 8 if first < 128 else 16 if first < 192 else 24
    return ipaddress.IPv4Network(f"{address}/{length}", strict=False)


def _igp_prefixes(device: Device) -> set[ipaddress.IPv4Network]:
    found = {
        i.address.network
        for i in device.state.interfaces.values()
        if i.address and i.protocol == "up"
    }
    found |= {route.prefix for route in device.state.routes}
    found |= {path.prefix for path in ospf.routes(device)}
    return found


def router_id(device: Device, block: Block) -> str:
    configured = block.value("bgp", "router-id")
    if configured:
        return configured
    addresses = [
        i.address.ip for i in device.state.interfaces.values() if i.address and i.protocol == "up"
    ]
    loopbacks = [
        i.address.ip for i in device.state.interfaces.values() if i.address and i.kind == "Loopback"
    ]
    return str(max(loopbacks or addresses, default=ipaddress.IPv4Address("0.0.0.0")))


def show_summary(device: Device, found: list[Session]) -> str:
    """`show ip bgp summary`."""
    block = process(device)
    if block is None:
        return "% BGP not active\n\n"
    prefixes = {p for s in found for p in s.received} | set(advertised(device))
    version = len(prefixes) + 1
    lines = [
        f"BGP router identifier {router_id(device, block)}, local AS number {block.head.args[0]}",
        f"BGP table version is {version}, main routing table version {version}",
    ]
    if prefixes:
        count = len(prefixes)
        lines += [
            f"{count} network entries using {count * 144} bytes of memory",
            f"{count} path entries using {count * 80} bytes of memory",
            f"{count}/{count} BGP path/bestpath attribute entries using {count * 152} bytes"
            " of memory",
            "1 BGP AS-PATH entries using 24 bytes of memory",
            "0 BGP route-map cache entries using 0 bytes of memory",
            "0 BGP filter-list cache entries using 0 bytes of memory",
            f"BGP using {count * 376 + 24} total bytes of memory",
            f"BGP activity {count}/0 prefixes, {count}/0 paths, scan interval 60 secs",
        ]
    lines += [
        "",
        "Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd",
    ]
    for session in found:
        lines.append(_row(device, session, version))
    return "\n".join(lines) + "\n"


def _row(device: Device, session: Session, version: int) -> str:
    up = device.uptime() % 86400
    clock = f"{up // 3600:02d}:{up % 3600 // 60:02d}:{up % 60:02d}"
    if session.established:
        received, sent, table, state = (
            up // 60 + 5,
            up // 60 + 6,
            version,
            str(len(session.received)),
        )
    else:
        received, sent, table, clock, state = 0, 0, 1, "never", session.waiting
    return (
        f"{session.address:<16}4 {session.remote_as:>12} {received:>7} {sent:>7} {table:>8}"
        f"    0    0 {clock:<8} {state:>12}"
    )
