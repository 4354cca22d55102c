"""What makes each simulated device look like itself: serial, MACs, addresses, uptime.

Everything is derived from a hash of the device's name and inventory address, so a lab
built from the same inventory shows the same serials and addresses on every run, and no
two devices share them.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass

# The image every simulated device runs (first line of `show version`, quoted by CDP).
SOFTWARE = (
    "Cisco IOS Software, vios_l2 Software (vios_l2-ADVENTERPRISEK9-M), "
    "Version 15.2(7)E4, RELEASE SOFTWARE (fc2)"
)
_SERIAL_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_HOSTNAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,62}")


@dataclass(frozen=True)
class Identity:
    """The fixed facts of one device, derived once when the lab is built."""

    hostname: str
    serial: str
    mac_base: int  # 48-bit; interface n uses mac_base + n
    management: ipaddress.IPv4Interface  # GigabitEthernet0/0
    gateway: ipaddress.IPv4Address
    uptime_offset: int  # seconds the device had been up when the lab started

    def mac(self, index: int) -> str:
        """The MAC of interface number `index`, in IOS notation (`5254.0012.3456`)."""
        return format_mac(self.mac_base + index)


def derive(name: str, address: str | None) -> Identity:
    """The identity of a device named `name` whose inventory address is `address`."""
    digest = hashlib.sha256(f"{name}|{address or ''}".encode()).digest()
    management = _management(address, digest)
    return Identity(
        hostname=hostname_for(name),
        serial="9" + "".join(_SERIAL_ALPHABET[b % len(_SERIAL_ALPHABET)] for b in digest[:10]),
        mac_base=(0x525400 << 24) | int.from_bytes(digest[10:13], "big") & 0xFFFF00,
        management=management,
        gateway=_gateway(management),
        uptime_offset=3600 * (digest[18] % 200 + 1) * 24 + 60 * digest[19],
    )


def hostname_for(name: str) -> str:
    """The IOS hostname for an inventory name: itself if IOS would accept it."""
    if _HOSTNAME_RE.fullmatch(name):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-")[:60]
    return f"sw-{cleaned}" if cleaned else "Switch"


def _management(address: str | None, digest: bytes) -> ipaddress.IPv4Interface:
    """The inventory address when it is IPv4 (so outputs match the real device), else derived."""
    if address is not None:
        try:
            return ipaddress.IPv4Interface(f"{ipaddress.IPv4Address(address)}/24")
        except ValueError:
            pass
    return ipaddress.IPv4Interface(f"10.{digest[20] % 200}.{digest[21]}.{digest[22] % 253 + 1}/24")


def _gateway(management: ipaddress.IPv4Interface) -> ipaddress.IPv4Address:
    network = management.network
    gateway = network.network_address + 254
    return gateway if gateway != management.ip else network.network_address + 1


def format_mac(value: int) -> str:
    """A 48-bit MAC as IOS prints it."""
    text = f"{value & 0xFFFFFFFFFFFF:012x}"
    return f"{text[0:4]}.{text[4:8]}.{text[8:12]}"
