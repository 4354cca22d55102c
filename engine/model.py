"""A validated playbook as frozen dataclasses: plays, and the steps each play runs in order."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.errors import KeyPath, Location
from engine.schema import validate
from engine.source import Document, load_yaml

Action = Literal["send", "config"]
ACTIONS: tuple[Action, ...] = ("send", "config")
Strategy = Literal["lockstep", "pipeline"]


@dataclass(frozen=True)
class Step:
    """One step: an action with its commands (templates), and when/register around it."""

    name: str
    action: Action
    commands: tuple[str, ...]
    location: Location
    register: str | None = None
    when: str | bool | None = None
    vars: Mapping[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> KeyPath:
        return self.location.path


@dataclass(frozen=True)
class Play:
    """Hosts, vars and the ordered steps run on them."""

    name: str
    hosts: tuple[str, ...]
    steps: tuple[Step, ...]
    location: Location
    vars: Mapping[str, Any] = field(default_factory=dict)
    strategy: Strategy | None = None


@dataclass(frozen=True)
class Playbook:
    """One playbook file: one or more plays."""

    file: str
    plays: tuple[Play, ...]
    document: Document | None = field(default=None, compare=False, repr=False)


def load_playbook(path: str | os.PathLike[str]) -> Playbook:
    """Read and schema-validate a playbook file, then build its model."""
    doc = load_yaml(path)
    validate(doc, "playbook")
    return build_playbook(doc)


def build_playbook(doc: Document) -> Playbook:
    """The model of an already validated document (a play, or a list of plays)."""
    if isinstance(doc.data, list):
        plays = tuple(_play(doc, (i,), raw) for i, raw in enumerate(doc.data))
    else:
        plays = (_play(doc, (), doc.data),)
    return Playbook(doc.file, plays, doc)


def _strings(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _play(doc: Document, path: KeyPath, raw: Mapping[str, Any]) -> Play:
    steps = tuple(_step(doc, (*path, "steps", i), step) for i, step in enumerate(raw["steps"]))
    return Play(
        name=raw["name"],
        hosts=_strings(raw["hosts"]),
        steps=steps,
        location=doc.locate(path),
        vars=raw.get("vars") or {},
        strategy=raw.get("strategy"),
    )


def _step(doc: Document, path: KeyPath, raw: Mapping[str, Any]) -> Step:
    action: Action = next(a for a in ACTIONS if a in raw)
    commands = _strings(raw[action])
    return Step(
        name=raw.get("name") or commands[0],
        action=action,
        commands=commands,
        location=doc.locate(path),
        register=raw.get("register"),
        when=raw.get("when"),
        vars=raw.get("vars") or {},
    )


def adhoc_playbook(commands: Sequence[str], hosts: str = "all") -> Playbook:
    """The one-step playbook behind `netplay cmd`: send these show commands everywhere."""
    where = Location("(command line)")
    step = Step(name=" ; ".join(commands), action="send", commands=tuple(commands), location=where)
    play = Play(name="netplay cmd", hosts=(hosts,), steps=(step,), location=where)
    return Playbook("(command line)", (play,))
