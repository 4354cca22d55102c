"""Who is cabled to whom: the CDP neighbours of every device in a lab.

Each device hangs off an out-of-band management switch on GigabitEthernet0/0, and the lab's
devices form a ring in inventory order: Gi0/1 of one device meets Gi0/2 of the next. So
`show cdp neighbors` is never empty and shows the other simulated devices.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from engine.lab.identity import SOFTWARE, Identity, format_mac

_OOB_PLATFORM = "cisco WS-C2960X-48TS-L"
_OOB_VERSION = (
    "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), "
    "Version 15.2(7)E4, RELEASE SOFTWARE (fc2)"
)


@dataclass(frozen=True)
class Neighbor:
    """A CDP neighbour seen on one local interface."""

    device_id: str
    local_interface: str
    port: str
    platform: str
    capabilities: str
    address: str
    mac: str  # of the interface owning `address`, for the ARP table
    version: str  # first line of its `show version`


def neighbors(identities: Sequence[Identity], index: int) -> tuple[Neighbor, ...]:
    """The CDP neighbours of device `index` in a lab of `identities`."""
    found = [oob_switch(identities[index])]
    count = len(identities)
    if count >= 2:
        following, preceding = identities[(index + 1) % count], identities[(index - 1) % count]
        found.append(_peer(following, "GigabitEthernet0/1", "GigabitEthernet0/2"))
        found.append(_peer(preceding, "GigabitEthernet0/2", "GigabitEthernet0/1"))
    return tuple(found)


def oob_switch(identity: Identity) -> Neighbor:
    """The management switch in front of GigabitEthernet0/0."""
    network = identity.management.network
    address = network.network_address + 253
    if address == identity.management.ip:
        address = network.network_address + 252
    seed = hashlib.sha256(str(network).encode()).digest()
    return Neighbor(
        device_id=f"oob-sw{seed[0] % 8 + 1}",
        local_interface="GigabitEthernet0/0",
        port=f"GigabitEthernet1/0/{identity.management.ip.packed[3] % 48 + 1}",
        platform=_OOB_PLATFORM,
        capabilities="Switch IGMP",
        address=str(address),
        mac=format_mac((0x00A3D1 << 24) | int.from_bytes(seed[1:4], "big")),
        version=_OOB_VERSION,
    )


def _peer(other: Identity, local: str, port: str) -> Neighbor:
    return Neighbor(
        device_id=other.hostname,
        local_interface=local,
        port=port,
        platform="Cisco IOSv",
        capabilities="Router Switch IGMP",
        address=str(other.management.ip),
        mac=other.mac(0),
        version=SOFTWARE,
    )
