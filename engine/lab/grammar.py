"""Configuration commands as data: one `Spec` a command, one table of specs a mode.

A spec gives the command's syntax and how IOS stores it: which leading words identify the
line it replaces (`key`), how `no` and `default` treat it (`store`), and, where data is
not enough, a hook. The position of a spec in its table is where IOS renders the line.
The mode's command tree is compiled from the table, with `no` and `default` forms derived
from each spec: `no logging buffered 8000` and `no logging buffered` both match.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.lab.commands import Failure, Match, Node, kw, tree
from engine.lab.modes import Context, Mode, Question, word_column
from engine.lab.syntax import Group, Items, compile_items, compile_syntax, items

if TYPE_CHECKING:
    from engine.lab.device import Device
    from engine.lab.store import Block


class Store(enum.Enum):
    """How a command and its `no` form change the stored configuration."""

    SET = "set"  # stored as typed; `no` removes it
    ON = "on"  # on by default and then not shown: `no` stores `no X`, the command removes it
    SHOWN = "shown"  # shown either way: `X` or `no X` (`negotiation auto`)
    ENTER = "enter"  # enters a sub-mode (its hook does the work)
    CUSTOM = "custom"  # the hook does everything


class Form(enum.Enum):
    """Which form of a command was typed."""

    PLAIN = ""
    NO = "no"
    DEFAULT = "default"


Outcome = str | Failure | Question


@dataclass(frozen=True)
class Edit:
    """One matched config command about to change one block (hooks get this)."""

    device: Device
    context: Context
    block: Block
    spec: Spec
    form: Form
    words: tuple[str, ...]  # canonical words, without `no`/`default`
    args: tuple[str, ...]
    line: str  # as typed, for caret columns
    offset: int  # words typed before the command's own (`no`, `default`)
    rank: tuple[int, int]  # where the spec renders
    run: Runner  # applies another line (a sub-mode's defaults, a created VLAN)

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def column(self, word: int) -> int:
        """Where the command's `word`-th own word starts in the typed line."""
        return word_column(self.line, word + self.offset)


Hook = Callable[[Edit], "Outcome | None"]
Runner = Callable[[Mode, str, str], Outcome]  # (mode, block head, canonical line)


@dataclass(frozen=True)
class Spec:
    """One configuration command.

    `key`: how many leading canonical words name the line a new one replaces (0: all of
    them; a callable for keys that are not a prefix). `no`: how many words `no` needs
    (default: the key's). `check` may refuse the command (returning the device's answer);
    `hook` replaces the generic storing (CUSTOM, ENTER) or runs after it. `hidden` is the
    text IOS does not show because it is the default; `default` what `default X` stores
    for a SHOWN command. `canon` rewrites the words (aliases such as `logging A.B.C.D` ->
    `logging host A.B.C.D`). `order` sorts lines of the same spec (`ip route` by prefix)."""

    syntax: str
    key: int | Callable[[tuple[str, ...]], tuple[str, ...]] = 0
    store: Store = Store.SET
    no: int | None = None
    check: Hook | None = None
    hook: Hook | None = None
    hidden: str | None = None
    default: str | None = None
    canon: Callable[[tuple[str, ...]], tuple[str, ...]] | None = None
    order: Callable[[tuple[str, ...]], tuple[object, ...]] | None = None

    def key_of(self, words: tuple[str, ...]) -> tuple[str, ...]:
        if callable(self.key):
            return self.key(words)
        return words[: self.key] if self.key else words

    def canonical(self, words: tuple[str, ...]) -> tuple[str, ...]:
        return self.canon(words) if self.canon is not None else words


def shown(syntax: str, *, on: bool, hook: Hook | None = None) -> Spec:
    """A switch IOS always shows: `ip cef` / `no ipv6 cef`; `on` is its default."""
    return Spec(syntax, store=Store.SHOWN, default=syntax if on else f"no {syntax}", hook=hook)


def custom(syntax: str, hook: Hook, *, key: int = 0, no: int | None = None) -> Spec:
    """A command whose hook does the storing."""
    return Spec(syntax, key=key, store=Store.CUSTOM, no=no, hook=hook)


def opens(syntax: str, hook: Hook) -> Spec:
    """A command that opens a block and enters its mode."""
    return Spec(syntax, store=Store.ENTER, hook=hook)


@dataclass(frozen=True)
class Table:
    """The commands of one mode, grouped as IOS renders them (a `!` between groups)."""

    mode: Mode
    groups: tuple[tuple[Spec, ...], ...]
    names: tuple[str, ...] = ()  # IOS commands the lab knows only by name (abbreviations)

    def ranked(self) -> list[tuple[tuple[int, int], Spec]]:
        return [
            ((g, i), spec) for g, group in enumerate(self.groups) for i, spec in enumerate(group)
        ]


@dataclass(frozen=True)
class Entry:
    """What a matched action stands for: a spec, its rank, and the form typed."""

    spec: Spec
    rank: tuple[int, int]
    form: Form
    mode: Mode


def build(table: Table, registry: dict[str, Entry]) -> Node:
    """The command tree of a mode; fills `registry` with what each action stands for."""
    nodes: list[Node] = []
    negated: list[Node] = []
    defaulted: list[Node] = []
    for rank, spec in table.ranked():
        name = f"{table.mode.name}:{spec.syntax}"
        registry[name] = Entry(spec, rank, Form.PLAIN, table.mode)
        nodes += compile_syntax(spec.syntax, name)
        for form, bucket in ((Form.NO, negated), (Form.DEFAULT, defaulted)):
            registry[f"{form.value} {name}"] = Entry(spec, rank, form, table.mode)
            bucket += compile_items(_negated(spec), f"{form.value} {name}")
    words = [kw(name) for name in table.names]
    common = (
        kw("end", action="end"),
        kw("exit", action="exit"),
        *compile_syntax("do LINE", "do"),
    )
    return tree(*nodes, kw("no", *negated), kw("default", *defaulted), *common, *words)


def _negated(spec: Spec) -> Items:
    """The syntax of `no X` / `default X`: the key's words, then optionally the rest."""
    sequence = items(spec.syntax)
    needed = spec.no if spec.no is not None else (spec.key if isinstance(spec.key, int) else 0)
    if not needed or needed >= len(sequence):
        return sequence
    if any(isinstance(item, Group) and item.optional for item in sequence[:needed]):
        raise ValueError(f"`no` needs its first words to be there: {spec.syntax}")
    return (*sequence[:needed], Group(True, (sequence[needed:],)))


def split(match: Match) -> tuple[Form, tuple[str, ...], tuple[str, ...], int]:
    """The form of a matched command, its own words and arguments, and the words before them."""
    first = match.words[0] if match.words else ""
    if match.action.startswith(("no ", "default ")):
        return Form(first), match.words[1:], match.args, 1
    return Form.PLAIN, match.words, match.args, 0
