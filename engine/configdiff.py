"""What configuration a step changes: the running-config diff, what check mode would add,
and which exec commands write to the device (check mode holds those back)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

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
)


def _config_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(_VOLATILE)]


def config_diff(before: str, after: str) -> str:
    """A unified diff of two `show running-config` texts, without the volatile lines."""
    lines = difflib.unified_diff(
        _config_lines(before), _config_lines(after), "before", "after", lineterm="", n=1
    )
    return "\n".join(lines)
