"""Who is cabled to whom, and what each device learns about its neighbours.

The lab's devices form a ring in inventory order: GigabitEthernet0/1 of one device meets
GigabitEthernet0/2 of the next (a lone device's two ports meet each other, the second
without an address). Every cable
is a /30 whose two ends carry its two addresses, so the addresses, ARP entries, CDP and
LLDP neighbours and connected routes of the two devices agree. Neighbour tables are read
from both devices' current configuration: a port that is shut, or a protocol turned off
at either end, takes the neighbour away. GigabitEthernet0/0 hangs off an out-of-band
management switch that is not simulated, but is seen consistently (CDP, LLDP, ARP).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.lab.identity import SOFTWARE, Identity, format_mac

if TYPE_CHECKING:
    from engine.lab.device import Device

_OOB_PLATFORM = "cisco WS-C2960X-48TS-L"
_OOB_VERSION = (
    "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), "
    "Version 15.2(7)E4, RELEASE SOFTWARE (fc2)"
)
UPLINK, DOWNLINK, MANAGEMENT = "GigabitEthernet0/1", "GigabitEthernet0/2", "GigabitEthernet0/0"
# Address pools for cables and loopbacks; the first one clear of every management subnet wins.
_CABLE_POOLS = ("172.16.0.0/12", "100.64.0.0/10", "10.128.0.0/9")
_LOOPBACK_POOLS = ("10.255.0.0/16", "172.31.0.0/16", "192.0.2.0/24")


@dataclass(frozen=True)
class Cable:
    """One end of a cable: this device's port, the device and port at the far end."""

    local: str
    peer: int  # the far device's position in the lab
    port: str
    address: ipaddress.IPv4Interface | None  # this end's address at boot


@dataclass(frozen=True)
class Wiring:
    """A device's place in the lab: its loopback and its cables to other lab devices."""

    loopback: ipaddress.IPv4Address
    cables: tuple[Cable, ...]

    def cable(self, port: str) -> Cable | None:
        return next((c for c in self.cables if c.local == port), None)

    def ring(self) -> tuple[tuple[str, str, ipaddress.IPv4Interface | None], ...]:
        """The two ring ports as every boot config describes them: (port, description,
        this end's address, if it has one)."""
        return tuple(
            (port, text, cable.address if cable is not None else None)
            for port, text in ((UPLINK, "uplink"), (DOWNLINK, "downlink"))
            for cable in (self.cable(port),)
        )


@dataclass(frozen=True)
class Neighbor:
    """A CDP or LLDP neighbour seen on one local interface."""

    device_id: str
    local_interface: str
    port: str
    platform: str
    capabilities: str
    address: str
    mac: str  # of the far interface, as its ARP entry shows it
    version: str  # first line of its `show version`


def wire(identities: Sequence[Identity]) -> list[Wiring]:
    """The ring: cable i joins device i's uplink to device i+1's downlink."""
    managed = [identity.management.network for identity in identities]
    cables = _pool(_CABLE_POOLS, managed)
    loopbacks = _pool(_LOOPBACK_POOLS, managed)
    count = len(identities)
    ends: list[list[Cable]] = [[] for _ in identities]
    for index in range(count):
        subnet = ipaddress.IPv4Network((int(cables.network_address) + 4 * index, 30))
        first, second = (
            ipaddress.IPv4Interface((int(subnet.network_address) + n, 30)) for n in (1, 2)
        )
        following = (index + 1) % count
        ends[index].append(Cable(UPLINK, following, DOWNLINK, first))
        # A lone device's cable loops back: one subnet cannot sit on two of its ports.
        ends[following].append(Cable(DOWNLINK, index, UPLINK, second if count > 1 else None))
    return [
        Wiring(loopbacks.network_address + index + 1, tuple(found))
        for index, found in enumerate(ends)
    ]


def _pool(candidates: tuple[str, ...], taken: list[ipaddress.IPv4Network]) -> ipaddress.IPv4Network:
    for text in candidates:
        pool = ipaddress.IPv4Network(text)
        if not any(pool.overlaps(network) for network in taken):
            return pool
    return ipaddress.IPv4Network(candidates[-1])


def oob_switch(identity: Identity) -> Neighbor:
    """The management switch in front of GigabitEthernet0/0."""
    network = identity.management.network
    address = network.network_address + 253
    if address == identity.management.ip:
        address = network.network_address + 252
    seed = hashlib.sha256(str(network).encode()).digest()
    return Neighbor(
        device_id=f"oob-sw{seed[0] % 8 + 1}",
        local_interface=MANAGEMENT,
        port=f"GigabitEthernet1/0/{identity.management.ip.packed[3] % 48 + 1}",
        platform=_OOB_PLATFORM,
        capabilities="Switch IGMP",
        address=str(address),
        mac=format_mac((0x00A3D1 << 24) | int.from_bytes(seed[1:4], "big")),
        version=_OOB_VERSION,
    )


def far_end(device: Device, port: str) -> tuple[Device, str] | None:
    """The lab device and port at the other end of `port`'s cable, if any."""
    cable = device.wiring.cable(port)
    return (device.lab[cable.peer], cable.port) if cable is not None else None


def cdp_neighbors(device: Device) -> list[Neighbor]:
    """What `show cdp neighbors` lists: CDP must run at both ends of a working cable."""
    return _neighbors(device, "cdp") if _protocol_on(device, "cdp") else []


def lldp_neighbors(device: Device) -> list[Neighbor] | None:
    """What `show lldp neighbors` lists; None when LLDP is not running here."""
    return _neighbors(device, "lldp") if _protocol_on(device, "lldp") else None


def _neighbors(device: Device, protocol: str) -> list[Neighbor]:
    talks = _port_talks(device, MANAGEMENT, protocol)
    found = [oob_switch(device.identity)] if talks else []
    for cable in device.wiring.cables:
        peer = device.lab[cable.peer]
        if _both_talk(device, cable.local, peer, cable.port, protocol):
            found.append(_peer(peer, cable.local, cable.port))
    return found


def _protocol_on(device: Device, protocol: str) -> bool:
    root = device.state.root
    return not root.has("cdp", "run") if protocol == "cdp" else root.has("lldp", "run")


def _port_talks(device: Device, port: str, protocol: str) -> bool:
    block = device.state.interface_block(port)
    if block is None or device.state.interface(port).protocol != "up":
        return False
    if protocol == "cdp":
        return not block.has("cdp", "enable")  # the key holds `no cdp enable`
    return not block.has("lldp", "transmit") and not block.has("lldp", "receive")


def _both_talk(device: Device, port: str, peer: Device, far: str, protocol: str) -> bool:
    return (
        _port_talks(device, port, protocol)
        and _protocol_on(peer, protocol)
        and _port_talks(peer, far, protocol)
    )


def _peer(peer: Device, local: str, port: str) -> Neighbor:
    state = peer.state
    interface = state.interface(port)
    domain = state.root.value("ip", "domain-name")
    address = interface.address.ip if interface.address else peer.wiring.loopback
    return Neighbor(
        device_id=f"{state.hostname}.{domain}" if domain else state.hostname,
        local_interface=local,
        port=port,
        platform="Cisco IOSv",
        capabilities="Router Switch IGMP",
        address=str(address),
        mac=peer.identity.mac(interface.index),
        version=SOFTWARE,
    )
