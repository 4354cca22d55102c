"""Interface show commands, in IOSvL2 (IOS 15.2) format.

Counters grow with the device's uptime at a per-interface rate derived from its serial,
so they look alive, differ between devices, and are the same on every run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from engine.lab.device import Device
from engine.lab.state import Interface


@dataclass(frozen=True)
class _Hardware:
    """How one interface type presents itself in `show interfaces`."""

    text: str
    mac: bool
    mtu: int
    bandwidth: int
    delay: int
    encapsulation: str
    ethernet: bool  # duplex/speed/flow-control lines


_HARDWARE = {
    "GigabitEthernet": _Hardware("iGbE", True, 1500, 1000000, 10, "ARPA", True),
    "Port-channel": _Hardware("EtherChannel", True, 1500, 1000000, 10, "ARPA", False),
    "Vlan": _Hardware("Ethernet SVI", True, 1500, 1000000, 10, "ARPA", False),
    "Loopback": _Hardware("Loopback", False, 1514, 8000000, 5000, "LOOPBACK", False),
    "Tunnel": _Hardware("Tunnel", False, 1476, 100, 50000, "TUNNEL", False),
}


def show_interfaces(device: Device, name: str | None = None) -> str:
    """`show interfaces [NAME]`."""
    return "".join(_interface(device, i) for i in _chosen(device, name))


def _chosen(device: Device, name: str | None) -> list[Interface]:
    """All interfaces in table order, or just the one named."""
    return [i for i in device.state.ordered(brief=True) if name is None or i.name == name]


def _interface(device: Device, interface: Interface) -> str:
    hw = _HARDWARE.get(interface.kind, _HARDWARE["GigabitEthernet"])
    protocol = interface.protocol + _suffix(interface)
    lines = [f"{interface.name} is {interface.status}, line protocol is {protocol} "]
    mac = device.identity.mac(interface.index)
    lines.append(f"  Hardware is {hw.text}" + (f", address is {mac} (bia {mac})" if hw.mac else ""))
    if interface.description:
        lines.append(f"  Description: {interface.description}")
    if interface.address is not None:
        lines.append(f"  Internet address is {interface.address.with_prefixlen}")
    lines += [
        f"  MTU {hw.mtu} bytes, BW {hw.bandwidth} Kbit/sec, DLY {hw.delay} usec, ",
        "     reliability 255/255, txload 1/255, rxload 1/255",
        f"  Encapsulation {hw.encapsulation}, loopback not set",
        "  Keepalive set (10 sec)",
    ]
    if hw.ethernet:
        lines += _ethernet(interface)
    lines += _queues(device, interface)
    lines += _counters(device, interface)
    return "\n".join(lines) + "\n"


def _suffix(interface: Interface) -> str:
    if interface.kind != "GigabitEthernet":
        return ""
    return {"up": " (connected)", "down": " (notconnect)"}.get(interface.status, " (disabled)")


def _ethernet(interface: Interface) -> list[str]:
    media = "link type is auto, media type is RJ45"
    speed = "Full-duplex, 1000Mb/s" if interface.status == "up" else "Auto-duplex, Auto-speed"
    return [
        f"  {speed}, {media}",
        "  output flow-control is unsupported, input flow-control is unsupported",
    ]


def _queues(device: Device, interface: Interface) -> list[str]:
    active = interface.status == "up" and interface.kind != "Loopback"
    last = "Last input 00:00:00, output 00:00:01" if active else "Last input never, output never"
    cleared = "never" if interface.name not in device.cleared else _clock(device, interface)
    return [
        "  ARP type: ARPA, ARP Timeout 04:00:00",
        f"  {last}, output hang never",
        f'  Last clearing of "show interface" counters {cleared}',
        "  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0",
        "  Queueing strategy: fifo",
        "  Output queue: 0/40 (size/max)",
    ]


def _clock(device: Device, interface: Interface) -> str:
    seconds = device.counting(interface.name)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _counters(device: Device, interface: Interface) -> list[str]:
    rate_in, rate_out, size = _rates(device, interface)
    seconds = device.counting(interface.name)
    packets_in, packets_out = rate_in * seconds, rate_out * seconds
    return [
        f"  5 minute input rate {rate_in * size * 8} bits/sec, {rate_in} packets/sec",
        f"  5 minute output rate {rate_out * size * 8} bits/sec, {rate_out} packets/sec",
        f"     {packets_in} packets input, {packets_in * size} bytes, 0 no buffer",
        f"     Received {packets_in // 20} broadcasts (0 IP multicasts)",
        "     0 runts, 0 giants, 0 throttles ",
        "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored",
        "     0 watchdog, 0 multicast, 0 pause input",
        f"     {packets_out} packets output, {packets_out * size} bytes, 0 underruns",
        "     0 output errors, 0 collisions, 1 interface resets",
        "     0 unknown protocol drops",
        "     0 babbles, 0 late collision, 0 deferred",
        "     0 lost carrier, 0 no carrier, 0 pause output",
        "     0 output buffer failures, 0 output buffers swapped out",
    ]


def _rates(device: Device, interface: Interface) -> tuple[int, int, int]:
    """Packets/s in and out and the average packet size; zero on a link that is down."""
    if interface.status != "up" or interface.kind == "Loopback":
        return 0, 0, 0
    seed = hashlib.sha256(f"{device.identity.serial}|{interface.name}".encode()).digest()
    return seed[0] % 40 + 1, seed[1] % 40 + 1, seed[2] % 900 + 64


_IP_DETAIL = """  Broadcast address is 255.255.255.255
  Address determined by {method}
  MTU is {mtu} bytes
  Helper address is not set
  Directed broadcast forwarding is disabled
  Outgoing access list is not set
  Inbound  access list is not set
  Proxy ARP is enabled
  Local Proxy ARP is disabled
  Security level is default
  Split horizon is enabled
  ICMP redirects are always sent
  ICMP unreachables are always sent
  ICMP mask replies are never sent
  IP fast switching is enabled
  IP Flow switching is disabled
  IP CEF switching is enabled
  IP CEF switching turbo vector
  IP Null turbo vector
  Associated unicast routing topologies:
        Topology "base", operation state is {topology}
  IP multicast fast switching is enabled
  IP multicast distributed fast switching is disabled
  IP route-cache flags are Fast, CEF
  Router Discovery is disabled
  IP output packet accounting is disabled
  IP access violation accounting is disabled
  TCP/IP header compression is disabled
  RTP/IP header compression is disabled
  Probe proxy name replies are disabled
  Policy routing is disabled
  Network address translation is disabled
  BGP Policy Mapping is disabled
  Input features: MCI Check
  IPv4 WCCP Redirect outbound is disabled
  IPv4 WCCP Redirect inbound is disabled
  IPv4 WCCP Redirect exclude is disabled
"""


def show_ip_interface(device: Device, name: str | None = None) -> str:
    """`show ip interface [NAME]`: the layer-3 view of each interface."""
    return "".join(_ip_interface(i) for i in _chosen(device, name))


def _ip_interface(interface: Interface) -> str:
    head = f"{interface.name} is {interface.status}, line protocol is {interface.protocol}\n"
    if interface.address is None:
        return head + "  Internet protocol processing disabled\n"
    method = "non-volatile memory" if interface.method == "NVRAM" else "setup command"
    hw = _HARDWARE.get(interface.kind, _HARDWARE["GigabitEthernet"])
    topology = "UP" if interface.protocol == "up" else "DOWN"
    detail = _IP_DETAIL.format(method=method, mtu=hw.mtu, topology=topology)
    return f"{head}  Internet address is {interface.address.with_prefixlen}\n{detail}"


def show_ip_interface_brief(device: Device) -> str:
    """`show ip interface brief`."""
    lines = ["Interface              IP-Address      OK? Method Status                Protocol"]
    for interface in device.state.ordered(brief=True):
        address = str(interface.address.ip) if interface.address is not None else "unassigned"
        method = interface.method if interface.address is not None else "unset"
        status = f"{interface.status:<22}{interface.protocol}"
        lines.append(f"{interface.name:<23}{address:<16}YES {method:<7}{status}")
    return "\n".join(lines) + "\n"


def show_interfaces_description(device: Device, name: str | None = None) -> str:
    """`show interfaces [NAME] description`."""
    lines = ["Interface                      Status         Protocol Description"]
    for interface in _chosen(device, name):
        status = "admin down" if interface.shutdown else interface.status
        row = (
            f"{interface.short_name:<31}{status:<15}{interface.protocol:<9}{interface.description}"
        )
        lines.append(row.rstrip())
    return "\n".join(lines) + "\n"


def show_interfaces_status(device: Device, name: str | None = None) -> str:
    """`show interfaces [NAME] status`: switch ports only, as on a Catalyst."""
    lines = ["", "Port      Name               Status       Vlan       Duplex  Speed Type "]
    for interface in _chosen(device, name):
        if interface.kind in ("GigabitEthernet", "Port-channel"):
            lines.append(_status_row(interface))
    return "\n".join(lines) + "\n"


def _status_row(interface: Interface) -> str:
    status = {"up": "connected", "down": "notconnect"}.get(interface.status, "disabled")
    vlan = (
        ("trunk" if interface.trunk else str(interface.access_vlan))
        if interface.switchport
        else "routed"
    )
    duplex, speed = ("a-full", "a-1000") if status == "connected" else ("auto", "auto")
    name = interface.description[:18]
    return f"{interface.short_name:<10}{name:<19}{status:<13}{vlan:<11}{duplex:>6} {speed:>6} RJ45"
