"""Configurations as text: Junos braces and `set` lines, IOS-XR's indented blocks, and
the differences between a candidate and what is committed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from engine.lab.candidate import Path, Segment, Statement, Tree, ordered

_BARE_RE = re.compile(r"[A-Za-z0-9_./:+-]+")
# A subtree: segment text -> (the subtree under it, whether it is a block).
_Nested = dict[str, tuple["_Nested", bool]]


def junos_word(text: str) -> str:
    """A value as Junos prints it: quoted when it holds a space or an odd character."""
    return text if _BARE_RE.fullmatch(text) else '"' + text.replace('"', '\\"') + '"'


def segment_text(segment: Segment, quote: Callable[[str], str] = str) -> str:
    head, values = (segment[0], segment[1:]) if segment else ("", ())
    return " ".join([head if " " in head else quote(head), *map(quote, values)])


def _nest(tree: Tree, paths: Iterable[Path], quote: Callable[[str], str], cut: int) -> _Nested:
    top: _Nested = {}
    for path in paths:
        level = top
        for depth, segment in enumerate(path[cut:], start=cut):
            text = segment_text(segment, quote)
            is_block = depth < len(path) - 1 or tree.entries.get(path, False)
            below, _was = level.get(text, ({}, is_block))
            level[text] = (below, is_block or _was)
            level = below
    return top


def braces(tree: Tree, root: tuple[Statement, ...], *, paths: Iterable[Path] | None = None,
           depth: int = 0, cut: int = 0) -> list[str]:  # fmt: skip
    """Junos's hierarchy (`show configuration`): blocks in braces, statements end in `;`."""
    chosen = ordered(tree.entries if paths is None else paths, root)
    return _brace_lines(_nest(tree, chosen, junos_word, cut), depth)


def _brace_lines(level: _Nested, depth: int) -> list[str]:
    pad, lines = "    " * depth, []
    for text, (below, is_block) in level.items():
        if is_block and below:
            lines += [f"{pad}{text} {{", *_brace_lines(below, depth + 1), f"{pad}}}"]
        else:
            lines.append(f"{pad}{text};")
    return lines


def set_lines(tree: Tree, root: tuple[Statement, ...], verb: str = "set") -> list[str]:
    """Junos's `| display set`: one line per statement."""
    return [
        " ".join([verb, *(segment_text(s, junos_word) for s in path)])
        for path in ordered(tree.entries, root)
    ]


def indented(
    tree: Tree, root: tuple[Statement, ...], paths: Iterable[Path] | None = None
) -> list[str]:
    """IOS-XR's running configuration: a block's statements indented a space, then `!`."""
    chosen = ordered(tree.entries if paths is None else paths, root)
    return _indented_lines(_nest(tree, chosen, str, 0), 0)


def _indented_lines(level: _Nested, depth: int) -> list[str]:
    pad, lines = " " * depth, []
    for text, (below, is_block) in level.items():
        lines.append(pad + text)
        if is_block:
            lines += [*_indented_lines(below, depth + 1), pad + "!"]
    return lines


def xr_changes(candidate: Tree, base: Tree, root: tuple[Statement, ...]) -> list[str]:
    """IOS-XR's `show configuration`: what the target adds, and `no` for what it removes."""
    changes = Tree({p: candidate.entries[p] for p in candidate.added(base)})
    for path in candidate.removed(base):
        last = path[-1]
        changes.entries[(*path[:-1], ("no " + last[0], *last[1:]))] = False
    return indented(changes, root)


def compare(candidate: Tree, base: Tree, root: tuple[Statement, ...]) -> list[str]:
    """Junos's `show | compare`: per changed place, `[edit ...]`, then what goes (`-`) and
    what comes (`+`), each under the deepest level both configurations have."""
    changes = [("-", p, candidate) for p in candidate.removed(base)]
    changes += [("+", p, base) for p in candidate.added(base)]
    groups: dict[Path, dict[str, list[Path]]] = {}
    for sign, path, other in changes:
        head = next(path[:n] for n in range(len(path) - 1, -1, -1) if other.has(*path[:n]))
        groups.setdefault(head, {"-": [], "+": []})[sign].append(path)
    lines: list[str] = []
    for head in ordered(groups, root):
        where = " ".join(segment_text(s, junos_word) for s in head)
        lines.append(f"[edit{' ' + where if where else ''}]")
        for sign, source in (("-", base), ("+", candidate)):
            if groups[head][sign]:
                body = braces(source, root, paths=groups[head][sign], depth=1, cut=len(head))
                lines += [sign + line[1:] for line in body]
    return lines
