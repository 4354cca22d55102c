"""What configuration a step changes: the running-config diff, what check mode would add,
which exec commands write to the device (check mode holds those back), and the copy of
each host's running-config that `ensure`, `--diff` and `changed` read."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from engine.drivers import Driver
from engine.errors import CommandRejected

# Exec commands that change the device (first word, abbreviations of two letters or more).
_WRITES = (
    "copy",
    "write",
    "reload",
    "delete",
    "erase",
    "format",
    "squeeze",
    "clear",
    "configure",
    "archive",
    "install",
    "rename",
    "mkdir",
    "rmdir",
    "crypto",
    "license",
)


def writes(command: str) -> bool:
    """True for an exec command that changes the device: check mode does not send it."""
    word = command.split()[0].lower() if command.split() else ""
    return len(word) >= 2 and any(verb.startswith(word) for verb in _WRITES)


# Config lines that open a section: the lines after them belong to it.
_SECTIONS = (
    "interface ",
    "router ",
    "line ",
    "vlan ",
    "ip access-list ",
    "route-map ",
    "policy-map ",
    "class-map ",
    "controller ",
    "vrf definition ",
)
# Global commands that leave a section, as IOS does when a line is not valid inside it.
_GLOBAL = (
    "hostname ",
    "ntp ",
    "logging ",
    "ip route ",
    "username ",
    "snmp-server ",
    "banner ",
    "service ",
    "aaa ",
    "ip domain",
    "ip name-server ",
    "enable ",
)


def would_add(running: str, lines: Sequence[str]) -> list[str]:
    """Check mode's diff: the lines not already in the running config, section by section
    (`description x` under `interface Gi0/2` is new even if Gi0/1 has it)."""
    sections = _sections(running)
    added: list[str] = []
    section: str | None = None
    for line in lines:
        text = line.strip()
        if text in ("exit", "end") or text.startswith(_GLOBAL):
            section = None
        if text.startswith(_SECTIONS) or text in sections:
            section = text
            if text not in sections:
                added.append(line)
            continue
        present = sections.get(section, set()) if section else sections.get("", set())
        if text not in present:
            added.append(line)
    return added


def _sections(running: str) -> dict[str, set[str]]:
    """Top-level lines ("" holds them all) and each section's indented children."""
    sections: dict[str, set[str]] = {"": set()}
    current = ""
    for raw in running.splitlines():
        if not raw.strip() or raw.startswith("!"):
            continue
        if raw[0] != " ":
            current = raw.strip()
            sections[""].add(current)
            sections.setdefault(current, set())
        else:
            sections.setdefault(current, set()).add(raw.strip())
    return sections


# Lines of `show running-config` that change without any configuration change.
_VOLATILE = (
    "Building configuration",
    "Current configuration",
    "! Last configuration change",
    "! NVRAM config last updated",
    "!! Last configuration change",  # IOS-XR
    "## Last commit",  # Junos
    "## Last changed",
)


# The time IOS-XR prints above every show's output (`Tue Dec  1 10:15:00.123 UTC`).
_STAMP = re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \S+")


def _config_lines(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if not line.startswith(_VOLATILE) and not _STAMP.fullmatch(line)
    ]


def config_diff(before: str, after: str) -> str:
    """A unified diff of two `show running-config` texts, without the volatile lines."""
    lines = difflib.unified_diff(
        _config_lines(before), _config_lines(after), "before", "after", lineterm="", n=1
    )
    return "\n".join(lines)


SHOW_RUNNING = "show running-config"


class RunningConfig:
    """A host's running-config (`command` shows it), read once and reused until netplay
    changes the device.

    IOS stores configuration in its own canonical form (keywords in full, one line per
    single-valued setting, sections in its own order), so netplay does not predict what a
    change does to the text: the copy is dropped when a change starts, and the step that
    made the change reads it again (see `engine.actions`). `before_changes` keeps the copy
    read before netplay's first change on the host (None if a change came first): what a
    rollback would return to.

    One per host session; a host's steps run one at a time, so no lock is needed.
    """

    def __init__(self, host: str, command: str = SHOW_RUNNING) -> None:
        self.host = host
        self.command = command  # the platform's (engine.platforms.show_running)
        self.known: str | None = None
        self.before_changes: str | None = None
        self._changed = False

    def read(self, device: Driver) -> str:
        """The running-config: the copy held, or a fresh `show running-config`."""
        if self.known is None:
            self.store(self._show(device))
        assert self.known is not None
        return self.known

    def reread(self, device: Driver) -> str:
        """A fresh copy, replacing the one held (after a change whose effect is wanted)."""
        self.forget()
        return self.read(device)

    def store(self, text: str) -> None:
        self.known = text
        if self.before_changes is None and not self._changed:
            self.before_changes = text

    def forget(self) -> None:
        """netplay changed the device (or may have): the copy held is no longer true."""
        self.known = None

    def changing(self) -> None:
        """netplay is about to send configuration: the copy held will no longer be true."""
        self._changed = True
        self.forget()

    def _show(self, device: Driver) -> str:
        reply = device.send(self.command)
        if reply.error is not None:
            raise CommandRejected(self.host, f"{self.command}: {reply.error}")
        return reply.output
