"""IOS-style command matching over a declarative command tree (pure logic, no I/O).

A command tree is data: keyword nodes and argument nodes, each possibly ending a command
(`action`). Matching follows IOS: every keyword may be abbreviated to a unique prefix
(`sh ip int br`), an exact keyword wins over longer ones, two candidates make the command
ambiguous, a word that fits nowhere is invalid at the first character no keyword accepts
(`hostnane` fails under its second `n`), and stopping early is incomplete.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

INTERFACE_TYPES = ("GigabitEthernet", "Loopback", "Vlan", "Port-channel", "Tunnel", "Null")
_NUMBER_RE = re.compile(r"\d+(?:/\d+)*(?:\.\d+)?")
_TYPE_RE = re.compile(r"([A-Za-z][A-Za-z-]*?)(\d.*)?")
_VLANS_RE = re.compile(r"\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*")


class Arg(enum.Enum):
    """The kinds of argument a command word can be."""

    WORD = "WORD"
    LINE = "LINE"  # the rest of the line, spacing kept (descriptions, banners)
    IPV4 = "A.B.C.D"
    NUMBER = "<number>"
    INTERFACE = "<interface>"  # `gi0/1`, `Gi 0/1`, `GigabitEthernet0/1`
    VLANS = "VLAN_ID"  # a VLAN list, `10,20,30-35`, kept in IOS's compressed form
    LEVEL = "<0-7>"  # a logging level number, stored as its name
    TCP_PORT = "<0-65535>"  # a port number, stored as IOS's name for it (80 -> www)
    UDP_PORT = "Port number"  # the same for UDP (69 -> tftp)


@dataclass(frozen=True, eq=False)  # identity equality: trees are large and shared
class Node:
    """One word of a command: a keyword or an argument, with what may follow it."""

    keyword: str | None = None
    arg: Arg | None = None
    action: str | None = None
    children: tuple[Node, ...] = ()
    privileged: bool = False  # hidden from user exec mode (`>`)
    low: int = 0
    high: int = 2**32 - 1


def kw(keyword: str, *children: Node, action: str | None = None, privileged: bool = False) -> Node:
    """A keyword node."""
    return Node(keyword, None, action, merge(children), privileged)


def arg(
    kind: Arg, *children: Node, action: str | None = None, low: int = 0, high: int = 2**32 - 1
) -> Node:
    """An argument node (numbers are checked against `low`..`high`)."""
    return Node(None, kind, action, merge(children), low=low, high=high)


def tree(*children: Node) -> Node:
    """The root of a mode's command tree; siblings with the same keyword are merged."""
    return Node(children=merge(children))


def merge(nodes: Iterable[Node]) -> tuple[Node, ...]:
    """Siblings as one node per keyword (and per argument kind and range), so that trees
    built from separate pieces of data match like one tree."""
    merged: dict[tuple[object, ...], Node] = {}
    for node in nodes:
        key = (node.keyword, node.arg, node.low, node.high)
        merged[key] = _combine(merged[key], node) if key in merged else node
    return tuple(merged.values())


def _combine(first: Node, second: Node) -> Node:
    if first.action and second.action and first.action != second.action:
        raise ValueError(f"two commands end at {first.keyword or first.arg}: {first.action}")
    return Node(
        first.keyword,
        first.arg,
        first.action or second.action,
        merge((*first.children, *second.children)),
        first.privileged and second.privileged,
        first.low,
        first.high,
    )


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
    return _parse(line, root, privileged)


@functools.lru_cache(maxsize=8192)  # many sessions send the same lines; trees never change
def _parse(line: str, root: Node, privileged: bool) -> Match | Failure:
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
    return Failure("invalid", token.start + _matched_chars(visible, token.text.lower()))


def _keyword_candidates(nodes: list[Node], word: str) -> list[Node]:
    keywords = [n for n in nodes if n.keyword is not None]
    exact = [n for n in keywords if (n.keyword or "").lower() == word]
    return exact or [n for n in keywords if (n.keyword or "").lower().startswith(word)]


def _matched_chars(nodes: list[Node], word: str) -> int:
    """How many leading characters of `word` some keyword still accepts: IOS puts its
    caret under the first character that no keyword can continue with."""
    best = 0
    for node in nodes:
        keyword = (node.keyword or "").lower()
        common = 0
        while common < min(len(word), len(keyword)) and word[common] == keyword[common]:
            common += 1
        best = max(best, common)
    return best


def _accept(node: Node, tokens: list[_Token], index: int, line: str) -> tuple[str, int] | None:
    """The argument's value and how many tokens it takes, or None if it does not fit."""
    text = tokens[index].text
    if node.arg is Arg.LINE:
        return line[tokens[index].start :].rstrip(), len(tokens) - index
    if node.arg is Arg.INTERFACE:
        return _accept_interface(tokens, index)
    if node.arg is Arg.WORD:
        return text, 1
    value = _ACCEPT[node.arg](text, node) if node.arg is not None else None
    return (value, 1) if value is not None else None


def _number(text: str, node: Node) -> str | None:
    ok = text.isdigit() and node.low <= int(text) <= node.high
    return str(int(text)) if ok else None


def _ipv4(text: str, node: Node) -> str | None:
    return text if is_ipv4(text) else None


def _vlans(text: str, node: Node) -> str | None:
    numbers = vlan_set(text)
    if numbers is None or not numbers or not all(1 <= n <= 4094 for n in numbers):
        return None
    return vlan_text(numbers)


def _level(text: str, node: Node) -> str | None:
    return LEVELS[int(text)] if text.isdigit() and int(text) < len(LEVELS) else None


def _port(names: dict[int, str]) -> Callable[[str, Node], str | None]:
    def accept(text: str, node: Node) -> str | None:
        if not text.isdigit() or int(text) > 65535:
            return None
        return names.get(int(text), str(int(text)))

    return accept


LEVELS = (
    "emergencies",
    "alerts",
    "critical",
    "errors",
    "warnings",
    "notifications",
    "informational",
    "debugging",
)
# The port names IOS prints instead of numbers in access lists.
TCP_PORTS = {
    7: "echo", 9: "discard", 13: "daytime", 19: "chargen", 20: "ftp-data", 21: "ftp",
    23: "telnet", 25: "smtp", 37: "time", 43: "whois", 49: "tacacs", 53: "domain",
    70: "gopher", 79: "finger", 80: "www", 101: "hostname", 109: "pop2", 110: "pop3",
    111: "sunrpc", 113: "ident", 119: "nntp", 179: "bgp", 194: "irc", 512: "exec",
    513: "login", 514: "cmd", 515: "lpd", 517: "talk", 540: "uucp", 543: "klogin",
    544: "kshell",
}  # fmt: skip
UDP_PORTS = {
    7: "echo", 9: "discard", 37: "time", 42: "nameserver", 49: "tacacs", 53: "domain",
    67: "bootps", 68: "bootpc", 69: "tftp", 111: "sunrpc", 123: "ntp", 137: "netbios-ns",
    138: "netbios-dgm", 139: "netbios-ss", 161: "snmp", 162: "snmptrap", 177: "xdmcp",
    195: "dnsix", 434: "mobile-ip", 496: "pim-auto-rp", 500: "isakmp", 512: "biff",
    513: "who", 514: "syslog", 517: "talk", 520: "rip", 4500: "non500-isakmp",
}  # fmt: skip

_ACCEPT: dict[Arg, Callable[[str, Node], str | None]] = {
    Arg.NUMBER: _number,
    Arg.IPV4: _ipv4,
    Arg.VLANS: _vlans,
    Arg.LEVEL: _level,
    Arg.TCP_PORT: _port(TCP_PORTS),
    Arg.UDP_PORT: _port(UDP_PORTS),
}


def vlan_set(text: str) -> set[int] | None:
    """The VLANs of a list such as `10,20,30-35`, or None if it is not one."""
    if not _VLANS_RE.fullmatch(text):
        return None
    numbers: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        numbers.update(range(int(low), int(high or low) + 1))
    return numbers


def vlan_text(numbers: Iterable[int]) -> str:
    """A VLAN set in IOS's compressed form: `10,20,30-35`."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    start = previous = ordered[0] if ordered else 0
    for number in [*ordered[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if number is not None:
            start = previous = number
    return ",".join(parts) if ordered else ""


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
