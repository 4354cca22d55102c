"""The configuration state of one simulated device, and the views show commands read.

The configuration itself is a `store.Config` of canonical lines; this module adds what is
not configuration (the hardware ports, whether a cable carries a signal, where an address
came from) and turns lines into the records show commands want (`Interface`, routes,
users), so that renderers never parse configuration text.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.lab.commands import vlan_set
from engine.lab.modes import Mode
from engine.lab.store import Block, Config, Line

# Interfaces that exist in hardware: they can be configured but not created or removed.
FIXED = ("GigabitEthernet", "Null")
# IOS lists interfaces by type in the running-config, loopbacks first and SVIs last.
_CONFIG_ORDER = ("Loopback", "Tunnel", "Port-channel", "GigabitEthernet", "Vlan")
_BRIEF_ORDER = ("GigabitEthernet", "Port-channel", "Loopback", "Tunnel", "Vlan")
_HASH_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DEFAULT_HOSTNAME = "Switch"
ALL_VLANS = "1-4094"


@dataclass(frozen=True)
class Interface:
    """One interface as show commands see it: its configuration and its link."""

    name: str
    index: int  # position, used for the MAC address and the ifIndex
    description: str = ""
    address: ipaddress.IPv4Interface | None = None
    secondaries: tuple[ipaddress.IPv4Interface, ...] = ()
    shutdown: bool = False
    link: bool = True  # a cable is plugged in and the far end is up
    switchport: bool = False
    mode: str = ""  # `switchport mode`: access, trunk, dynamic auto ...
    access_vlan: int = 1
    native_vlan: int = 1
    allowed: str = ALL_VLANS  # `switchport trunk allowed vlan`
    portfast: bool = False
    channel_group: int | None = None
    mtu: int = 1500
    speed: str = "auto"
    duplex: str = "auto"
    helpers: tuple[str, ...] = ()
    method: str = "NVRAM"  # how the address was set: from the boot config or `manual`

    @property
    def kind(self) -> str:
        return re.sub(r"[\d/.]+$", "", self.name)

    @property
    def trunk(self) -> bool:
        return self.switchport and self.mode == "trunk"

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
    distance: int = 1


@dataclass
class DeviceState:
    """A device's running configuration plus the facts of its hardware."""

    config: Config
    ports: dict[str, int]  # every interface that exists: name -> index
    carrier: Callable[[str], bool] = lambda name: True  # the far end of a cable is up
    startup: str | None = None  # the saved configuration text (`write memory`)
    manual: set[str] = field(default_factory=set)  # addresses set in a session, not booted
    version: int = 0  # counts configuration changes (caches of derived tables use it)

    @property
    def root(self) -> Block:
        return self.config.root

    @property
    def hostname(self) -> str:
        return self.root.value("hostname", default=DEFAULT_HOSTNAME)

    def interface_block(self, name: str) -> Block | None:
        return self.config.blocks.get(f"interface {name}")

    @property
    def interfaces(self) -> dict[str, Interface]:
        """Every interface, by name."""
        return {name: self.interface(name) for name in self.ports}

    def interface(self, name: str) -> Interface:
        block = self.interface_block(name)
        assert block is not None, name
        return _view(name, self.ports[name], block, self.carrier(name), name in self.manual)

    def addresses(self) -> list[tuple[str, ipaddress.IPv4Interface]]:
        """Every interface address, primary and secondary, as (interface, address)."""
        return [
            (name, ipaddress.IPv4Interface(f"{line.args[0]}/{line.args[1]}"))
            for name in self.ports
            if (block := self.interface_block(name)) is not None
            for line in block.starting("ip", "address")
        ]

    def ordered(self, *, brief: bool = False) -> list[Interface]:
        """Interfaces in the order IOS lists them (running-config or table order)."""
        order = _BRIEF_ORDER if brief else _CONFIG_ORDER
        return sorted(self.interfaces.values(), key=lambda i: interface_key(i.name, order))

    @property
    def vlans(self) -> dict[int, str]:
        """VLAN number -> name, the default VLAN included."""
        found = {1: "default"}
        for block in self.config.of_mode(Mode.VLAN):
            number = int(block.head.args[0])
            found[number] = block.value("name", default=f"VLAN{number:04d}")
        return dict(sorted(found.items()))

    @property
    def routes(self) -> list[StaticRoute]:
        found = []
        for line in self.root.starting("ip", "route"):
            prefix = ipaddress.IPv4Network(f"{line.args[0]}/{line.args[1]}")
            distance = next((int(a) for a in line.args[3:] if a.isdigit()), 1)
            found.append(StaticRoute(prefix, line.args[2], distance))
        return found

    def values(self, *key: str) -> list[str]:
        """The first arguments of the global lines starting with `key` (`ntp server`)."""
        return [line.args[0] for line in self.root.starting(*key) if line.args]

    def user_privilege(self, username: str) -> int | None:
        line = self.root.get("username", username)
        return int(line.args[1]) if line is not None else None

    def check_login(self, username: str, password: str) -> bool:
        line = self.root.get("username", username)
        return line is not None and verify(line.args[2], password)

    @property
    def enable_required(self) -> bool:
        return any(self.root.has("enable", kind) for kind in ("secret", "password"))

    def check_enable(self, password: str) -> bool:
        """The enable secret wins over an enable password, as on IOS."""
        for kind in ("secret", "password"):
            line = self.root.get("enable", kind)
            if line is not None:
                return verify(line.args[-1], password)
        return True

    def changed(self) -> None:
        global _generation
        self.version += 1
        _generation += 1


# Counts configuration changes on every device: tables that depend on several devices
# (OSPF's shortest paths) are cached until any device changes.
_generation = 0


def generation() -> int:
    return _generation


def _view(name: str, index: int, block: Block, carrier: bool, manual: bool) -> Interface:
    primary = block.get("ip", "address")
    secondaries = tuple(
        ipaddress.IPv4Interface(f"{line.args[0]}/{line.args[1]}")
        for line in block.starting("ip", "address")
        if line is not primary
    )
    group = block.get("channel-group")
    return Interface(
        name=name,
        index=index,
        description=block.value("description"),
        address=_address(primary),
        secondaries=secondaries,
        shutdown=block.has("shutdown"),
        link=carrier,
        # the key `switchport` holds `no switchport`: a routed port
        switchport=name.startswith("GigabitEthernet") and not block.has("switchport"),
        mode=_mode(block),
        access_vlan=int(block.value("switchport", "access", "vlan", default="1")),
        native_vlan=int(block.value("switchport", "trunk", "native", "vlan", default="1")),
        allowed=block.value("switchport", "trunk", "allowed", "vlan", default=ALL_VLANS),
        portfast=block.has("spanning-tree", "portfast"),
        channel_group=int(group.args[0]) if group is not None else None,
        mtu=int(block.value("mtu", default="1500")),
        speed=_word(block.get("speed"), "auto"),
        duplex=_word(block.get("duplex"), "auto"),
        helpers=tuple(line.args[0] for line in block.starting("ip", "helper-address")),
        method="manual" if manual else "NVRAM",
    )


def _address(line: Line | None) -> ipaddress.IPv4Interface | None:
    return ipaddress.IPv4Interface(f"{line.args[0]}/{line.args[1]}") if line else None


def _mode(block: Block) -> str:
    line = block.get("switchport", "mode")
    return line.text.removeprefix("switchport mode ") if line is not None else "dynamic auto"


def _word(line: Line | None, default: str) -> str:
    return line.text.split()[-1] if line is not None else default


def allowed_vlans(interface: Interface) -> set[int]:
    return vlan_set(interface.allowed) or set()


def interface_key(name: str, order: tuple[str, ...] = _CONFIG_ORDER) -> tuple[int, tuple[int, ...]]:
    kind = re.sub(r"[\d/.]+$", "", name)
    rank = order.index(kind) if kind in order else len(order)
    numbers = tuple(int(n) for n in re.findall(r"\d+", name[len(kind) :]))
    return rank, numbers


def hash_secret(password: str, salt: str) -> str:
    """A type-9-looking secret: salted and slow enough that a lab's output never gives the
    password away, fast enough to check hundreds of logins."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 500)
    text = "".join(_HASH_ALPHABET[b % 64] for b in digest + digest[:11])
    return f"$9${salt}${text[:43]}"


def salt_for(name: str) -> str:
    """A stable 14-character salt per user, so the same inventory gives the same config."""
    digest = hashlib.sha256(name.encode()).digest()
    return "".join(_HASH_ALPHABET[b % 64] for b in digest[:14])


def verify(stored: str, password: str) -> bool:
    """Whether `password` hashes to `stored` (a secret this module made)."""
    parts = stored.split("$")
    return len(parts) == 4 and parts[1] == "9" and hash_secret(password, parts[2]) == stored


_SECRET_RE = re.compile(r"([0-9]) (\S.*)")


def verifier_for(text: str, owner: str) -> str:
    """What checks a login against a typed secret: our hash of a clear one, or the hash
    as given (`secret 9 $9$...`, `password 7 ...` from a saved configuration)."""
    typed = _SECRET_RE.fullmatch(text)
    if typed is None or typed.group(1) == "0":
        return hash_secret(typed.group(2) if typed else text, salt_for(owner))
    if typed.group(1) == "7":
        return decode_type7(typed.group(2))
    return typed.group(2)


def shown_secret(kind: str, verifier: str) -> str:
    """How a secret renders: `secret 9 $9$...` or `password 7 ...` (never the password)."""
    if kind == "password":
        return f"password 7 {encode_type7(verifier)}"
    number = {"$1$": "5", "$8$": "8"}.get(verifier[:3], "9")
    return f"secret {number} {verifier}"


def encode_type7(verifier: str) -> str:
    """What the lab shows as a type-7 password: the hash it checks logins against, in hex
    (IOS's own type 7 can be reversed to the password; this only gives the hash back)."""
    return "08" + verifier.encode().hex().upper()


def decode_type7(text: str) -> str:
    """The hash inside a lab type-7 string (anything else can never match a login)."""
    try:
        return bytes.fromhex(text[2:]).decode()
    except ValueError:
        return text
