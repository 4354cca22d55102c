"""The lab's ports and cables as IOS-XR and Junos name them, for their neighbour tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.lab.candidate_store import committed_tree
from engine.lab.device import Device

# The lab's ports in order (engine.lab.device) as each platform names them.
PORT_NAMES: dict[str, Callable[[int], str]] = {
    "cisco_xr": lambda n: "MgmtEth0/RP0/CPU0/0" if n == 0 else f"GigabitEthernet0/0/0/{n - 1}",
    "juniper_junos": lambda n: "fxp0" if n == 0 else f"ge-0/0/{n - 1}",
}


def port_index(ios_name: str) -> int:
    """The position of one of the lab's ports (`GigabitEthernet1/2` -> 6)."""
    slot, port = ios_name.removeprefix("GigabitEthernet").split("/")
    return 4 * int(slot) + int(port)


@dataclass(frozen=True)
class Peer:
    """A lab device at the far end of a cable, as a neighbour protocol shows it."""

    hostname: str
    port: str  # named as its own platform names it
    device: Device


def neighbours(device: Device) -> dict[int, Peer]:
    """The lab devices cabled to this one, by local port position."""
    found = {}
    for cable in device.wiring.cables:
        peer = device.lab[cable.peer]
        rename = PORT_NAMES.get(peer.spec.platform)
        port = rename(port_index(cable.port)) if rename else cable.port
        found[port_index(cable.local)] = Peer(_hostname(peer), port, peer)
    return found


def _hostname(device: Device) -> str:
    tree = committed_tree(device)
    names = (
        [p[-1][1] for p in tree.entries if p[-1][0] in ("hostname", "host-name")] if tree else []
    )
    return names[0] if names else device.state.hostname
