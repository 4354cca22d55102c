"""The configuration state of one simulated device (pure Python, no I/O).

Config-mode commands change it; show commands render it. Records are frozen and replaced
on change; `DeviceState` itself is the one mutable object, because a device's running
configuration is exactly the thing that changes under `configure terminal`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass, field

from engine.lab.identity import Identity

# Interfaces that exist in hardware: they can be configured but not created or removed.
FIXED = ("GigabitEthernet", "Null")
# IOS lists interfaces by type in the running-config, loopbacks first and SVIs last.
_CONFIG_ORDER = ("Loopback", "Tunnel", "Port-channel", "GigabitEthernet", "Vlan")
_BRIEF_ORDER = ("GigabitEthernet", "Port-channel", "Loopback", "Tunnel", "Vlan")
DEFAULT_VLANS = {1: "default"}


@dataclass(frozen=True)
class Interface:
    """One interface: configuration plus the state of its link."""

    name: str
    index: int  # position, used for the MAC address and the ifIndex
    description: str = ""
    address: ipaddress.IPv4Interface | None = None
    shutdown: bool = False
    link: bool = True  # a cable is plugged in and the far end is up
    switchport: bool = False
    trunk: bool = False
    access_vlan: int = 1
    extra: tuple[str, ...] = ()  # other config lines, verbatim
    method: str = "NVRAM"  # how the address was set: from the boot config or `manual`

    @property
    def kind(self) -> str:
        return re.sub(r"[\d/.]+$", "", self.name)

    @property
    def status(self) -> str:
        """Line status as `show interfaces` prints it."""
        if self.shutdown:
            return "administratively down"
        return "up" if self.link else "down"

    @property
    def protocol(self) -> str:
        return "up" if self.status == "up" else "down"

    @property
    def short_name(self) -> str:
        """`Gi0/1`, `Lo0`, `Vl10`, `Po1`: the names IOS uses in tables."""
        return self.kind[:2] + self.name[len(self.kind) :]


@dataclass(frozen=True)
class StaticRoute:
    """`ip route PREFIX MASK NEXT-HOP [rest]`."""

    prefix: ipaddress.IPv4Network
    next_hop: str  # an address or an interface name
    rest: str = ""  # distance, name, permanent ... kept verbatim

    @property
    def line(self) -> str:
        tail = f" {self.rest}" if self.rest else ""
        return f"ip route {self.prefix.network_address} {self.prefix.netmask} {self.next_hop}{tail}"


@dataclass(frozen=True)
class User:
    """A local user; the password is kept for login checks and never rendered."""

    name: str
    password: str
    privilege: int = 1


@dataclass
class DeviceState:
    """A device's running configuration; mutated by config mode, read by show commands."""

    hostname: str
    interfaces: dict[str, Interface]
    users: dict[str, User]
    enable_secret: str | None
    routes: list[StaticRoute] = field(default_factory=list)
    logging_hosts: list[str] = field(default_factory=list)
    ntp_servers: list[str] = field(default_factory=list)
    vlans: dict[int, str] = field(default_factory=lambda: dict(DEFAULT_VLANS))
    extra: list[str] = field(default_factory=list)  # other global lines, verbatim
    sections: dict[str, list[str]] = field(default_factory=dict)  # `line vty 0 4`, `router ...`
    startup: str | None = None  # what `write memory` saved

    def ordered(self, *, brief: bool = False) -> list[Interface]:
        """Interfaces in the order IOS lists them (running-config or table order)."""
        order = _BRIEF_ORDER if brief else _CONFIG_ORDER
        return sorted(self.interfaces.values(), key=lambda i: _interface_key(i, order))

    def update(self, name: str, **changes: object) -> Interface:
        """Replace interface `name` with a copy carrying `changes`."""
        current = self.interfaces[name]
        replaced = dataclasses.replace(current, **changes)  # type: ignore[arg-type]
        self.interfaces[name] = replaced
        return replaced

    def ensure_interface(self, name: str) -> Interface | None:
        """The interface, creating a logical one (loopback, SVI ...) on first use."""
        if name in self.interfaces:
            return self.interfaces[name]
        if name.startswith(FIXED) or "." in name:
            return None  # hardware the device does not have
        created = Interface(name, index=len(self.interfaces) + 1, link=True)
        self.interfaces[name] = created
        if name.startswith("Vlan"):
            self.vlans.setdefault(int(name[4:]), f"VLAN{int(name[4:]):04d}")
        return created

    def remove_interface(self, name: str) -> bool:
        if name not in self.interfaces or name.startswith(FIXED):
            return False
        del self.interfaces[name]
        return True

    def add_route(self, route: StaticRoute) -> None:
        self.routes = [
            r for r in self.routes if r.prefix != route.prefix or r.next_hop != route.next_hop
        ]
        self.routes.append(route)

    def remove_route(self, prefix: ipaddress.IPv4Network, next_hop: str | None) -> None:
        self.routes = [
            r for r in self.routes if r.prefix != prefix or next_hop not in (None, r.next_hop)
        ]

    def check_login(self, username: str, password: str) -> bool:
        user = self.users.get(username)
        return user is not None and user.password == password


def add_unique(lines: list[str], line: str) -> None:
    """Append `line` unless it is already there (IOS never repeats a config line)."""
    if line not in lines:
        lines.append(line)


def negate(lines: list[str], line: str) -> None:
    """Apply `no LINE` to verbatim lines: drop LINE if present, else keep `no LINE`."""
    if line in lines:
        lines.remove(line)
    elif f"no {line}" not in lines:
        lines.append(f"no {line}")


def _interface_key(interface: Interface, order: tuple[str, ...]) -> tuple[int, tuple[int, ...]]:
    kind = interface.kind
    rank = order.index(kind) if kind in order else len(order)
    numbers = tuple(int(n) for n in re.findall(r"\d+", interface.name[len(kind) :]))
    return rank, numbers


def initial_state(
    identity: Identity, username: str, password: str, secret: str | None
) -> DeviceState:
    """The configuration a device boots with: management, an uplink, access ports, a loopback."""
    names = [f"GigabitEthernet0/{n}" for n in range(4)] + [
        f"GigabitEthernet1/{n}" for n in range(4)
    ]
    interfaces = {name: Interface(name, index) for index, name in enumerate(names)}
    interfaces["Loopback0"] = Interface(
        "Loopback0", len(names), address=ipaddress.IPv4Interface(f"{identity.loopback}/32")
    )
    state = DeviceState(identity.hostname, interfaces, {username: User(username, password)}, secret)
    _initial_ports(state, identity)
    state.vlans.update({10: "USERS", 20: "VOICE"})
    state.routes.append(StaticRoute(ipaddress.IPv4Network("0.0.0.0/0"), str(identity.gateway)))
    state.sections = {
        "line con 0": [],
        "line aux 0": [],
        "line vty 0 4": ["login local", "transport input ssh"],
    }
    return state


def _initial_ports(state: DeviceState, identity: Identity) -> None:
    state.update("GigabitEthernet0/0", description="OOB management", address=identity.management)
    state.update("GigabitEthernet0/1", description="uplink", address=identity.uplink)
    state.update("GigabitEthernet0/3", shutdown=True)
    for name, vlan in (("1/0", 10), ("1/1", 10), ("1/2", 20), ("1/3", 1)):
        state.update(f"GigabitEthernet{name}", switchport=True, access_vlan=vlan)
    state.update("GigabitEthernet1/2", link=False)
