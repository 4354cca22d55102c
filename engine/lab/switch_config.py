"""The configuration of a simulated EOS or NX-OS switch, stored as canonical lines.

A configuration is a list of top-level lines, each with the lines of its sub-mode
(`interface Ethernet1` and its `description`). Every line is stored the way the platform
writes it, so `show running-config` prints it back the same whatever was typed. A
device's state (running and saved configuration, EOS's pending config sessions) lives
beside the `Device` for the life of the lab, like IOS's `device.state`.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.lab.device import Device


@dataclass
class Node:
    """One top-level line and the lines under it."""

    line: str
    children: list[str] = field(default_factory=list)


@dataclass
class SwitchConfig:
    """Canonical configuration lines, top-level in the order they were first entered."""

    nodes: list[Node] = field(default_factory=list)

    def copy(self) -> SwitchConfig:
        return copy.deepcopy(self)

    def node(self, line: str) -> Node | None:
        return next((n for n in self.nodes if n.line == line), None)

    def section(self, line: str) -> Node:
        """The section headed by `line`, created empty if it is new."""
        found = self.node(line)
        if found is None:
            found = Node(line)
            self.nodes.append(found)
        return found

    def lines(self, scope: str | None) -> list[str]:
        """The lines of a section, or the top-level lines for scope None."""
        if scope is None:
            return [n.line for n in self.nodes]
        found = self.node(scope)
        return found.children if found is not None else []

    def store(self, scope: str | None, line: str, key: int | None) -> None:
        """Store `line`, replacing a line with the same first `key` words (None: the same line)."""
        self.remove(scope, line.split()[:key] if key is not None else line.split(), whole=True)
        if scope is None:
            self.section(line)
        else:
            self.section(scope).children.append(line)

    def remove(self, scope: str | None, words: Sequence[str], *, whole: bool = False) -> None:
        """Remove the lines that start with `words` (a section goes with its header)."""

        def starts(line: str) -> bool:
            have = line.split()
            return have[: len(words)] == list(words) and (not whole or len(words) <= len(have))

        if scope is None:
            self.nodes = [n for n in self.nodes if not starts(n.line)]
        else:
            node = self.node(scope)
            if node is not None:
                node.children = [c for c in node.children if not starts(c)]

    def value(self, scope: str | None, *words: str) -> str | None:
        """What follows `words` on the first line of the scope that starts with them."""
        for line in self.lines(scope):
            have = line.split()
            if have[: len(words)] == list(words):
                return " ".join(have[len(words) :])
        return None

    def has(self, scope: str | None, line: str) -> bool:
        return line in self.lines(scope)

    def headers(self, prefix: str) -> list[str]:
        """The top-level lines that start with `prefix` (`interface `, `vlan `)."""
        return [n.line for n in self.nodes if n.line.startswith(prefix)]


@dataclass(frozen=True)
class Layout:
    """How a platform prints its configuration: indentation, what separates sections,
    and the order of top-level commands (by leading words; anything else comes last)."""

    indent: str
    separator: str
    order: tuple[str, ...]
    child_order: tuple[str, ...] = ()  # the order of the lines inside a section


def render(config: SwitchConfig, layout: Layout) -> list[str]:
    """The configuration's lines as `show running-config` prints them, without header."""
    ranked = sorted(config.nodes, key=lambda n: (_rank(n.line, layout.order), natural(n.line)))
    out: list[str] = []
    previous = -1
    for node in ranked:
        rank = _rank(node.line, layout.order)
        if out and (rank != previous or node.children or _had_children(out, layout)):
            out.append(layout.separator)
        out.append(node.line)
        children = sorted(node.children, key=lambda line: _rank(line, layout.child_order))
        out += [layout.indent + child for child in children]
        previous = rank
    return out


def _had_children(out: list[str], layout: Layout) -> bool:
    return out[-1].startswith(layout.indent)


def _rank(line: str, order: tuple[str, ...]) -> int:
    ranks = [i for i, prefix in enumerate(order) if line == prefix or line.startswith(prefix + " ")]
    return ranks[-1] if ranks else len(order)


def natural(text: str) -> tuple[object, ...]:
    """A sort key that puts Ethernet2 before Ethernet10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


@dataclass
class SwitchState:
    """Everything a switch keeps between sessions."""

    running: SwitchConfig
    startup: SwitchConfig
    sessions: dict[str, SwitchConfig] = field(default_factory=dict)


_STATES: weakref.WeakKeyDictionary[Device, SwitchState] = weakref.WeakKeyDictionary()


def state_of(device: Device, boot: Callable[[Device], SwitchConfig]) -> SwitchState:
    """The device's switch state, booted from `boot(device)` on first use."""
    found = _STATES.get(device)
    if found is None:
        running = boot(device)
        found = SwitchState(running, running.copy())
        _STATES[device] = found
    return found


def booted(device: Device) -> SwitchState | None:
    """The switch state of a device answered by a switch personality, if it has booted."""
    return _STATES.get(device)


def hashed_secret(prefix: str, name: str, password: str) -> str:
    """A crypt-shaped hash of a user's password (`$6$salt$...`): the configuration never
    holds the password itself, and the same password hashes the same way every run."""
    salt = hashlib.sha256(name.encode()).hexdigest()[:16]
    digest = hashlib.sha512(f"{salt}{password}".encode()).digest()
    return f"{prefix}{salt}${base64.b64encode(digest).decode().rstrip('=').replace('+', '.')}"
