"""Configuration mode: which tree a line belongs to, and how a command changes the
stored configuration.

Every mode's tree is compiled from its table of specs (see `grammar`). As on IOS, a line
a sub-mode does not know is tried as a global command, which leaves the sub-mode; a line
no mode knows is refused with the device's error. Accepted commands are stored in their
canonical form: full keywords, one line per key, `no` of an absent line a no-op.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from engine.lab import acl, config_global, config_sections, interface_config
from engine.lab.commands import Failure, Match, Node, parse
from engine.lab.grammar import Edit, Entry, Form, Outcome, Runner, Store, Table, build, split
from engine.lab.modes import Command, Context, Mode, Question
from engine.lab.store import Line

if TYPE_CHECKING:
    from engine.lab.device import Device

TABLES: tuple[Table, ...] = (
    config_global.TABLE,
    interface_config.TABLE,
    *config_sections.TABLES,
    *acl.TABLES,
)
_REGISTRY: dict[str, Entry] = {}
_TREES: dict[Mode, Node] = {table.mode: build(table, _REGISTRY) for table in TABLES}
_TREES[Mode.INTERFACE_RANGE] = _TREES[Mode.INTERFACE]
_OWN = ("end", "exit", "do")


def tree_for(mode: Mode) -> Node:
    """The command tree of a configuration mode (what `?` and Tab offer there)."""
    return _TREES[mode]


def resolve(mode: Mode, line: str) -> tuple[Match | Failure, bool]:
    """The command a config line is, and whether it is a global one that leaves a sub-mode.

    A failure reports the place IOS reports: the furthest any mode's parse got."""
    result = parse(line, _TREES[mode])
    if mode is Mode.CONFIG or isinstance(result, Match) or result.kind != "invalid":
        return result, False
    fallback = parse(line, _TREES[Mode.CONFIG])
    if isinstance(fallback, Match):
        return (fallback, True) if fallback.action not in _OWN else (result, False)
    if fallback.kind != "invalid" or fallback.column > result.column:
        return fallback, False
    return result, False


def apply(context: Context, device: Device, command: Command) -> Outcome:
    """Carry out one matched config command; text is the device's answer (often empty)."""
    match = command.match
    if match.action in ("end", "exit"):
        leave(context, match.action)
        return ""
    entry = _REGISTRY[match.action]
    form, words, args, offset = split(match)
    heads = context.targets if context.mode is not Mode.CONFIG else ("",)
    answers: list[str] = []
    for head in heads:
        block = device.state.config.block(head)
        if block is None:  # removed meanwhile (`no interface` from another session)
            continue
        canonical = entry.spec.canonical(words)
        edit = Edit(
            device, context, block, entry.spec, form, canonical, args, command.line, offset,
            entry.rank, _runner(device),
        )  # fmt: skip
        outcome = _apply(edit)
        device.state.changed()
        if not isinstance(outcome, str):
            return outcome
        answers.append(outcome)
    return "".join(answers)


def leave(context: Context, action: str) -> None:
    """`end` returns to exec mode; `exit` leaves one level."""
    if action == "end" or context.mode is Mode.CONFIG:
        context.enter(Mode.PRIVILEGED)
    else:
        context.enter(Mode.CONFIG)


def _apply(edit: Edit) -> Outcome:
    spec = edit.spec
    if spec.check is not None and edit.form is Form.PLAIN:
        refusal = spec.check(edit)
        if refusal is not None:
            return refusal
    if spec.store in (Store.ENTER, Store.CUSTOM):
        assert spec.hook is not None, spec.syntax
        return spec.hook(edit) or ""
    _store(edit)
    after = spec.hook(edit) if spec.hook is not None else None
    return after or ""


def _store(edit: Edit) -> None:
    """The generic storing of SET, ON and SHOWN commands."""
    spec, block = edit.spec, edit.block
    key = spec.key_of(edit.words)
    order = spec.order(edit.words) if spec.order is not None else ()
    keyed = " ".join(key)
    if edit.form is Form.PLAIN:
        if edit.text == spec.hidden or (spec.store is Store.ON and edit.text == keyed):
            block.drop(*key)  # back to the default, which IOS does not show
        else:
            block.put(Line(key, edit.text, edit.rank, edit.args, order))
    elif spec.store is Store.SET or (edit.form is Form.DEFAULT and spec.default is None):
        block.drop_prefix(key)
    elif edit.form is Form.DEFAULT:
        block.put(Line(key, spec.default or keyed, edit.rank, (), order))
    else:
        block.put(Line(key, f"no {keyed}", edit.rank, (), order))


def _runner(device: Device) -> Runner:
    def run(mode: Mode, head: str, text: str) -> Outcome:
        result = parse(text, _TREES[mode])
        assert isinstance(result, Match), (mode, text, result)
        context = Context(mode, (head,) if head else ())
        return apply(context, device, Command(result, text))

    return run


def load(device: Device, text: str) -> list[str]:
    """Apply a configuration text (a startup-config, a file) as IOS does at boot: line by
    line from global configuration mode. Returns the lines it refused."""
    context = Context(Mode.CONFIG)
    refused: list[str] = []
    lines = iter(text.splitlines())
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line == "end":
            break
        result, leaves = resolve(context.mode, line)
        if isinstance(result, Failure) or result.action == "do":
            refused.append(line)
            continue
        if leaves:
            context.enter(Mode.CONFIG)
        outcome = apply(context, device, Command(result, line))
        if _answered(outcome, lines) is not None:
            refused.append(line)
    return refused


def _answered(outcome: Outcome, lines: Iterator[str]) -> Failure | None:
    """Feed a question (a banner's text) the next lines of the file until it is done."""
    while isinstance(outcome, Question):
        line = next(lines, None)
        if line is None:  # the file ended inside the text: IOS keeps nothing
            return Failure("incomplete", 0)
        outcome = outcome.answer(line)
    return outcome if isinstance(outcome, Failure) else None
