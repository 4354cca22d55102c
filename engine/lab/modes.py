"""CLI modes of a session and where in the configuration a session currently is."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from engine.lab.commands import Match


class Mode(enum.Enum):
    """A CLI mode; the value is what the prompt shows after the hostname."""

    USER = ">"
    PRIVILEGED = "#"
    CONFIG = "(config)#"
    INTERFACE = "(config-if)#"
    VLAN = "(config-vlan)#"
    LINE = "(config-line)#"
    ROUTER = "(config-router)#"

    @property
    def configuring(self) -> bool:
        return self not in (Mode.USER, Mode.PRIVILEGED)


SUBMODES = (Mode.INTERFACE, Mode.VLAN, Mode.LINE, Mode.ROUTER)


@dataclass
class Context:
    """The mode of one session and the object a sub-mode edits (interface, VLAN, section)."""

    mode: Mode = Mode.USER
    target: str = ""

    def enter(self, mode: Mode, target: str = "") -> None:
        self.mode, self.target = mode, target

    def prompt(self, hostname: str) -> str:
        # IOS shortens the hostname in configuration prompts.
        name = hostname[:20] if self.mode.configuring else hostname
        return name + self.mode.value


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


def word_column(line: str, word: int) -> int:
    """The column where the `word`-th word (0-based) of `line` starts (the last one if short)."""
    starts = [m.start() for m in re.finditer(r"\S+", line)]
    return starts[min(word, len(starts) - 1)] if starts else 0
