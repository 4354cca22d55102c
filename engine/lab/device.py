"""One simulated device as the lab runs it: its spec, identity, neighbours and state.

All sessions of a device share one `Device`, so a change made in one SSH session is seen
by the next, for the life of the lab.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from engine.lab.files import Flash
from engine.lab.identity import Identity, derive
from engine.lab.knobs import Delays, LabKnobs
from engine.lab.render_config import config_lines
from engine.lab.state import DeviceState, initial_state
from engine.lab.topology import Neighbor, oob_switch


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


class Device:
    """The shared, living state of one simulated device."""

    def __init__(
        self,
        spec: DeviceSpec,
        neighbors: tuple[Neighbor, ...] | None = None,
        *,
        identity: Identity | None = None,
        booted: float | None = None,
    ) -> None:
        self.spec = spec
        self.identity = identity if identity is not None else derive(spec.name, spec.address)
        self.state: DeviceState = initial_state(
            self.identity, spec.username, spec.password, spec.secret
        )
        self.state.startup = "\n".join(config_lines(self.state)) + "\n"  # what it booted from
        # Alone, a device still sees its management switch; a Lab passes the ring as well.
        self.neighbors = neighbors if neighbors is not None else (oob_switch(self.identity),)
        self.delays = Delays(spec.name, spec.knobs)
        self.flash = Flash()
        self._booted = time.time() if booted is None else booted

    @property
    def knobs(self) -> LabKnobs:
        return self.spec.knobs

    def uptime(self) -> int:
        """Seconds since the (simulated) boot: a derived offset plus the lab's own uptime."""
        return self.identity.uptime_offset + int(time.time() - self._booted)

    def login_ok(self, username: str, password: str) -> bool:
        """Whether a login succeeds, as the device's local users decide."""
        return not self.knobs.reject_login and self.state.check_login(username, password)
