"""Jump hosts (bastions): which host is reached through which, from `jump_host:`.

`jump_host:` is set in an inventory's defaults, groups or hosts, with the usual
precedence, and is either

- the name of another inventory host: its address, port and credentials log in to the
  bastion (it is not a play target unless a play selects it); or
- `user@address[:port]` for a bastion outside the inventory, logging in with the
  inventory's default password.

`jump_host: null` (or `none`) on a host goes direct. A jump host is reached directly:
one reached through another (a chain, or a cycle) is refused. A host never jumps through
itself: a `jump_host` inherited from defaults or a group that names the host is ignored
for it, so `defaults: {jump_host: B1}` leaves B1 itself direct.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from engine.errors import InputError, KeyPath, Problem
from engine.schema import suggest
from engine.source import Document

_ADDRESS = re.compile(
    r"(?P<user>[^@\s:]+)@(?P<host>\[[^\]\s]+\]|[^\s:@\[\]]+)(?::(?P<port>\d{1,5}))?"
)
_DIRECT = ("none",)


@dataclass(frozen=True)
class JumpHost:
    """A bastion: where it is and how to log in. `name` is how messages call it (the
    inventory host's name, or `user@address:port` as written)."""

    name: str
    address: str
    port: int = 22
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    lab: Mapping[str, Any] = field(default_factory=dict, repr=False)
    secrets: frozenset[str] = field(default=frozenset(), repr=False)

    def at(self, address: str, port: int) -> JumpHost:
        """The same bastion reached at another address (the lab's)."""
        return replace(self, address=address, port=port)


@dataclass(frozen=True)
class JumpSetting:
    """One host's `jump_host:` as the inventory gives it, and the layer that set it."""

    value: str | None
    path: KeyPath  # of the `jump_host` key, in the layer that set it
    inherited: bool  # set by defaults or a group, not by the host itself


def resolve(
    doc: Document,
    settings: Mapping[str, JumpSetting],
    named: Mapping[str, JumpHost],
    password: str | None,
) -> dict[str, JumpHost]:
    """Each host's jump host (hosts that go direct are left out), or InputError with
    every problem located. `named`: every inventory host as a bastion; `password`: the
    inventory's default password, for `user@address` bastions."""
    chosen: dict[str, JumpHost] = {}
    problems: dict[tuple[KeyPath, str], Problem] = {}
    for host, setting in settings.items():
        try:
            jump = _one(doc, host, setting, named, password)
        except _Refused as refused:
            problems.setdefault((setting.path, refused.problem.message), refused.problem)
            continue
        if jump is not None:
            chosen[host] = jump
    for host, jump in chosen.items():
        beyond = chosen.get(jump.name) if jump.name in named else None
        if beyond is not None:
            problem = _chained(doc, settings[host], host, jump.name, beyond.name)
            problems.setdefault((settings[host].path, problem.message), problem)
    if problems:
        raise InputError(list(problems.values()))
    return chosen


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _one(
    doc: Document,
    host: str,
    setting: JumpSetting,
    named: Mapping[str, JumpHost],
    password: str | None,
) -> JumpHost | None:
    value = setting.value
    if value is None or value.strip().lower() in _DIRECT:
        return None
    if value == host:
        if setting.inherited:
            return None
        raise _Refused(doc.problem(setting.path, f"host '{host}' cannot be its own jump host"))
    if value in named:
        return named[value]
    if "@" not in value:
        hint = suggest(value, named)
        raise _Refused(doc.problem(setting.path, f"unknown jump host '{value}'", hint=hint))
    return _address(doc, setting, password)


def _address(doc: Document, setting: JumpSetting, password: str | None) -> JumpHost:
    """A `user@address[:port]` bastion, logging in with the default password."""
    value = str(setting.value)
    match = _ADDRESS.fullmatch(value)
    port = int(match.group("port") or 22) if match else 0
    if match is None or not 0 < port < 65536:
        message = "not a jump host: name a host or write user@address[:port]"
        problem = doc.problem(setting.path, message)
        if ":" in value.partition("@")[0]:  # `user:password@host`: the line is not shown
            problem = replace(problem, source_line=None)
        raise _Refused(problem)
    secrets = frozenset({password} if password else ())
    address = match.group("host").strip("[]")
    return JumpHost(value, address, port, match.group("user"), password, secrets=secrets)


def _chained(doc: Document, setting: JumpSetting, host: str, jump: str, beyond: str) -> Problem:
    if beyond == host:
        message = f"jump hosts '{host}' and '{jump}' go through each other (a cycle)"
    else:
        message = (
            f"jump host '{jump}' is itself reached through '{beyond}': chains of jump hosts "
            f"are not supported (give '{jump}' `jump_host: null` to reach it directly)"
        )
    return doc.problem(setting.path, message)
