"""Candidate configurations, for the personalities that edit apart and commit (IOS-XR, Junos).

A platform's configuration vocabulary is data: a tree of `Statement`s, each a keyword with
the kinds of value that follow it, and what nests under it. A configuration is an ordered
set of statement paths (`Tree`): a path is one segment per level, e.g.
`(("interfaces",), ("ge-0/0/1",), ("unit", "0"), ("description", "uplink"))`. Editing
works on a copy of the committed tree (the candidate); committing validates the candidate
and swaps it in whole, or changes nothing.

What is committed lives in `engine.lab.candidate_store`; the candidate belongs to whoever
the platform says (see each personality).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["leaf", "multi", "flag", "block"]
Segment = tuple[str, ...]
Path = tuple[Segment, ...]
_TOKEN_RE = re.compile(r'"[^"]*"?|\S+')
_HISTORY = 49  # commits kept for `rollback N`, as Junos keeps them


@dataclass(frozen=True)
class Statement:
    """One statement of a configuration vocabulary.

    `keyword` is the literal word ("" for a statement that is only a name, as Junos puts an
    interface's name under `interfaces`); `values` the kinds of word after it (see
    `VALUE_KINDS`); `kind` says whether a second one replaces it (`leaf`), adds to it
    (`multi`), it stands alone (`flag`), or statements nest under it (`block`); `mode` is
    the sub-mode a block opens on platforms that have them (IOS-XR `config-if`).
    """

    keyword: str
    values: tuple[str, ...] = ()
    kind: Kind = "leaf"
    children: tuple[Statement, ...] = ()
    mode: str = ""


def leaf(keyword: str, *values: str) -> Statement:
    return Statement(keyword, values or ("word",), "leaf")


def multi(keyword: str, *values: str) -> Statement:
    return Statement(keyword, values or ("word",), "multi")


def flag(keyword: str) -> Statement:
    return Statement(keyword, (), "flag")


def block(
    keyword: str, *values: str, children: Iterable[Statement] = (), mode: str = ""
) -> Statement:
    return Statement(keyword, values, "block", tuple(children), mode)


def named(kind: str, *children: Statement, mode: str = "") -> Statement:
    """A block that is only a name (`ge-0/0/1 { ... }`), of value kind `kind`."""
    return Statement("", (kind,), "block", children, mode)


def _ipv4(text: str) -> str | None:
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        return None


def _prefix(text: str) -> str | None:
    try:
        return str(ipaddress.IPv4Interface(text)) if "/" in text else None
    except ValueError:
        return None


def _number(text: str) -> str | None:
    return str(int(text)) if text.isdigit() and len(text) < 11 else None


# Value kind -> the canonical value, or None when the word is not one.
VALUE_KINDS: dict[str, Callable[[str], str | None]] = {
    "word": lambda text: text,
    "text": lambda text: text,  # the rest of the line (quotes removed)
    "ipv4": _ipv4,
    "prefix": _prefix,
    "number": _number,
}


@dataclass(frozen=True)
class Token:
    """One word of a line (quotes removed) and the column it starts at."""

    text: str
    column: int


def tokens(line: str) -> list[Token]:
    """The words of a line; a double-quoted string is one word, as both CLIs read it."""
    return [Token(m.group().strip('"'), m.start()) for m in _TOKEN_RE.finditer(line)]


@dataclass(frozen=True)
class Walked:
    """A statement found in the vocabulary: its path and the kind of its last statement."""

    path: Path
    kind: Kind
    node: Statement


@dataclass(frozen=True)
class Unknown:
    """Why a line is no statement: at which word, and whether words were missing."""

    index: int  # the word the device puts its caret under
    missing: bool = False  # the statement stopped before its values
    ambiguous: bool = False


def walk(
    children: tuple[Statement, ...], words: list[Token], *, partial: bool = False
) -> Walked | Unknown:
    """Follow `words` down the vocabulary. `partial` lets a leaf's values be left out (what
    `delete` / `no` name)."""
    path: list[Segment] = []
    node: Statement | None = None
    index = 0
    while index < len(words):
        found = _child(children, [w.text.lower() for w in words[index:]])
        if isinstance(found, Unknown):
            return Unknown(index + found.index, found.missing, found.ambiguous)
        node, used = found
        start = index + used
        values = _values(node, words, start)
        if values is None:
            missing = start + len(node.values) > len(words)
            if missing and partial and node.keyword and start == len(words):
                return Walked((*path, (node.keyword,)), node.kind, node)
            return Unknown(len(words) if missing else _bad_value(node, words, start), missing)
        path.append(((node.keyword,) if node.keyword else ()) + tuple(values))
        index = start + _taken(node, words, start)
        children = node.children
        if node.kind != "block" and index < len(words):
            return Unknown(index)
    if node is None:
        return Unknown(0, missing=True)
    return Walked(tuple(path), node.kind, node)


def _child(children: tuple[Statement, ...], words: list[str]) -> tuple[Statement, int] | Unknown:
    """The statement `words` start and how many words its keyword takes: exact keywords
    first, then unique abbreviations (`sys host` for `system host-name`), then a name."""
    fits: list[tuple[Statement, bool]] = []
    for child in children:
        parts = child.keyword.split()
        if parts and all(p.startswith(w) for w, p in zip(words, parts, strict=False)):
            fits.append((child, all(w == p for w, p in zip(words, parts, strict=False))))
    exact = [c for c, whole in fits if whole]
    chosen = exact if exact else [c for c, _whole in fits]
    if len(chosen) == 1:
        parts = chosen[0].keyword.split()
        if len(parts) > len(words):
            return Unknown(len(words), missing=True)
        return chosen[0], len(parts)
    if len(chosen) > 1:
        return Unknown(0, ambiguous=True)
    names = [
        c for c in children if not c.keyword and VALUE_KINDS[c.values[0]](words[0]) is not None
    ]
    return (names[0], 0) if names else Unknown(0)


def _taken(node: Statement, words: list[Token], start: int) -> int:
    return len(words) - start if node.values and node.values[-1] == "text" else len(node.values)


def _values(node: Statement, words: list[Token], start: int) -> list[str] | None:
    if start + len(node.values) > len(words):
        return None
    values = []
    for offset, kind in enumerate(node.values):
        if kind == "text":
            values.append(" ".join(w.text for w in words[start + offset :]))
            break
        value = VALUE_KINDS[kind](words[start + offset].text)
        if value is None:
            return None
        values.append(value)
    return values


def _bad_value(node: Statement, words: list[Token], start: int) -> int:
    for offset, kind in enumerate(node.values):
        if kind != "text" and VALUE_KINDS[kind](words[start + offset].text) is None:
            return start + offset
    return start


@dataclass
class Tree:
    """One configuration: statement paths in the order they were made. The value says
    whether the path ends in a block (an empty `interfaces ge-0/0/2 { }` is still there)."""

    entries: dict[Path, bool] = field(default_factory=dict)

    def copy(self) -> Tree:
        return Tree(dict(self.entries))

    def set(self, walked: Walked) -> None:
        """Add a statement; a leaf replaces the value it had."""
        path = walked.path
        if walked.kind == "leaf":
            key = path[-1][: len(path[-1]) - len(walked.node.values)]
            for old in [
                p for p in self.entries if p[:-1] == path[:-1] and p[-1][: len(key)] == key
            ]:
                if len(old[-1]) == len(path[-1]):
                    del self.entries[old]
        for depth in range(1, len(path)):
            self.entries.pop(path[:depth], None)  # the container now holds something
        if walked.kind != "block" or not any(p[: len(path)] == path for p in self.entries):
            self.entries[path] = walked.kind == "block"

    def delete(self, path: Path) -> bool:
        """Remove a statement and all under it; False when there was none."""
        head = path[:-1]
        gone = [p for p in self.entries if within(p, path)]
        for old in gone:
            del self.entries[old]
        if gone and head and not any(p[: len(head)] == head for p in self.entries):
            self.entries[head] = True  # the container stays, empty
        return bool(gone)

    def has(self, *segments: Segment) -> bool:
        return any(p[: len(segments)] == segments for p in self.entries)

    def values(self, *segments: Segment) -> list[Path]:
        """The paths under `segments`."""
        return [p for p in self.entries if p[: len(segments)] == segments]

    def added(self, base: Tree) -> list[Path]:
        return [p for p in self.entries if p not in base.entries]

    def removed(self, base: Tree) -> list[Path]:
        return [p for p in base.entries if p not in self.entries]


def within(path: Path, base: Path) -> bool:
    """Whether `path` lies under `base`, whose last segment may leave its values out
    (`system host-name` holds `system host-name R1`)."""
    if not base:
        return True
    head, last = base[:-1], base[-1]
    return (
        len(path) >= len(base)
        and path[: len(head)] == head
        and path[len(head)][: len(last)] == last
    )


def ordered(paths: Iterable[Path], root: tuple[Statement, ...]) -> list[Path]:
    """Paths sorted as the device shows them: each level in vocabulary order, names in the
    order they were made."""
    listed = list(paths)
    first_seen = {p: n for n, p in enumerate(listed)}

    def key(path: Path) -> tuple[tuple[int, int], ...]:
        keys: list[tuple[int, int]] = []
        children = root
        for depth, segment in enumerate(path):
            found = [n for n, c in enumerate(children) if c.keyword == segment[0]]
            position = found[0] if found else len(children)
            match = (
                children[found[0]] if found else next((c for c in children if not c.keyword), None)
            )
            earliest = min(first_seen[p] for p in listed if p[: depth + 1] == path[: depth + 1])
            keys.append((position, earliest if match is None or not match.keyword else 0))
            children = match.children if match is not None else ()
        return tuple(keys)

    return sorted(listed, key=key)


def flat(path: Path) -> tuple[str, ...]:
    """A path as the words of one line (`system ntp server 192.0.2.1`)."""
    return tuple(" ".join(" ".join(segment) for segment in path).split())


def statement_at(root: tuple[Statement, ...], path: Path) -> Statement | None:
    """The statement a path ends at (None for the top, or a path the vocabulary lacks)."""
    node: Statement | None = None
    children = root
    for segment in path:
        node = next((c for c in children if c.keyword and c.keyword == segment[0]), None)
        if node is None:
            node = next((c for c in children if not c.keyword), None)
        if node is None:
            return None
        children = node.children
    return node


def children_at(root: tuple[Statement, ...], path: Path) -> tuple[Statement, ...]:
    """The statements that may follow `path`."""
    node = statement_at(root, path)
    return root if node is None else node.children
