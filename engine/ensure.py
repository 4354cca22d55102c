"""`ensure` and `absent`: what to send so the running-config holds (or lacks) some lines.

The only module that talks to hier_config, imported lazily: `validate` of a playbook with
no ensure step, and `--help`, never load it. hier_config parses both texts into trees
with the platform's rules (whitespace, comments, `Building configuration...` and other
lines that change on their own are normalised away); what to send is the difference of
the trees, in the order the block gives, each line under its parents:

    running:                       ensure:                          sent:
    interface Loopback9            interface Loopback9              interface Loopback9
     ip address 10.9.9.9 255...     description managed              description managed
                                    ip address 10.9.9.9 255...

Pure functions of text: no device, no I/O.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from engine.platforms import hier_config_platform

if TYPE_CHECKING:
    from hier_config import HConfig, HConfigChild
    from hier_config.platforms.driver_base import HConfigDriverBase

    Node = HConfig | HConfigChild

# hier_config drops these lines as noise when it reads a config; for `ensure` they are
# settings like any other (` no ip address` must be sendable to remove an address).
_KEPT = frozenset({"^ no ip address"})


class BlockError(Exception):
    """An ensure/absent block that cannot be compared; the message is fit for users."""


@dataclass(frozen=True)
class Change:
    """What an ensure step changes on one device.

    `commands` are typed in config mode, in order: parents first, children indented one
    space per level as the running-config shows them, and the section exits hier_config
    knows for the platform (`exit`, `exit-address-family`) between sections. `diff` marks
    each line `+` (added) or `-` (removed, as the running-config shows it), parents that
    are already there with a space.
    """

    commands: tuple[str, ...] = ()
    diff_lines: tuple[str, ...] = ()

    @property
    def changes(self) -> bool:
        return bool(self.commands)

    @property
    def diff(self) -> str | None:
        return "\n".join(self.diff_lines) or None


def check_block(lines: Sequence[str], platform: str = "cisco_ios") -> str | None:
    """Why a rendered ensure/absent block cannot be used, or None when it can."""
    try:
        _block(lines, platform)
    except BlockError as exc:
        return str(exc)
    return None


def plan(
    running: str,
    ensure: Sequence[str],
    absent: Sequence[str] = (),
    *,
    exact: bool = False,
    platform: str = "cisco_ios",
) -> Change:
    """What to send so that `running` holds every line of `ensure` and none of `absent`.

    A line of `absent` given without children removes the running line equal to it or
    starting with it and a space (`absent: ntp server` removes every NTP server), except
    lines `ensure` lists. With `exact`, each section `ensure` lists also loses the
    children it does not list (`no ...` lines, which show a default turned off, are
    left alone; a line the platform replaces in place, such as a description, is not
    removed first).
    """
    trees = []
    for lines, name in ((ensure, "ensure"), (absent, "absent")):
        try:
            trees.append(_block(lines, platform))
        except BlockError as exc:
            raise BlockError(f"{name}: {exc}") from exc
    builder = _Builder()
    have = _tree(platform, running, what="the running-config")
    _walk(builder, have, trees[0], trees[1], exact=exact, top=True)
    return builder.change()


@lru_cache(maxsize=16)
def _driver(platform: str) -> HConfigDriverBase:
    from hier_config import Platform, get_hconfig_driver

    driver = get_hconfig_driver(Platform[hier_config_platform(platform) or "GENERIC"])
    kept = [rule for rule in driver.rules.per_line_sub if rule.search not in _KEPT]
    driver.rules = driver.rules.model_copy(update={"per_line_sub": kept})
    return driver


def _block(lines: Sequence[str], platform: str) -> HConfig:
    """An ensure/absent block as a tree, once its indentation makes sense."""
    text = [line for line in lines if line.strip()]
    if any("\t" in line[: len(line) - len(line.lstrip())] for line in text):
        raise BlockError("indent with spaces, not tabs")
    if text and text[0][:1].isspace():
        first = text[0].strip()
        raise BlockError(
            f"the first line ('{first}') is indented: a child needs its parent line above it"
        )
    return _tree(platform, "\n".join(text))


def _tree(platform: str, text: str, what: str = "the block") -> HConfig:
    from hier_config import get_hconfig
    from hier_config.exceptions import DuplicateChildError

    try:
        return get_hconfig(_driver(platform), text)
    except DuplicateChildError as exc:
        raise BlockError(f"{what} has a line twice at the same place: {_where(exc)}") from exc
    except ValueError as exc:  # an unterminated banner
        raise BlockError(f"cannot read {what}: {exc}") from exc


def _where(exc: Exception) -> str:
    """`interface X > description y`, from "duplicate section: ('interface X', ...)"."""
    try:
        path = ast.literal_eval(str(exc).partition(": ")[2])
    except (ValueError, SyntaxError):
        return str(exc)
    return " > ".join(str(part) for part in path) if isinstance(path, tuple) else str(exc)


class _Builder:
    """Collects the diff line and the typed command of each change, in sending order."""

    def __init__(self) -> None:
        self.entries: list[tuple[str | None, str]] = []  # (diff line or None for an exit, typed)

    def __len__(self) -> int:
        return len(self.entries)

    def line(self, node: HConfigChild, mark: str, typed: str | None = None) -> None:
        pad = " " * (node.depth() - 1)
        self.entries.append((f"{mark}{pad}{node.text}", pad + (typed or node.text)))

    def added(self, node: HConfigChild) -> None:
        self.line(node, "+")
        for child in node.children:
            self.added(child)
        if node.children:
            self.leave(node)

    def removed(self, node: HConfigChild) -> None:
        self.line(node, "-", _negation(node))

    def leave(self, node: HConfigChild) -> None:
        """The section's exit (`exit` unless a platform rule says otherwise), so that the
        next line is read at the right level."""
        rule = next(
            (
                r
                for r in node.driver.rules.sectional_exiting
                if node.is_lineage_match(r.match_rules)
            ),
            None,
        )
        text = "exit" if rule is None else rule.exit_text
        if text:
            level = node.depth() - (2 if rule is not None and rule.exit_text_parent_level else 1)
            self.entries.append((None, " " * max(level, 0) + text))

    def undo(self, length: int) -> None:
        del self.entries[length:]

    def change(self) -> Change:
        entries = list(self.entries)
        while entries and entries[-1][0] is None:  # exits before `end` change nothing
            entries.pop()
        return Change(
            commands=tuple(typed for _, typed in entries),
            diff_lines=tuple(shown for shown, _ in entries if shown is not None),
        )


def _walk(
    builder: _Builder,
    have: Node | None,
    want: Node | None,
    gone: Node | None,
    *,
    exact: bool,
    top: bool = False,
) -> None:
    """The changes under one section: removals first, then what `want` adds, in its order.
    `exact` applies to the sections below the top level, never to the top level itself."""
    if have is not None:
        for child in tuple(have.children):
            if _removed(child, want, gone, exact=exact and not top):
                builder.removed(child)
    for child in want.children if want is not None else ():
        present = have.children.get(child.text) if have is not None else None
        if present is None:
            builder.added(child)
        else:
            _section(builder, present, child, _child(gone, child.text), exact=exact)
    for child in gone.children if gone is not None else ():
        listed = want is not None and child.text in want.children
        present = have.children.get(child.text) if have is not None else None
        if child.children and present is not None and not listed:
            _section(builder, present, None, child, exact=exact)


def _section(
    builder: _Builder, have: HConfigChild, want: Node | None, gone: Node | None, *, exact: bool
) -> None:
    """A section the device has: its line as context, only if something changes below it."""
    start = len(builder)
    builder.line(have, " ")
    _walk(builder, have, want, gone, exact=exact)
    if len(builder) == start + 1:
        builder.undo(start)
    else:
        builder.leave(have)


def _child(node: Node | None, text: str) -> HConfigChild | None:
    return node.children.get(text) if node is not None else None


def _removed(child: HConfigChild, want: Node | None, gone: Node | None, *, exact: bool) -> bool:
    if want is not None and child.text in want.children:
        return False  # what ensure lists stays, whatever absent says
    for line in gone.children if gone is not None else ():
        if not line.children and (
            child.text == line.text or child.text.startswith(line.text + " ")
        ):
            return True
    if not exact or want is None or child.text.startswith(child.driver.negation_prefix):
        return False
    return not child.is_idempotent_command(want.children)


def _negation(node: HConfigChild) -> str:
    """The line that removes `node`, by the platform's rules (`no X`, `X` for `no X`, ...)."""
    from hier_config import HConfig

    scratch = HConfig(node.driver)
    parent = node.parent
    base = scratch if isinstance(parent, HConfig) else scratch.add_ancestor_copy_of(parent)
    return base.add_child(node.text).negate().text
