"""The routing table a device derives from its interfaces, static routes, OSPF and BGP.

Connected and local routes come from interfaces that are up; a static route is installed
only when its next hop is reachable, as on a real router; OSPF and BGP routes come from
the lab's other devices (see `ospf`, `bgp`). For a prefix known several ways the lowest
administrative distance wins. `show ip route` groups subnets under their classful
network the way IOS 15 does.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from engine.lab import bgp, ospf
from engine.lab.commands import is_ipv4
from engine.lab.device import Device

_CODES = f"""Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area{" "}
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       o - ODR, P - periodic downloaded static route, H - NHRP, l - LISP
       a - application route
       + - replicated route, % - next hop override, p - overrides from PfR
"""


@dataclass(frozen=True)
class Route:
    """One installed route."""

    code: str  # C, L, S, S*, O or B
    prefix: ipaddress.IPv4Network
    detail: str  # "is directly connected, Gi0/1" or "[1/0] via 10.0.0.1"
    more: tuple[str, ...] = ()  # further equal-cost paths, `[110/2] via ...`


def routes(device: Device) -> list[Route]:
    """Every installed route, sorted by prefix."""
    table = _connected(device)
    best: dict[ipaddress.IPv4Network, tuple[int, Route]] = {}
    for static in device.state.routes:
        detail = _static_detail(table, static.next_hop, device)
        if detail is not None:
            code = "S*" if static.prefix.prefixlen == 0 else "S"
            detail = detail.replace("[1/0]", f"[{static.distance}/0]")
            _offer(best, static.distance, Route(code, static.prefix, detail))
    age = _age(device)
    for path in ospf.routes(device):
        lines = [f"[110/{path.cost}] via {hop}, {age}, {interface}" for hop, interface in path.hops]
        _offer(best, 110, Route("O", path.prefix, lines[0], tuple(lines[1:])))
    reachable = {route.prefix for route in table} | set(best)
    process = bgp.process(device)
    local_as = process.head.args[0] if process is not None else ""
    for session in bgp.sessions(device, reachable):
        distance = 20 if session.remote_as != local_as else 200
        for prefix in session.received:
            _offer(
                best, distance, Route("B", prefix, f"[{distance}/0] via {session.address}, {age}")
            )
    connected = {route.prefix for route in table}
    table += [route for prefix, (_, route) in best.items() if prefix not in connected]
    return sorted(table, key=lambda r: (r.prefix.network_address, r.prefix.prefixlen))


def _offer(
    best: dict[ipaddress.IPv4Network, tuple[int, Route]], distance: int, route: Route
) -> None:
    current = best.get(route.prefix)
    if current is None or distance < current[0]:
        best[route.prefix] = (distance, route)


def _connected(device: Device) -> list[Route]:
    table = []
    for interface in device.state.ordered(brief=True):
        if interface.protocol != "up":
            continue
        for address in (interface.address, *interface.secondaries):
            if address is None:
                continue
            detail = f"is directly connected, {interface.name}"
            table.append(Route("C", address.network, detail))
            if address.network.prefixlen < 32:
                table.append(Route("L", ipaddress.IPv4Network(f"{address.ip}/32"), detail))
    return table


def _static_detail(table: list[Route], next_hop: str, device: Device) -> str | None:
    if not is_ipv4(next_hop):
        interface = device.state.interfaces.get(next_hop)
        up = interface is not None and interface.protocol == "up"
        return f"is directly connected, {next_hop}" if up else None
    reachable = any(r.code == "C" and ipaddress.IPv4Address(next_hop) in r.prefix for r in table)
    return f"[1/0] via {next_hop}" if reachable else None


def _age(device: Device) -> str:
    """How long dynamic routes have been in the table: since the lab (or a reload) started."""
    seconds = device.since_boot()
    if seconds < 86400:
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    days = seconds // 86400
    return f"{days}d{seconds % 86400 // 3600:02d}h" if days < 7 else f"{days // 7}w{days % 7}d"


def route_for(device: Device, target: ipaddress.IPv4Address) -> Route | None:
    """The longest-prefix match for `target`, if any."""
    candidates = [r for r in routes(device) if target in r.prefix]
    return max(candidates, key=lambda r: r.prefix.prefixlen, default=None)


def show_ip_route(device: Device) -> str:
    """`show ip route`."""
    table = routes(device)
    default = next((r for r in table if r.code == "S*"), None)
    gateway = (
        default.detail.split(" via ")[-1]
        if default is not None and " via " in default.detail
        else None
    )
    last_resort = f"is {gateway} to network 0.0.0.0" if gateway is not None else "is not set"
    lines = [_CODES, f"Gateway of last resort {last_resort}", ""]
    for major, members in _groups(table):
        lines += _group_lines(major, members)
    return "\n".join(lines) + "\n"


def _classful(prefix: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    first = prefix.network_address.packed[0]
    length = 8 if first < 128 else 16 if first < 192 else 24
    return ipaddress.IPv4Network(f"{prefix.network_address}/{length}", strict=False)


def _groups(table: list[Route]) -> list[tuple[ipaddress.IPv4Network | None, list[Route]]]:
    """Routes under their classful network; supernets and the default stand alone (None)."""
    groups: dict[ipaddress.IPv4Network, list[Route]] = {}
    alone: list[tuple[ipaddress.IPv4Network | None, list[Route]]] = []
    for route in table:
        major = _classful(route.prefix)
        if route.prefix.prefixlen < major.prefixlen:
            alone.append((None, [route]))
        else:
            groups.setdefault(major, []).append(route)
    grouped: list[tuple[ipaddress.IPv4Network | None, list[Route]]] = list(groups.items())
    return sorted(alone + grouped, key=lambda g: g[1][0].prefix.network_address)


def _group_lines(major: ipaddress.IPv4Network | None, members: list[Route]) -> list[str]:
    if major is None or (len(members) == 1 and members[0].prefix.prefixlen == major.prefixlen):
        return [line for r in members for line in _lines(f"{r.code:<6}{r.prefix}", r)]
    masks = sorted({r.prefix.prefixlen for r in members})
    if len(masks) == 1:
        header = f"      {major.network_address}/{masks[0]} is subnetted, {len(members)} subnets"
        return [
            header,
            *(
                line
                for r in members
                for line in _lines(f"{r.code:<9}{r.prefix.network_address}", r)
            ),
        ]
    header = f"      {major} is variably subnetted, {len(members)} subnets, {len(masks)} masks"
    return [header, *(line for r in members for line in _lines(f"{r.code:<9}{r.prefix}", r))]


def _lines(head: str, route: Route) -> list[str]:
    """A route's line, and one more line per further equal-cost path, aligned under it."""
    return [f"{head} {route.detail}", *(" " * (len(head) + 1) + more for more in route.more)]
