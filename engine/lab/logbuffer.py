"""A device's logging buffer: the messages `show logging` lists, with IOS timestamps."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

_SIZE = 200  # messages kept; older ones fall out as from a full buffer


@dataclass(frozen=True)
class Message:
    """One syslog message: when, and its `%FACILITY-SEVERITY-MNEMONIC: text`."""

    moment: float
    text: str

    def line(self, synced: bool) -> str:
        """`*Nov 30 10:04:49.123: %SYS-5-CONFIG_I: ...` (`*`: the clock is not synced)."""
        stamp = time.strftime("%b %e %H:%M:%S", time.gmtime(self.moment))
        millis = int(self.moment % 1 * 1000)
        return f"{'' if synced else '*'}{stamp}.{millis:03d}: {self.text}"


class LogBuffer:
    """The newest messages, oldest first; counts every message ever logged."""

    def __init__(self) -> None:
        self.messages: deque[Message] = deque(maxlen=_SIZE)
        self.logged = 0

    def add(self, text: str, moment: float | None = None) -> None:
        self.messages.append(Message(time.time() if moment is None else moment, text))
        self.logged += 1

    def clear(self) -> None:
        self.messages.clear()
