"""CLI modes of a session and where in the configuration a session currently is."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

from engine.lab.commands import Match


class Mode(enum.Enum):
    """A CLI mode; the value's first part is what the prompt shows after the hostname."""

    USER = (">", "user")
    PRIVILEGED = ("#", "privileged")
    CONFIG = ("(config)#", "global")
    INTERFACE = ("(config-if)#", "interface")
    INTERFACE_RANGE = ("(config-if-range)#", "interface range")
    VLAN = ("(config-vlan)#", "vlan")
    LINE = ("(config-line)#", "line")
    OSPF = ("(config-router)#", "router ospf")
    EIGRP = ("(config-router)#", "router eigrp")
    BGP = ("(config-router)#", "router bgp")
    ACL_STANDARD = ("(config-std-nacl)#", "standard access list")
    ACL_EXTENDED = ("(config-ext-nacl)#", "extended access list")
    ARCHIVE = ("(config-archive)#", "archive")
    CONTROL_PLANE = ("(config-cp)#", "control plane")

    @property
    def suffix(self) -> str:
        return self.value[0]

    @property
    def configuring(self) -> bool:
        return self not in (Mode.USER, Mode.PRIVILEGED)


@dataclass
class Context:
    """The mode of one session and the configuration blocks a sub-mode edits: one block
    (`interface GigabitEthernet0/1`), or several after `interface range` or `vlan 10,20`."""

    mode: Mode = Mode.USER
    targets: tuple[str, ...] = ()

    def enter(self, mode: Mode, *targets: str) -> None:
        self.mode, self.targets = mode, targets

    @property
    def target(self) -> str:
        """The (first) block being edited, `` in global configuration."""
        return self.targets[0] if self.targets else ""

    def prompt(self, hostname: str) -> str:
        # IOS shortens the hostname in configuration prompts.
        name = hostname[:20] if self.mode.configuring else hostname
        return name + self.mode.suffix


@dataclass(frozen=True)
class Command:
    """A matched command together with the line it came from (for caret columns)."""

    match: Match
    line: str

    @property
    def args(self) -> tuple[str, ...]:
        return self.match.args

    def column(self, word: int) -> int:
        """The column where the `word`-th word (0-based) of the line starts."""
        return word_column(self.line, word)


@dataclass(frozen=True)
class Question:
    """A command that asks first: the question, and what the answer line leads to (the
    output, or the next question)."""

    text: str
    answer: Callable[[str], str | Question]


def word_column(line: str, word: int) -> int:
    """The column where the `word`-th word (0-based) of `line` starts (the last one if short)."""
    starts = [m.start() for m in re.finditer(r"\S+", line)]
    return starts[min(word, len(starts) - 1)] if starts else 0
