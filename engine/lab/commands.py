"""IOS-style command matching over a declarative command tree (pure logic, no I/O).

A command tree is data: keyword nodes and argument nodes, each possibly ending a command
(`action`). Matching follows IOS: every keyword may be abbreviated to a unique prefix
(`sh ip int br`), an exact keyword wins over longer ones, two candidates make the command
ambiguous, a word that fits nowhere is invalid at its column, and stopping early is
incomplete.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

INTERFACE_TYPES = ("GigabitEthernet", "Loopback", "Vlan", "Port-channel", "Tunnel", "Null")
_NUMBER_RE = re.compile(r"\d+(?:/\d+)*(?:\.\d+)?")
_TYPE_RE = re.compile(r"([A-Za-z][A-Za-z-]*?)(\d.*)?")


class Arg(enum.Enum):
    """The kinds of argument a command word can be."""

    WORD = "WORD"
    LINE = "LINE"  # the rest of the line, spacing kept (descriptions, banners)
    IPV4 = "A.B.C.D"
    NUMBER = "<number>"
    INTERFACE = "<interface>"  # `gi0/1`, `Gi 0/1`, `GigabitEthernet0/1`


@dataclass(frozen=True)
class Node:
    """One word of a command: a keyword or an argument, with what may follow it."""

    keyword: str | None = None
    arg: Arg | None = None
    action: str | None = None
    children: tuple[Node, ...] = ()
    privileged: bool = False  # hidden from user exec mode (`>`)
    verbatim: bool = False  # real IOS has more words here: keep unknown lines as text
    low: int = 0
    high: int = 2**32 - 1


def kw(
    keyword: str,
    *children: Node,
    action: str | None = None,
    privileged: bool = False,
    verbatim: bool = False,
) -> Node:
    """A keyword node."""
    return Node(keyword, None, action, children, privileged, verbatim)


def arg(
    kind: Arg,
    *children: Node,
    action: str | None = None,
    verbatim: bool = False,
    low: int = 0,
    high: int = 2**32 - 1,
) -> Node:
    """An argument node (numbers are checked against `low`..`high`)."""
    return Node(None, kind, action, children, verbatim=verbatim, low=low, high=high)


def tree(*children: Node, verbatim: bool = False) -> Node:
    """The root of a mode's command tree."""
    return Node(children=children, verbatim=verbatim)


@dataclass(frozen=True)
class Match:
    """A complete command: its action, its words expanded (`show ip interface brief`)."""

    action: str
    words: tuple[str, ...]
    args: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Failure:
    """Why a line is not a command, and at which column of the line."""

    kind: Literal["invalid", "ambiguous", "incomplete"]
    column: int
    verbatim: bool = False  # failed where real IOS knows more: a config line to keep as text


@dataclass(frozen=True)
class _Token:
    text: str
    start: int


@dataclass(frozen=True)
class _Step:
    node: Node
    word: str
    consumed: int
    is_arg: bool


def parse(line: str, root: Node, *, privileged: bool = True) -> Match | Failure:
    """Match one command line against a tree; `privileged` shows the enable-only words."""
    tokens = [_Token(m.group(), m.start()) for m in re.finditer(r"\S+", line)]
    node, words, args, index = root, [], [], 0
    while index < len(tokens):
        step = _step(node, tokens, index, line, privileged)
        if isinstance(step, Failure):
            return step
        node, index = step.node, index + step.consumed
        words.append(step.word)
        if step.is_arg:
            args.append(step.word)
    if node.action is None:
        return Failure("incomplete", len(line.rstrip()))
    return Match(node.action, tuple(words), tuple(args))


def _step(
    node: Node, tokens: list[_Token], index: int, line: str, privileged: bool
) -> _Step | Failure:
    token = tokens[index]
    visible = [c for c in node.children if privileged or not c.privileged]
    keywords = _keyword_candidates(visible, token.text.lower())
    if len(keywords) == 1:
        return _Step(keywords[0], keywords[0].keyword or "", 1, False)
    if len(keywords) > 1:
        return Failure("ambiguous", token.start)
    for child in visible:
        if child.arg is not None:
            accepted = _accept(child, tokens, index, line)
            if accepted is not None:
                value, consumed = accepted
                return _Step(child, value, consumed, True)
    return Failure("invalid", token.start, node.verbatim)


def _keyword_candidates(nodes: list[Node], word: str) -> list[Node]:
    keywords = [n for n in nodes if n.keyword is not None]
    exact = [n for n in keywords if n.keyword == word]
    return exact or [n for n in keywords if (n.keyword or "").startswith(word)]


def _accept(node: Node, tokens: list[_Token], index: int, line: str) -> tuple[str, int] | None:
    """The argument's value and how many tokens it takes, or None if it does not fit."""
    text = tokens[index].text
    if node.arg is Arg.LINE:
        return line[tokens[index].start :].rstrip(), len(tokens) - index
    if node.arg is Arg.INTERFACE:
        return _accept_interface(tokens, index)
    if node.arg is Arg.IPV4:
        return (text, 1) if is_ipv4(text) else None
    if node.arg is Arg.NUMBER:
        ok = text.isdigit() and node.low <= int(text) <= node.high
        return (str(int(text)), 1) if ok else None
    return text, 1


def _accept_interface(tokens: list[_Token], index: int) -> tuple[str, int] | None:
    """`gi0/1` (one token) or `gi 0/1` (two tokens), normalized to `GigabitEthernet0/1`."""
    number = _TYPE_RE.fullmatch(tokens[index].text)
    if number is None:
        return None
    kind, digits = number.group(1), number.group(2)
    consumed = 1
    if digits is None and index + 1 < len(tokens):
        digits, consumed = tokens[index + 1].text, 2
    name = interface_name(kind, digits or "")
    return (name, consumed) if name is not None else None


def interface_name(kind: str, number: str) -> str | None:
    """The full interface name for an abbreviated type and its number, if both are valid."""
    types = [t for t in INTERFACE_TYPES if t.lower().startswith(kind.lower())]
    if len(types) != 1 or not _NUMBER_RE.fullmatch(number):
        return None
    return types[0] + number


def is_ipv4(text: str) -> bool:
    """A dotted-quad IPv4 address, as IOS accepts it."""
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Choices:
    """What may follow a partly typed line (`?` and Tab): the candidate words and whether
    the line is already a whole command (`<cr>`)."""

    nodes: tuple[Node, ...]
    partial: str  # the unfinished last word ("" after a space)
    complete: bool


def choices(line: str, root: Node, *, privileged: bool = True) -> Choices | Failure:
    """The keywords and arguments that may come next in `line` (pure; for `?` and Tab)."""
    head, partial = (line, "") if not line or line[-1].isspace() else _split_last(line)
    tokens = [_Token(m.group(), m.start()) for m in re.finditer(r"\S+", head)]
    node, index = root, 0
    while index < len(tokens):
        step = _step(node, tokens, index, head, privileged)
        if isinstance(step, Failure):
            return step
        node, index = step.node, index + step.consumed
    visible = [c for c in node.children if privileged or not c.privileged]
    if partial:
        word = partial.lower()
        fits = [c for c in visible if c.keyword is not None and c.keyword.startswith(word)]
        fits += [c for c in visible if c.arg is Arg.INTERFACE and _interface_prefix(partial)]
        return Choices(tuple(fits), partial, False)
    return Choices(tuple(visible), "", node.action is not None and node is not root)


def _interface_prefix(word: str) -> bool:
    """Whether `word` may be the start of an interface name (`Gi`, `gi0/1`, `Lo`)."""
    found = _TYPE_RE.fullmatch(word)
    kind = found.group(1).lower() if found else ""
    return bool(kind) and any(t.lower().startswith(kind) for t in INTERFACE_TYPES)


def _split_last(line: str) -> tuple[str, str]:
    cut = len(line.rstrip()) - len(line.split()[-1])
    return line[:cut], line[cut:]
