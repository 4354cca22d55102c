"""Per-device behaviour knobs: delays and the faults a simulated device can show.

The inventory gives them as a `lab:` mapping on a host; the schema validates it for the
user, `LabKnobs.from_mapping` turns it into a frozen value (and still refuses anything odd,
so a caller that skips the schema gets a clear ValueError instead of a silent default).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, fields

_NUMBER_KEYS = ("connect_delay", "command_delay", "jitter")
_FLAG_KEYS = ("refuse", "reject_login", "hang_before_banner", "bastion")


@dataclass(frozen=True)
class LabKnobs:
    """How one simulated device misbehaves; the defaults make a healthy, instant device."""

    connect_delay: float = 0.0
    command_delay: float = 0.0
    jitter: float = 0.0
    refuse: bool = False
    reject_login: bool = False
    hang_before_banner: bool = False
    hang_on: str | None = None
    drop_after: int | None = None
    reject: tuple[str, ...] = ()
    bastion: bool = False  # an SSH bastion: no shell, forwards only to lab devices

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> LabKnobs:
        """Build knobs from an inventory `lab:` mapping; ValueError names the bad key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise ValueError(f"unknown lab knob(s): {', '.join(unknown)}; known: {sorted(known)}")
        values: dict[str, object] = {}
        for key, value in data.items():
            values[key] = _convert(key, value)
        return cls(**values)  # type: ignore[arg-type]  # each value checked by _convert


def _convert(key: str, value: object) -> object:
    """Check one knob's type and range, returning the value in its field's type."""
    if key in _NUMBER_KEYS:
        number = _number(key, value)
        if key == "jitter" and number > 1:
            raise ValueError(f"lab knob 'jitter' must be a fraction between 0 and 1, got {value!r}")
        return number
    if key in _FLAG_KEYS:
        if not isinstance(value, bool):
            raise ValueError(f"lab knob '{key}' must be true or false, got {value!r}")
        return value
    if key == "hang_on":
        return _command(key, value)
    if key == "drop_after":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"lab knob 'drop_after' must be a positive integer, got {value!r}")
        return value
    if not isinstance(value, list | tuple):
        raise ValueError(f"lab knob 'reject' must be a list of commands, got {value!r}")
    return tuple(_command(key, item) for item in value)


def _number(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"lab knob '{key}' must be a number >= 0, got {value!r}")
    return float(value)


def _command(key: str, value: object) -> str:
    if not isinstance(value, str) or not value.split():
        raise ValueError(f"lab knob '{key}' must be a non-empty command string, got {value!r}")
    return " ".join(value.split())


class Delays:
    """The delays of one device, with jitter drawn from a generator seeded by its name.

    Seeding from the name makes a lab run repeatable: the same device shows the same
    sequence of delays every time (the order sessions draw them in may still vary).
    """

    def __init__(self, name: str, knobs: LabKnobs) -> None:
        self._knobs = knobs
        seed = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
        self._random = random.Random(seed)

    def connect(self) -> float:
        """Seconds to wait before a login is answered."""
        return self._jittered(self._knobs.connect_delay)

    def command(self) -> float:
        """Seconds to wait before a command's output."""
        return self._jittered(self._knobs.command_delay)

    def _jittered(self, base: float) -> float:
        if base <= 0 or self._knobs.jitter <= 0:
            return base
        spread = self._knobs.jitter
        return base * self._random.uniform(1 - spread, 1 + spread)
