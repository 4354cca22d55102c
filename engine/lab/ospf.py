"""OSPF as the lab's devices run it, derived from both ends' configuration.

An adjacency forms on a cable when both ends run OSPF on the port (a `network` statement
or `ip ospf N area A`), in the same area and subnet, neither passive, both up, with
different router IDs. Routes come from a shortest-path computation over those
adjacencies, with IOS's interface costs, so every device's table agrees with the others'.
"""

from __future__ import annotations

import heapq
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.lab.modes import Mode
from engine.lab.store import Block

if TYPE_CHECKING:
    from engine.lab.device import Device

_REFERENCE_MBPS = 100
_BANDWIDTH_MBPS = {"GigabitEthernet": 1000, "Port-channel": 1000, "Vlan": 1000, "Tunnel": 0}
MAX_PATHS = 4


@dataclass(frozen=True)
class Port:
    """An interface running OSPF."""

    name: str
    address: ipaddress.IPv4Interface
    area: str
    cost: int
    passive: bool
    point_to_point: bool
    priority: int


@dataclass(frozen=True)
class Adjacency:
    """A full adjacency as `show ip ospf neighbor` lists it."""

    neighbor_id: str
    priority: int
    role: str  # DR, BDR or "" on point-to-point links
    address: str  # the neighbour's address on the link
    interface: str  # the local interface
    cost: int  # of the local interface
    peer: Device


@dataclass(frozen=True)
class Path:
    """A route learnt by OSPF: cost and the equal-cost next hops (address, interface)."""

    prefix: ipaddress.IPv4Network
    cost: int
    hops: tuple[tuple[str, str], ...]


def process(device: Device) -> Block | None:
    """The device's (first) OSPF process."""
    found = device.state.config.of_mode(Mode.OSPF)
    return min(found, key=lambda b: b.head.order) if found else None


def router_id(device: Device) -> str | None:
    """`router-id`, else the highest loopback address, else the highest up address."""
    return device.cached("ospf router id", lambda: _router_id(device))


def _router_id(device: Device) -> str | None:
    block = process(device)
    if block is None:
        return None
    configured = block.value("router-id")
    if configured:
        return configured
    interfaces = [i for i in device.state.interfaces.values() if i.address and i.protocol == "up"]
    loopbacks = [i for i in interfaces if i.kind == "Loopback"] or interfaces
    best = max((i.address.ip for i in loopbacks if i.address), default=None)
    return str(best) if best is not None else None


def ports(device: Device) -> list[Port]:
    """Every up interface with an address that OSPF runs on."""
    return device.cached("ospf ports", lambda: _ports(device))


def _ports(device: Device) -> list[Port]:
    block = process(device)
    if block is None:
        return []
    found = []
    for interface in device.state.ordered(brief=True):
        if interface.address is None or interface.protocol != "up":
            continue
        iface = device.state.interface_block(interface.name)
        area = _area(block, iface, interface.address.ip) if iface else None
        if area is None or iface is None:
            continue
        found.append(
            Port(
                interface.name,
                interface.address,
                area,
                _cost(block, iface, interface.kind),
                _passive(block, interface.name),
                iface.value("ip", "ospf", "network") == "point-to-point"
                or interface.kind == "Loopback",
                int(iface.value("ip", "ospf", "priority", default="1")),
            )
        )
    return found


def _area(block: Block, interface: Block, address: ipaddress.IPv4Address) -> str | None:
    """The area from `ip ospf N area A`, else from the most specific matching `network`."""
    direct = interface.get("ip", "ospf", "area")
    if direct is not None:
        return direct.args[-1]
    best: tuple[int, str] | None = None
    for line in block.starting("network"):
        base, wildcard = (int(ipaddress.IPv4Address(a)) for a in line.args[:2])
        matches = int(address) & ~wildcard & 0xFFFFFFFF == base & ~wildcard & 0xFFFFFFFF
        if matches and (best is None or wildcard < best[0]):
            best = (wildcard, line.args[2])
    return best[1] if best is not None else None


def _cost(block: Block, interface: Block, kind: str) -> int:
    configured = interface.value("ip", "ospf", "cost")
    if configured:
        return int(configured)
    if kind == "Loopback":
        return 1
    reference = int(block.value("auto-cost", "reference-bandwidth", default=str(_REFERENCE_MBPS)))
    return max(1, reference // max(1, _BANDWIDTH_MBPS.get(kind, 1000)))


def _passive(block: Block, name: str) -> bool:
    line = block.get("passive-interface", name)
    if block.has("passive-interface", "default"):
        return line is None  # the key holds `no passive-interface NAME`
    return line is not None


def adjacencies(device: Device) -> list[Adjacency]:
    """The full adjacencies of the device, one per cable that qualifies."""
    return device.cached("ospf adjacencies", lambda: _adjacencies(device))


def _adjacencies(device: Device) -> list[Adjacency]:
    mine = {port.name: port for port in ports(device) if not port.passive}
    own_id = router_id(device)
    found = []
    for cable in device.wiring.cables:
        local = mine.get(cable.local)
        peer = device.lab[cable.peer]
        far = {p.name: p for p in ports(peer) if not p.passive}.get(cable.port)
        peer_id = router_id(peer)
        if local is None or far is None or peer_id is None or peer_id == own_id:
            continue
        if far.area != local.area or far.address.network != local.address.network:
            continue
        role = "" if local.point_to_point else _role(local, own_id, far, peer_id)
        found.append(
            Adjacency(
                peer_id, far.priority, role, str(far.address.ip), local.name, local.cost, peer
            )
        )
    return found


def _role(local: Port, own_id: str | None, far: Port, peer_id: str) -> str:
    """The neighbour's role on a broadcast link: the higher priority, then router ID, is DR."""
    ours = (local.priority, ipaddress.IPv4Address(own_id or "0.0.0.0"))
    theirs = (far.priority, ipaddress.IPv4Address(peer_id))
    return "DR" if theirs > ours else "BDR"


def routes(device: Device) -> list[Path]:
    """The OSPF routes of the device: every other router's networks, by lowest cost."""
    return device.cached("ospf routes", lambda: _routes(device))


def _routes(device: Device) -> list[Path]:
    if process(device) is None:
        return []
    distance, hops = _shortest(device)
    connected = {port.address.network for port in ports(device)}
    connected |= {
        i.address.network
        for i in device.state.interfaces.values()
        if i.address and i.protocol == "up"
    }
    best: dict[ipaddress.IPv4Network, Path] = {}
    for router, cost in distance.items():
        if router is device:
            continue
        for port in ports(router):
            prefix = port.address.network
            if prefix in connected:
                continue
            total = cost + port.cost
            current = best.get(prefix)
            if current is None or total < current.cost:
                best[prefix] = Path(prefix, total, hops[router])
            elif total == current.cost:
                merged = tuple(sorted(set(current.hops) | set(hops[router])))[:MAX_PATHS]
                best[prefix] = Path(prefix, total, merged)
    return list(best.values())


def _shortest(
    device: Device,
) -> tuple[dict[Device, int], dict[Device, tuple[tuple[str, str], ...]]]:
    """Dijkstra over the adjacencies: each router's cost and first hops from `device`."""
    distance: dict[Device, int] = {device: 0}
    hops: dict[Device, tuple[tuple[str, str], ...]] = {device: ()}
    queue: list[tuple[int, int, Device]] = [(0, id(device), device)]
    done: set[int] = set()
    while queue:
        cost, _, router = heapq.heappop(queue)
        if id(router) in done:
            continue
        done.add(id(router))
        for adjacency in adjacencies(router):
            total = cost + adjacency.cost
            first = hops[router] or ((adjacency.address, adjacency.interface),)
            known = distance.get(adjacency.peer)
            if known is None or total < known:
                distance[adjacency.peer], hops[adjacency.peer] = total, first
                heapq.heappush(queue, (total, id(adjacency.peer), adjacency.peer))
            elif total == known and id(adjacency.peer) not in done:
                hops[adjacency.peer] = tuple(sorted(set(hops[adjacency.peer]) | set(first)))
    return distance, hops


def show_neighbors(device: Device) -> str:
    """`show ip ospf neighbor`."""
    found = adjacencies(device)
    if not found:
        return ""
    lines = ["", "Neighbor ID     Pri   State           Dead Time   Address         Interface"]
    dead = 39 - device.uptime() % 10
    for adjacency in found:
        state = f"FULL/{adjacency.role or '  -'}"
        lines.append(
            f"{adjacency.neighbor_id:<16}{adjacency.priority:>3}   {state:<16}00:00:{dead:02d}    "
            f"{adjacency.address:<16}{adjacency.interface}"
        )
    return "\n".join(lines) + "\n"
