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

from engine.errors import InputError, KeyPath, Location, Problem
from engine.parsing import is_inline_ttp
from engine.paths import FileScope, OutsideTree
from engine.schema import validate
from engine.source import Document, load_yaml

Action = Literal["send", "config", "set", "assert", "ensure"]
# The keys that make a step of each action, in the order they are looked for (`ensure`
# before its companion `absent`, which may also stand alone).
ACTION_KEYS: dict[str, Action] = {
    "send": "send",
    "config": "config",
    "config_file": "config",
    "set": "set",
    "assert": "assert",
    "ensure": "ensure",
    "ensure_file": "ensure",
    "absent": "ensure",
}
ACTIONS: tuple[Action, ...] = ("send", "config", "set", "assert", "ensure")
MAX_TEMPLATE_FILE = 1 << 20  # bytes; a config template bigger than this is a mistake
Strategy = Literal["lockstep", "pipeline"]
BatchSize = int | str  # a number of hosts, or a percentage of the play's hosts ("25%")
Condition = str | bool
MAX_INCLUDE_DEPTH = 16
_INCLUDE_KEYS = frozenset({"include", "name", "vars", "when", "tags", "hosts", "no_log"})


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
    no_log: bool | None = None  # None: as the play says
    absent: tuple[str, ...] = ()  # ensure steps: lines that must not be configured
    match: Literal["exact"] | None = None  # ensure steps: listed sections get only these lines
    rollback_on_failure: bool = False  # config/ensure: archive first, restore if the host fails
    template_file: str | None = None  # `config_file` / `ensure_file`, as written
    document: Document | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> KeyPath:
        return self.location.path

    @property
    def key(self) -> str:
        """The key that holds the step's commands (`config_file` when read from a file)."""
        return f"{self.action}_file" if self.template_file else self.action

    @property
    def changes_config(self) -> bool:
        """Config and ensure steps: never sent twice, `save` applies, check mode holds them."""
        return self.action in ("config", "ensure")

    @property
    def base_dir(self) -> Path:
        """Relative template paths (`parse`) resolve from the step's own file."""
        return Path(self.document.file).parent if self.document is not None else Path.cwd()


@dataclass(frozen=True)
class Rollout:
    """How a play rolls out: in batches of hosts (`serial`), and when it stops early."""

    serial: tuple[BatchSize, ...] = ()  # empty: one batch of every host
    max_fail_percentage: float | None = None
    any_errors_fatal: bool = False


@dataclass(frozen=True)
class Play:
    """Hosts, vars and the ordered steps run on them."""

    name: str
    hosts: tuple[str, ...]
    steps: tuple[Step, ...]
    location: Location
    vars: Mapping[str, Any] = field(default_factory=dict)
    strategy: Strategy | None = None
    no_log: bool = False
    rollout: Rollout = field(default_factory=Rollout)


@dataclass(frozen=True)
class Playbook:
    """One playbook file: one or more plays."""

    file: str
    plays: tuple[Play, ...]
    document: Document | None = field(default=None, compare=False, repr=False)


def load_playbook(path: str | os.PathLike[str], scope: FileScope | None = None) -> Playbook:
    """Read and schema-validate a playbook file, then build its model.

    Every file the playbook names (includes, parser templates, `config_file`,
    `ensure_file`) must lie inside `scope`: by default the playbook's own folder tree.
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
    return read_template_files(Playbook(doc.file, plays, doc), scope)


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
    no_log = bool(raw.get("no_log", False))
    return Play(
        name=raw["name"],
        hosts=_strings(raw["hosts"]),
        steps=tuple(s if s.no_log is not None else replace(s, no_log=no_log) for s in steps),
        location=doc.locate(path),
        vars=raw.get("vars") or {},
        strategy=raw.get("strategy"),
        no_log=no_log,
        rollout=_rollout(raw),
    )


def _rollout(raw: Mapping[str, Any]) -> Rollout:
    serial = raw.get("serial")
    return Rollout(
        serial=() if serial is None else tuple(serial) if isinstance(serial, list) else (serial,),
        max_fail_percentage=raw.get("max_fail_percentage"),
        any_errors_fatal=bool(raw.get("any_errors_fatal", False)),
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
    key = next(k for k in ACTION_KEYS if k in raw)
    action, body = ACTION_KEYS[key], raw[key]
    from_file = key.endswith("_file")
    commands = _strings(body) if key in ("send", "config", "ensure") else ()  # files: later
    values = body if action == "set" else _assertion(body) if action == "assert" else {}
    if action == "ensure":
        _check_blocks(doc, path, raw)
    return Step(
        name=raw.get("name") or (body if from_file else None) or _name(commands, raw, key),
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
        no_log=raw.get("no_log"),
        absent=_strings(raw.get("absent")),
        match=raw.get("match"),
        rollback_on_failure=bool(raw.get("rollback_on_failure", False)),
        template_file=body if from_file else None,
        document=doc,
    )


def _name(commands: Sequence[str], raw: Mapping[str, Any], key: str) -> str:
    """A default step name: the first line it sends (a block has many), else its key."""
    lines = commands or _strings(raw.get("absent"))
    return next((line.strip() for c in lines for line in c.splitlines() if line.strip()), key)


def _check_blocks(doc: Document, path: KeyPath, raw: Mapping[str, Any]) -> None:
    """An `ensure`/`absent` block without templates is checked now, not at run time."""
    from engine.ensure import check_block

    for key in ("ensure", "absent"):
        lines = _strings(raw.get(key))
        if not lines or any("{{" in line or "{%" in line for line in lines):
            continue
        problem = check_block("\n".join(lines).splitlines())
        if problem is not None:
            raise InputError([doc.problem((*path, key), problem)])


def read_template_files(playbook: Playbook, scope: FileScope) -> Playbook:
    """Read each `config_file`/`ensure_file` template into its step, as if written inline:
    a file named by a step is relative to the file holding the step and must lie in `scope`.
    """
    problems: list[Problem] = []
    plays = []
    for play in playbook.plays:
        steps = []
        for step in play.steps:
            if step.template_file is not None:
                try:
                    step = replace(step, commands=(_template_text(step, scope),))
                except (OutsideTree, _Unreadable) as exc:
                    problems.append(_file_problem(step, str(exc)))
            steps.append(step)
        plays.append(replace(play, steps=tuple(steps)))
    if problems:
        raise InputError(problems)
    return replace(playbook, plays=tuple(plays))


class _Unreadable(Exception):
    """A template file that is missing, too big or not text."""


def _template_text(step: Step, scope: FileScope) -> str:
    name, key = step.template_file, step.key
    assert name is not None
    path = scope.resolve(name, base=step.base_dir, what=key)
    try:
        if not path.is_file():
            raise _Unreadable(f"{key} {name} does not exist")
        if path.stat().st_size > MAX_TEMPLATE_FILE:
            raise _Unreadable(f"{key} {name} is larger than {MAX_TEMPLATE_FILE:,} bytes")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"{key} {name} is not UTF-8 text") from exc
    except OSError as exc:
        raise _Unreadable(f"cannot read {key} {name}: {exc.strerror}") from exc


def _file_problem(step: Step, message: str) -> Problem:
    where = (*step.path, step.key)
    if step.document is not None:
        return step.document.problem(where, message)
    return Problem(Location(step.location.file, path=where), message)


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
    if raw.get("no_log") is not None:  # for the included steps that do not say
        steps = [s if s.no_log is not None else replace(s, no_log=raw["no_log"]) for s in steps]
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
