"""One simulated device as the lab runs it: its spec, identity, cabling and state.

All sessions of a device share one `Device`, so a change made in one SSH session is seen
by the next, for the life of the lab. The configuration is booted on first use, the way
IOS boots: by applying a configuration text (the lab's own boot configuration, or the
saved startup-config after a `reload`) line by line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from engine.lab import config
from engine.lab.files import Flash
from engine.lab.identity import Identity, derive
from engine.lab.knobs import Delays, LabKnobs
from engine.lab.logbuffer import LogBuffer
from engine.lab.modes import Mode
from engine.lab.render_config import config_lines
from engine.lab.state import DeviceState, allowed_vlans, generation
from engine.lab.store import Block, Config, Line
from engine.lab.topology import MANAGEMENT, Wiring, far_end, wire

_T = TypeVar("_T")
_PORTS = [f"GigabitEthernet0/{n}" for n in range(4)] + [f"GigabitEthernet1/{n}" for n in range(4)]
# Ports cabled to hosts outside the lab (the management switch, servers, a phone that is off).
_HOSTS = {MANAGEMENT: True, "GigabitEthernet1/0": True, "GigabitEthernet1/1": True,
          "GigabitEthernet1/2": False, "GigabitEthernet1/3": True}  # fmt: skip


@dataclass(frozen=True)
class DeviceSpec:
    """What the lab needs to know about one inventory host."""

    name: str  # inventory host name, e.g. "R1" or "192.168.100.1"
    username: str
    password: str
    secret: str | None = None
    # The inventory's address: only used to derive outputs, never contacted or bound.
    address: str | None = None
    knobs: LabKnobs = field(default_factory=LabKnobs)
    platform: str = "cisco_ios"  # which personality answers (engine.lab.personalities)


class Device:
    """The shared, living state of one simulated device."""

    def __init__(
        self,
        spec: DeviceSpec,
        wiring: Wiring | None = None,
        *,
        identity: Identity | None = None,
        booted: float | None = None,
    ) -> None:
        self.spec = spec
        self.identity = identity if identity is not None else derive(spec.name, spec.address)
        # Alone, a device's uplink and downlink are cabled to each other; a Lab passes the ring.
        self.wiring = wiring if wiring is not None else wire([self.identity])[0]
        self.lab: list[Device] = [self]  # every device of the lab, by position
        self.delays = Delays(spec.name, spec.knobs)
        self.log = LogBuffer()
        self.flash = Flash()
        self._booted = time.time() if booted is None else booted
        self._offset = self.identity.uptime_offset  # it had been up that long when the lab started
        self.cleared: dict[str, float] = {}  # interface -> when `clear counters` last ran
        self._state: DeviceState | None = None
        self._cache: dict[str, tuple[int, object]] = {}
        self._booting = False

    @property
    def knobs(self) -> LabKnobs:
        return self.spec.knobs

    @property
    def state(self) -> DeviceState:
        """The running configuration, booted on first use."""
        if self._state is None:
            self._boot(None)
        assert self._state is not None
        return self._state

    @state.setter
    def state(self, state: DeviceState) -> None:
        """A running configuration built apart takes over (engine.lab.config_replace)."""
        self._state = state

    def _boot(self, startup: str | None) -> None:
        root = Block(Line((), "", (0, 0)), Mode.CONFIG)
        ports = {name: index for index, name in enumerate(_PORTS)}
        state = DeviceState(Config(root), ports, self._carrier)
        self._state = state  # visible while booting: a neighbour may look at it
        self._booting = True
        config.load(self, "\n".join(f"interface {name}" for name in _PORTS))  # the hardware
        config.load(self, startup if startup is not None else self.boot_config())
        self._booting = False
        state.manual.clear()
        state.startup = startup if startup is not None else self.running_text()
        self._log_boot()

    def _log_boot(self) -> None:
        """What IOS logs as it comes up: each interface's state, then the configuration."""
        messages = []
        for interface in self.state.ordered(brief=True):
            if interface.shutdown:
                messages.append(f"%LINK-5-CHANGED: Interface {interface.name}, changed state to "
                                "administratively down")  # fmt: skip
            elif interface.protocol == "up":
                messages.append(f"%LINK-3-UPDOWN: Interface {interface.name}, changed state to up")
                messages.append(
                    f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {interface.name}, "
                    "changed state to up"
                )
        messages += ["%SYS-5-CONFIG_I: Configured from memory by console",
                     "%SYS-5-RESTART: System restarted --"]  # fmt: skip
        for offset, message in enumerate(messages):
            self.log.add(message, self._booted + offset / 1000)

    def running_text(self) -> str:
        """The running configuration as `show running-config` prints it after the header."""
        return "\n".join(config_lines(self.state)) + "\n"

    def reload(self) -> None:
        """Come back from a reload: the saved configuration becomes the running one."""
        saved = self.state.startup
        self._booted, self._offset = time.time(), 0
        self.log = LogBuffer()
        self.cleared = {}
        self._boot(saved)
        self.state.startup = saved

    def _carrier(self, name: str) -> bool:
        """Whether the far end of the port's cable is up (a lab peer not shut down); for a
        logical interface, whether what it stands on is up."""
        if name.startswith(("Vlan", "Port-channel")):
            return self._members_up(name)
        if not name.startswith("GigabitEthernet"):
            return True  # loopbacks and tunnels need nothing under them
        far = far_end(self, name)
        if far is None:
            return _HOSTS.get(name, False)
        peer, port = far
        block = peer._state.interface_block(port) if peer._state is not None else None
        return block is None or not block.has("shutdown")

    def _members_up(self, name: str) -> bool:
        """An SVI is up while a port of its VLAN is; a port channel while a member is."""
        number = int(name.removeprefix("Vlan").removeprefix("Port-channel"))
        for physical in _PORTS:
            port = self.state.interface(physical)
            if port.protocol != "up":
                continue
            if name.startswith("Port-channel") and port.channel_group == number:
                return True
            in_vlan = (
                port.access_vlan == number if not port.trunk else number in allowed_vlans(port)
            )
            if (
                name.startswith("Vlan")
                and port.switchport
                and in_vlan
                and number in self.state.vlans
            ):
                return True
        return False

    def uptime(self) -> int:
        """Seconds since the (simulated) boot: a derived offset plus the lab's own uptime."""
        return self._offset + int(time.time() - self._booted)

    def cached(self, key: str, compute: Callable[[], _T]) -> _T:
        """`compute()`, remembered until any device's configuration changes."""
        current = generation()
        hit = self._cache.get(key)
        if hit is not None and hit[0] == current:
            return hit[1]  # type: ignore[return-value]  # stored under this key by compute()
        value = compute()
        self._cache[key] = (current, value)
        return value

    def since_boot(self) -> int:
        """Seconds since the lab started (or the device reloaded): how old learnt routes are."""
        return int(time.time() - self._booted)

    def clear_counters(self, interface: str | None = None) -> None:
        """`clear counters [INTERFACE]`: the interface counters start again from zero."""
        now = time.time()
        for name in [interface] if interface else list(self.state.ports):
            self.cleared[name] = now

    def counting(self, interface: str) -> int:
        """Seconds an interface has been counting since boot or its last `clear counters`."""
        since = self.cleared.get(interface)
        return self.uptime() if since is None else int(time.time() - since)

    def login_ok(self, username: str, password: str) -> bool:
        """Whether a login succeeds, as the device's local users decide."""
        return not self.knobs.reject_login and self.state.check_login(username, password)

    def interface_changed(self, name: str) -> None:
        """Log what IOS logs when `shutdown` / `no shutdown` changes a port (and its peer)."""
        if self._booting:
            return  # the boot logs every port once it is up (`_log_boot`)
        interface = self.state.interface(name)
        if interface.shutdown:
            self.log.add(
                f"%LINK-5-CHANGED: Interface {name}, changed state to administratively down"
            )
        else:
            self.log.add(f"%LINK-3-UPDOWN: Interface {name}, changed state to {interface.status}")
        protocol = interface.protocol
        self.log.add(
            f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {name}, changed state to {protocol}"
        )
        far = far_end(self, name)
        if far is not None and far[0] is not self:
            peer, port = far
            state = "down" if interface.shutdown else peer.state.interface(port).status
            peer.log.add(f"%LINK-3-UPDOWN: Interface {port}, changed state to {state}")

    def boot_config(self) -> str:
        """The configuration a device boots with: management, the ring's two cables, access
        ports, a loopback, OSPF over the ring, a default route via management."""
        identity, spec, wiring = self.identity, self.spec, self.wiring
        lines = [
            "version 15.2",
            "service timestamps debug datetime msec",
            "service timestamps log datetime msec",
            "no service password-encryption",
            "service compress-config",
            f"hostname {identity.hostname}",
            "boot-start-marker",
            "boot-end-marker",
        ]
        if spec.secret is not None:
            lines.append(f"enable secret 0 {spec.secret}")
        lines += [
            f"username {spec.username} secret 0 {spec.password}",
            "no aaa new-model",
            "ip cef",
            "no ipv6 cef",
            "vtp mode transparent",
            "spanning-tree mode pvst",
            "spanning-tree extend system-id",
            "vlan internal allocation policy ascending",
            "vlan 10",
            "name USERS",
            "vlan 20",
            "name VOICE",
            "interface Loopback0",
            f"ip address {wiring.loopback} 255.255.255.255",
            *_port(
                MANAGEMENT,
                "OOB management",
                str(identity.management.with_netmask).replace("/", " "),
            ),
        ]
        for port, text, address in wiring.ring():
            lines += _port(
                port, text, str(address.with_netmask).replace("/", " ") if address else None
            )
        lines += [
            "interface GigabitEthernet0/3", "no switchport", "shutdown",
            *_access("1/0", 10), *_access("1/1", 10), *_access("1/2", 20), *_access("1/3", 1),
            "router ospf 1",
            f"router-id {wiring.loopback}",
            "passive-interface Loopback0",
            f"network {wiring.loopback} 0.0.0.0 area 0",
            *(f"network {c.address.network[0]} 0.0.0.3 area 0" for c in wiring.cables if c.address),
            "ip forward-protocol nd",
            "no ip http server",
            "no ip http secure-server",
            f"ip route 0.0.0.0 0.0.0.0 {identity.gateway}",
            "ip ssh version 2",
            "control-plane",
            "line con 0",
            "line aux 0",
            "line vty 0 4",
            "login local",
            "transport input ssh",
        ]  # fmt: skip
        return "\n".join(lines) + "\nend\n"


def _port(name: str, description: str, address: str | None) -> list[str]:
    lines = [f"interface {name}", f"description {description}", "no switchport"]
    return [*lines, f"ip address {address}"] if address else lines


def _access(port: str, vlan: int) -> list[str]:
    lines = [f"interface GigabitEthernet{port}"]
    if vlan != 1:
        lines.append(f"switchport access vlan {vlan}")
    return [*lines, "switchport mode access"]
