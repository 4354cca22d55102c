"""A validated playbook as frozen dataclasses: plays, and the steps each play runs in order.

`include` is resolved here, at load time: the included file's steps take the include
step's place, so the executor only ever sees plain steps.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from engine.errors import InputError, KeyPath, Location
from engine.parsing import is_inline_ttp
from engine.paths import FileScope, OutsideTree
from engine.schema import validate
from engine.source import Document, load_yaml

Action = Literal["send", "config", "set", "assert"]
ACTIONS: tuple[Action, ...] = ("send", "config", "set", "assert")
Strategy = Literal["lockstep", "pipeline"]
Condition = str | bool
MAX_INCLUDE_DEPTH = 16
_INCLUDE_KEYS = frozenset({"include", "name", "vars", "when", "tags", "hosts"})


@dataclass(frozen=True)
class Parse:
    """How to turn a send step's output into records (`parsed`)."""

    kind: Literal["textfsm", "ttp"]
    template: str | None = None  # as written: a file name, or inline TTP text
    file: Path | None = None  # the template file, resolved inside the playbook's tree


@dataclass(frozen=True)
class Step:
    """One step: an action with its commands (templates), and the keys around it."""

    name: str
    action: Action
    commands: tuple[str, ...]
    location: Location
    register: str | None = None
    when: tuple[Condition, ...] = ()  # all must hold
    vars: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)  # `set:` and `assert:` bodies
    loop: str | list[Any] | None = None
    loop_var: str = "item"
    until: str | None = None
    retries: int = 3
    delay: float = 1.0
    failed_when: tuple[Condition, ...] = ()
    changed_when: tuple[Condition, ...] = ()
    ignore_errors: bool = False
    run_once: bool = False
    hosts: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    timeout: float | None = None
    expect: str | None = None
    answers: Mapping[str, str] = field(default_factory=dict)
    parse: Parse | None = None
    error_patterns: tuple[str, ...] = ()
    save: bool = False
    save_to: str | None = None
    document: Document | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> KeyPath:
        return self.location.path

    @property
    def base_dir(self) -> Path:
        """Relative template paths (`parse`) resolve from the step's own file."""
        return Path(self.document.file).parent if self.document is not None else Path.cwd()


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


def load_playbook(path: str | os.PathLike[str], scope: FileScope | None = None) -> Playbook:
    """Read and schema-validate a playbook file, then build its model.

    Every file the playbook names (includes, parser templates) must lie inside `scope`:
    by default the playbook's own folder tree.
    """
    doc = load_yaml(path)
    validate(doc, "playbook")
    return build_playbook(doc, scope)


def build_playbook(doc: Document, scope: FileScope | None = None) -> Playbook:
    """The model of an already validated document (a play, or a list of plays)."""
    scope = scope or FileScope.around(doc.file)
    if isinstance(doc.data, list):
        plays = tuple(_play(doc, (i,), raw, scope) for i, raw in enumerate(doc.data))
    else:
        plays = (_play(doc, (), doc.data, scope),)
    return Playbook(doc.file, plays, doc)


def _strings(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _conditions(value: Condition | Sequence[str] | None) -> tuple[Condition, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str | bool) else tuple(value)


def _play(doc: Document, path: KeyPath, raw: Mapping[str, Any], scope: FileScope) -> Play:
    tags = frozenset(_strings(raw.get("tags")))
    steps: list[Step] = []
    for i, step in enumerate(raw["steps"]):
        steps += _steps(_Place(doc, (*path, "steps", i), scope), step, tags, ())
    return Play(
        name=raw["name"],
        hosts=_strings(raw["hosts"]),
        steps=tuple(steps),
        location=doc.locate(path),
        vars=raw.get("vars") or {},
        strategy=raw.get("strategy"),
    )


@dataclass(frozen=True)
class _Place:
    """Where a step is being read: its document, key path and the files it may name."""

    doc: Document
    path: KeyPath
    scope: FileScope

    def refuse(self, key: str, exc: OutsideTree) -> InputError:
        return InputError([self.doc.problem((*self.path, key), str(exc))])


def _steps(
    at: _Place, raw: Mapping[str, Any], tags: frozenset[str], chain: tuple[str, ...]
) -> list[Step]:
    """One step, or the steps an `include` brings in."""
    if "include" in raw:
        return _include(at, raw, tags, chain)
    return [_step(at, raw, tags)]


def _step(at: _Place, raw: Mapping[str, Any], tags: frozenset[str]) -> Step:
    doc, path = at.doc, at.path
    action: Action = next(a for a in ACTIONS if a in raw)
    body = raw[action]
    commands = _strings(body) if action in ("send", "config") else ()
    values = body if action == "set" else _assertion(body) if action == "assert" else {}
    return Step(
        name=raw.get("name") or (commands[0] if commands else action),
        action=action,
        commands=commands,
        location=doc.locate(path),
        register=raw.get("register"),
        when=_conditions(raw.get("when")),
        vars=raw.get("vars") or {},
        values=values,
        loop=raw.get("loop"),
        loop_var=raw.get("loop_var", "item"),
        until=raw.get("until"),
        retries=int(raw.get("retries", 3)),
        delay=float(raw.get("delay", 1.0)),
        failed_when=_conditions(raw.get("failed_when")),
        changed_when=_conditions(raw.get("changed_when")),
        ignore_errors=bool(raw.get("ignore_errors", False)),
        run_once=bool(raw.get("run_once", False)),
        hosts=_strings(raw.get("hosts")),
        tags=tags | frozenset(_strings(raw.get("tags"))),
        timeout=raw.get("timeout"),
        expect=raw.get("expect"),
        answers=raw.get("answers") or {},
        parse=_parse(at, raw.get("parse")),
        error_patterns=_strings(raw.get("error_patterns")),
        save=bool(raw.get("save", False)),
        save_to=raw.get("save_to"),
        document=doc,
    )


def _assertion(body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "that": _strings(body["that"]),
        "fail_msg": body.get("fail_msg"),
        "success_msg": body.get("success_msg"),
    }


def _parse(at: _Place, value: str | Mapping[str, str] | None) -> Parse | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Parse(kind="textfsm" if value == "textfsm" else "ttp")
    name, template = next(iter(value.items()))
    kind: Literal["textfsm", "ttp"] = "textfsm" if name == "textfsm" else "ttp"
    if kind == "ttp" and is_inline_ttp(template):
        return Parse(kind, template)
    base = Path(at.doc.file).parent
    try:
        file = at.scope.resolve(template, base=base, what=f"{kind} template")
    except OutsideTree as exc:
        raise at.refuse("parse", exc) from None
    return Parse(kind, template, file)


def _include(
    at: _Place, raw: Mapping[str, Any], tags: frozenset[str], chain: tuple[str, ...]
) -> list[Step]:
    """Load the included steps; the include's vars, `when` and tags apply to each of them."""
    doc, path = at.doc, at.path
    extra = sorted(set(raw) - _INCLUDE_KEYS)
    if extra:
        message = f"'{extra[0]}' cannot be used with include"
        hint = f"an include step takes only {', '.join(sorted(_INCLUDE_KEYS))}"
        raise InputError([doc.problem((*path, extra[0]), message, hint=hint, key=True)])
    try:  # refused before anything is read: an error never shows an outside file's text
        target = at.scope.resolve(raw["include"], base=Path(doc.file).parent, what="include")
    except OutsideTree as exc:
        raise at.refuse("include", exc) from None
    if str(target) in chain or len(chain) >= MAX_INCLUDE_DEPTH:
        message = f"include of {raw['include']} loops back on itself"
        raise InputError([doc.problem((*path, "include"), message)])
    if not target.is_file():
        message = f"included file {raw['include']} does not exist"
        raise InputError([doc.problem((*path, "include"), message)])
    included = load_yaml(target, display=os.path.relpath(target))
    validate(included, "playbook", definition="steps_file")
    data = included.data
    entries, base = (data, ()) if isinstance(data, list) else (data["steps"], ("steps",))
    file_vars = {} if isinstance(data, list) else data.get("vars") or {}
    step_tags = tags | frozenset(_strings(raw.get("tags")))
    steps: list[Step] = []
    for i, entry in enumerate(entries):
        place = _Place(included, (*base, i), at.scope)
        steps += _steps(place, entry, step_tags, (*chain, str(target)))
    caller_vars = raw.get("vars") or {}
    hosts = _strings(raw.get("hosts"))
    return [_inherit(s, file_vars, caller_vars, raw.get("when"), hosts) for s in steps]


def _inherit(
    step: Step,
    file_vars: Mapping[str, Any],
    caller: Mapping[str, Any],
    when: Condition | None,
    hosts: tuple[str, ...],
) -> Step:
    """file vars < the include step's vars < the included step's own vars; the include's
    `when` and `hosts` narrow every included step further."""
    merged = {**file_vars, **caller, **step.vars}
    narrowed = step.hosts
    if hosts:  # the include's hosts, intersected with the step's own (`&` patterns)
        narrowed = (*hosts, *(p if p[:1] in "!&" else f"&{p}" for p in step.hosts))
    return replace(step, vars=merged, when=(*_conditions(when), *step.when), hosts=narrowed)


def adhoc_playbook(commands: Sequence[str], hosts: str = "all") -> Playbook:
    """The one-step playbook behind `netplay cmd`: send these show commands everywhere."""
    where = Location("(command line)")
    step = Step(name=" ; ".join(commands), action="send", commands=tuple(commands), location=where)
    play = Play(name="netplay cmd", hosts=(hosts,), steps=(step,), location=where)
    return Playbook("(command line)", (play,))
