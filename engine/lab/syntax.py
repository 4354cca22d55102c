"""Command syntax written as one line of text, compiled into a command tree.

    logging buffered [<4096-2147483647>] [$LEVEL]
    switchport mode {access|trunk|dynamic {auto|desirable}}
    ip address A.B.C.D A.B.C.D [secondary]

Lower-case words are keywords; arguments are `WORD`, `LINE` (the rest of the line),
`A.B.C.D`, `INTERFACE`, `VLANS`, `<low-high>`, `LEVELNUM`, `TCPPORT`, `UDPPORT`;
`[...]` may be left out, `{...}` must be there, `|` separates alternatives, `$NAME`
expands a macro. Optional parts share the nodes that follow them, so the tree stays small.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from engine.lab.commands import LEVELS, TCP_PORTS, UDP_PORTS, Arg, Node, merge

_ADDRESS = "{any|host A.B.C.D|A.B.C.D A.B.C.D}"
MACROS = {
    "LEVEL": "{" + "|".join(LEVELS) + "|LEVELNUM}",
    "TCPPORT": "{" + "|".join(sorted(set(TCP_PORTS.values()))) + "|TCPPORT}",
    "UDPPORT": "{" + "|".join(sorted(set(UDP_PORTS.values()))) + "|UDPPORT}",
    "ADDRESS": _ADDRESS,
    "AREA": "{<0-4294967295>|A.B.C.D}",
}
_ARGS = {
    "WORD": Arg.WORD,
    "LINE": Arg.LINE,
    "A.B.C.D": Arg.IPV4,
    "INTERFACE": Arg.INTERFACE,
    "VLANS": Arg.VLANS,
    "LEVELNUM": Arg.LEVEL,
    "TCPPORT": Arg.TCP_PORT,
    "UDPPORT": Arg.UDP_PORT,
}
_UPPER_KEYWORDS = ("RO", "RW")  # keywords IOS prints in capitals
_RANGE = re.compile(r"<(\d+)-(\d+)>")
_MACRO = re.compile(r"\$([A-Z]+)")
_TOKEN = re.compile(r"[\[\]{}|]|[^\s\[\]{}|]+")


@dataclass(frozen=True)
class Group:
    """`[a|b c]` (optional) or `{a|b c}` (required): alternatives, each a sequence."""

    optional: bool
    alternatives: tuple[Items, ...]


Items = tuple["str | Group", ...]


@dataclass(frozen=True)
class _Tail:
    """What may follow: the nodes, and whether the command may also end here."""

    nodes: tuple[Node, ...]
    ends: bool


def expand(syntax: str) -> str:
    """The syntax with every `$MACRO` replaced (macros may use macros)."""
    while "$" in syntax:
        syntax = _MACRO.sub(lambda m: MACROS[m.group(1)], syntax)
    return syntax


def items(syntax: str) -> Items:
    """The syntax as a sequence of words and groups."""
    tokens = _TOKEN.findall(expand(syntax))
    sequence, end = _sequence(tokens, 0)
    if end != len(tokens):
        raise ValueError(f"unbalanced syntax: {syntax!r}")
    return sequence


def _sequence(tokens: list[str], index: int) -> tuple[Items, int]:
    found: list[str | Group] = []
    while index < len(tokens) and tokens[index] not in "]}|":
        token = tokens[index]
        if token in "[{":
            group, index = _group(tokens, index + 1, "]" if token == "[" else "}")
            found.append(group)
        else:
            found.append(token)
            index += 1
    return tuple(found), index


def _group(tokens: list[str], index: int, closing: str) -> tuple[Group, int]:
    alternatives = []
    while True:
        sequence, index = _sequence(tokens, index)
        alternatives.append(sequence)
        if index >= len(tokens):
            raise ValueError(f"missing {closing!r} in syntax")
        if tokens[index] == closing:
            return Group(closing == "]", tuple(alternatives)), index + 1
        index += 1  # a `|`


def compile_items(sequence: Items, action: str, *, privileged: bool = False) -> tuple[Node, ...]:
    """The top nodes of a command whose words are `sequence`, ending in `action`."""
    tail = _compile(sequence, _Tail((), True), action)
    if tail.ends:
        raise ValueError(f"a command must have at least one word: {action}")
    if privileged:
        return tuple(dataclasses.replace(node, privileged=True) for node in tail.nodes)
    return tail.nodes


def compile_syntax(syntax: str, action: str, *, privileged: bool = False) -> tuple[Node, ...]:
    """`compile_items` for a syntax string."""
    return compile_items(items(syntax), action, privileged=privileged)


def _compile(sequence: Items, tail: _Tail, action: str) -> _Tail:
    for item in reversed(sequence):
        tail = _compile_item(item, tail, action)
    return tail


def _compile_item(item: str | Group, tail: _Tail, action: str) -> _Tail:
    if isinstance(item, Group):
        tails = [_compile(alternative, tail, action) for alternative in item.alternatives]
        nodes = [node for t in tails for node in t.nodes]
        if item.optional:
            nodes += tail.nodes
        ends = any(t.ends for t in tails) or (item.optional and tail.ends)
        return _Tail(merge(nodes), ends)
    return _Tail((_word(item, tail, action),), False)


def _word(word: str, tail: _Tail, action: str) -> Node:
    done = action if tail.ends else None
    limits = _RANGE.fullmatch(word)
    if limits is not None:
        low, high = int(limits.group(1)), int(limits.group(2))
        return Node(None, Arg.NUMBER, done, tail.nodes, low=low, high=high)
    if word in _ARGS:
        return Node(None, _ARGS[word], done, tail.nodes)
    if word != word.lower() and word not in _UPPER_KEYWORDS:
        raise ValueError(f"unknown argument {word!r}")
    return Node(word, None, done, tail.nodes)
