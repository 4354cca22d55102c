"""What a switch's show commands read: its ports with their link, VLANs and neighbours.

Ports sit on the lab's cabling (engine.lab.topology): each hardware port may stand for
one of the ring's IOS port names, so a switch's Ethernet1 meets whatever device, of any
platform, is at the far end of that cable, and goes down when the far port is shut.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.lab.switch_config import SwitchConfig, natural
from engine.lab.topology import MANAGEMENT, far_end, oob_switch

if TYPE_CHECKING:
    from engine.lab.device import Device


@dataclass(frozen=True)
class HardwarePort:
    """A port the switch is built with, and what is plugged into it."""

    name: str
    cable: str | None = None  # the ring's IOS port name this port stands for
    host: bool = False  # cabled to a host outside the lab that is up


@dataclass(frozen=True)
class PortView:
    """One interface as show commands see it."""

    name: str
    short: str
    description: str
    shutdown: bool
    routed: bool
    address: ipaddress.IPv4Interface | None
    vlan: int
    trunk: bool
    up: bool  # line protocol up

    @property
    def physical(self) -> bool:
        return not self.name.lower().startswith(("loopback", "vlan", "port-channel"))


@dataclass(frozen=True)
class Neighbor:
    """An LLDP neighbour: the local port, the far device's name and port."""

    local: str
    device_id: str
    port: str


# A switch platform's running configuration and ports, for its neighbours to read.
PeerLookup = Callable[["Device"], tuple[SwitchConfig, tuple[HardwarePort, ...]]]
PEERS: dict[str, PeerLookup] = {}


class SwitchView:
    """The live state of one switch as its show commands read it."""

    def __init__(
        self,
        device: Device,
        config: SwitchConfig,
        startup: SwitchConfig,
        ports: tuple[HardwarePort, ...],
        short: Callable[[str], str],
    ) -> None:
        self.device = device
        self.config = config  # the running configuration
        self.startup = startup
        self.hardware = ports
        self.short = short

    @property
    def hostname(self) -> str:
        return self.config.value(None, "hostname") or self.device.identity.hostname

    def ports(self) -> list[PortView]:
        """Every interface, hardware first then the ones configuration created, in order."""
        names = [p.name for p in self.hardware]
        created = [h.split(" ", 1)[1] for h in self.config.headers("interface ")]
        names += sorted((n for n in created if n not in names), key=natural)
        return [self._port(name) for name in names]

    def _port(self, name: str) -> PortView:
        scope = f"interface {name}"
        address = self.config.value(scope, "ip", "address")
        shutdown = self.config.has(scope, "shutdown")
        routed = self.config.has(scope, "no switchport") or not _switched(name, self.hardware)
        return PortView(
            name=name,
            short=self.short(name),
            description=self.config.value(scope, "description") or "",
            shutdown=shutdown,
            routed=routed,
            address=ipaddress.IPv4Interface(address) if address else None,
            vlan=int(self.config.value(scope, "switchport", "access", "vlan") or 1),
            trunk=self.config.has(scope, "switchport mode trunk"),
            up=not shutdown and self._link(name),
        )

    def _link(self, name: str) -> bool:
        hardware = next((p for p in self.hardware if p.name == name), None)
        if hardware is None:
            return self._logical_up(name)
        if hardware.cable is None:
            return hardware.host
        far = far_end(self.device, hardware.cable)
        if far is None:
            return hardware.host
        return not _far_end(*far)[2]

    def _logical_up(self, name: str) -> bool:
        """A loopback is up; an SVI while a port of its VLAN is; a port channel never
        (nothing here joins one)."""
        if name.lower().startswith("vlan"):
            vlan = int(name[4:])
            return vlan in self.vlans() and any(
                p.up and not p.routed and p.vlan == vlan
                for p in (self._port(h.name) for h in self.hardware)
            )
        return name.lower().startswith("loopback")

    def vlans(self) -> dict[int, str]:
        """VLAN number -> name; VLAN 1 always exists."""
        found = {1: "default"}
        for header in self.config.headers("vlan "):
            for number in _numbers(header.split()[1]):
                name = self.config.value(header, "name")
                found[number] = name or f"VLAN{number:04d}"
        return dict(sorted(found.items()))

    def neighbors(self) -> list[Neighbor]:
        """LLDP neighbours: the management switch, and lab devices on cables that are up."""
        found = []
        for port in self.hardware:
            view = self._port(port.name)
            if not view.up or port.cable is None:
                continue
            if port.cable == MANAGEMENT:
                oob = oob_switch(self.device.identity)
                found.append(Neighbor(port.name, oob.device_id, oob.port))
                continue
            far = far_end(self.device, port.cable)
            if far is not None:
                hostname, far_port, _shut = _far_end(*far)
                found.append(Neighbor(port.name, hostname, far_port))
        return found


def _switched(name: str, hardware: tuple[HardwarePort, ...]) -> bool:
    """Whether the interface switches by default: front-panel hardware ports do."""
    return any(p.name == name and p.cable != MANAGEMENT for p in hardware)


def _numbers(text: str) -> list[int]:
    found: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        found += range(int(low), int(high or low) + 1)
    return found


def _far_end(peer: Device, port: str) -> tuple[str, str, bool]:
    """The far device's hostname, its name for the port, and whether the port is shut."""
    lookup = PEERS.get(peer.spec.platform)
    if lookup is not None:
        config, ports = lookup(peer)
        name = next((p.name for p in ports if p.cable == port), port)
        hostname = config.value(None, "hostname") or peer.identity.hostname
        return hostname, name, config.has(f"interface {name}", "shutdown")
    state = peer.state
    block = state.interface_block(port)
    return state.hostname, port, block is not None and block.has("shutdown")


def vlan_table(view: SwitchView, width: int) -> list[str]:
    """The VLAN rows of `show vlan` (EOS and NX-OS share them): number, name, status and
    the access ports in it, four to a line, continuation lines under the ports column."""
    rows = []
    ports = [p for p in view.ports() if p.physical and not p.routed and not p.trunk]
    for number, name in view.vlans().items():
        members = [p.short for p in ports if p.vlan == number]
        chunks = [members[i : i + 4] for i in range(0, len(members), 4)] or [[]]
        head = f"{number:<{width}} {name:<32} active    "
        for index, chunk in enumerate(chunks):
            lead = head if index == 0 else " " * len(head)
            rows.append((lead + ", ".join(chunk)).rstrip())
    return rows
