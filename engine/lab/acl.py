"""IP access lists: named ones (`ip access-list extended WEB`, edited in their own mode)
and numbered ones (`access-list 10 permit ...`), stored alike as blocks of sequenced
entries, the way IOS keeps them; `show access-lists` and the running-config read them."""

from __future__ import annotations

import ipaddress

from engine.lab.commands import Failure
from engine.lab.config_sections import open_block
from engine.lab.grammar import Edit, Form, Outcome, Spec, Store, Table
from engine.lab.modes import Mode
from engine.lab.store import Block, Config, Line

_ICMP_TYPES = (
    "administratively-prohibited", "echo", "echo-reply", "packet-too-big", "parameter-problem",
    "port-unreachable", "redirect", "time-exceeded", "unreachable",
)  # fmt: skip
_LOG = "[log|log-input]"
_TCP = "[{eq $TCPPORT|neq $TCPPORT|lt $TCPPORT|gt $TCPPORT|range $TCPPORT $TCPPORT}]"
_UDP = _TCP.replace("TCP", "UDP")
STANDARD = "{permit|deny} {any|host A.B.C.D|A.B.C.D [A.B.C.D]} [log]"
EXTENDED = (
    "{permit|deny} {{ip|gre|esp|ahp|ospf|eigrp|pim|igmp|<0-255>} $ADDRESS $ADDRESS "
    + _LOG
    + " | icmp $ADDRESS $ADDRESS [{"
    + "|".join(_ICMP_TYPES)
    + "}] "
    + _LOG
    + f" | tcp $ADDRESS {_TCP} $ADDRESS {_TCP} [established] {_LOG}"
    + f" | udp $ADDRESS {_UDP} $ADDRESS {_UDP} {_LOG}}}"
)
_REMARK = "remark LINE"
_PROTOCOLS = {"1": "icmp", "2": "igmp", "6": "tcp", "17": "udp", "47": "gre", "50": "esp",
              "51": "ahp", "88": "eigrp", "89": "ospf", "103": "pim"}  # fmt: skip
_STANDARD_NUMBERS = ((1, 99), (1300, 1999))
_EXTENDED_NUMBERS = ((100, 199), (2000, 2699))


def is_standard_number(name: str) -> bool:
    return name.isdigit() and any(low <= int(name) <= high for low, high in _STANDARD_NUMBERS)


def _kind_of(name: str) -> str | None:
    """`standard` or `extended` for a numbered list's number; None for a name."""
    if not name.isdigit():
        return None
    return "standard" if is_standard_number(name) else "extended"


# -- canonical entries -------------------------------------------------------------------


def canonical(words: tuple[str, ...], standard: bool) -> str:
    """An entry as IOS stores it: `host` forms, masked addresses, port and protocol names."""
    if words[0] == "remark":
        return " ".join(words)
    out, index = [words[0]], 1
    if not standard:
        out.append(_PROTOCOLS.get(words[1], words[1]))
        index = 2
    source, index = _address(words, index, standard)
    out += source
    if not standard:
        ports, index = _ports(words, index)
        out += ports
        target, index = _address(words, index, False)
        out += target
    text = " ".join([*out, *words[index:]])
    # IOS aligns a standard list's `deny` with `permit`
    return text.replace("deny ", "deny   ", 1) if standard and text.startswith("deny ") else text


def _address(words: tuple[str, ...], index: int, standard: bool) -> tuple[list[str], int]:
    if words[index] == "any":
        return ["any"], index + 1
    if words[index] == "host":
        return ([words[index + 1]] if standard else ["host", words[index + 1]]), index + 2
    address = words[index]
    has_wildcard = index + 1 < len(words) and _is_address(words[index + 1])
    if not has_wildcard:
        return [address], index + 1
    wildcard = words[index + 1]
    if wildcard == "0.0.0.0":
        return ([address] if standard else ["host", address]), index + 2
    if wildcard == "255.255.255.255":
        return ["any"], index + 2
    masked = int(ipaddress.IPv4Address(address)) & ~int(ipaddress.IPv4Address(wildcard))
    return [str(ipaddress.IPv4Address(masked & 0xFFFFFFFF)), wildcard], index + 2


def _ports(words: tuple[str, ...], index: int) -> tuple[list[str], int]:
    if index < len(words) and words[index] in ("eq", "neq", "lt", "gt"):
        return list(words[index : index + 2]), index + 2
    if index < len(words) and words[index] == "range":
        return list(words[index : index + 3]), index + 3
    return [], index


def _is_address(word: str) -> bool:
    return word.count(".") == 3 and all(part.isdigit() for part in word.split("."))


# -- storing entries ---------------------------------------------------------------------


def add(block: Block, rank: tuple[int, int], entry: str, sequence: int | None) -> str | None:
    """Add an entry (numbered 10 after the last, unless given); an entry that is already
    there is not added twice."""
    if any(line.text == entry for line in block.lines.values()):
        return None
    if sequence is not None and block.has(str(sequence)):
        return "% Duplicate sequence number\n"
    if sequence is None:
        sequence = max((int(key[0]) for key in block.lines), default=0) + 10
    block.put(Line((str(sequence),), entry, rank, (str(sequence),), (sequence,)))
    return None


def _remove(block: Block, entry: str) -> None:
    for key, line in list(block.lines.items()):
        if line.text == entry:
            del block.lines[key]


def _entry(edit: Edit) -> Outcome | None:
    """`[SEQ] permit|deny|remark ...` in a named list's mode."""
    words, sequence = edit.words, None
    if words[0].isdigit():
        sequence, words = int(words[0]), words[1:]
    standard = edit.block.mode is Mode.ACL_STANDARD
    entry = canonical(words, standard)
    if edit.form is not Form.PLAIN:
        if sequence is not None:
            edit.block.drop(str(sequence))
        _remove(edit.block, entry)
        return None
    return add(edit.block, edit.rank, entry, sequence)


def _sequence_only(edit: Edit) -> Outcome | None:
    """`no 20` deletes entry 20; `20` alone is unfinished."""
    if edit.form is Form.PLAIN:
        return Failure("incomplete", len(edit.line.rstrip()))
    edit.block.drop(edit.args[0])
    return None


def _numbered(edit: Edit) -> Outcome | None:
    """`access-list N ...`; any `no access-list N ...` deletes the whole list, as on IOS."""
    number = edit.args[0]
    kind = _kind_of(number) or "standard"
    head = f"ip access-list {kind} {number}"
    config = edit.device.state.config
    if edit.form is not Form.PLAIN:
        config.blocks.pop(head, None)
        return None
    block = open_block(edit, head, _MODES[kind], (kind, number))
    return add(block, edit.rank, canonical(edit.words[2:], kind == "standard"), None)


def _named(edit: Edit) -> Outcome | None:
    kind, name = edit.words[2], edit.args[0]
    numbered = _kind_of(name)
    if numbered is not None and numbered != kind:
        return Failure("invalid", edit.column(3))
    head = f"ip access-list {kind} {name}"
    config = edit.device.state.config
    if edit.form is not Form.PLAIN:
        config.blocks.pop(head, None)
        return None
    other = f"ip access-list {'extended' if kind == 'standard' else 'standard'} {name}"
    if other in config.blocks:
        return f"% A named {other.split()[2]} IP access list with this name already exists\n"
    open_block(edit, head, _MODES[kind], (kind, name))
    edit.context.enter(_MODES[kind], head)
    return None


_MODES = {"standard": Mode.ACL_STANDARD, "extended": Mode.ACL_EXTENDED}
NAMED_SPEC = Spec("ip access-list {standard|extended} WORD", store=Store.ENTER, hook=_named)
NUMBERED_SPECS = tuple(
    Spec(
        f"access-list <{low}-{high}> {{{entry}|{_REMARK}}}",
        store=Store.CUSTOM,
        hook=_numbered,
        no=2,
    )
    for ranges, entry in ((_STANDARD_NUMBERS, STANDARD), (_EXTENDED_NUMBERS, EXTENDED))
    for low, high in ranges
)
TABLES = tuple(
    Table(
        mode,
        (
            (
                Spec(f"[<1-2147483647>] {{{entry}|{_REMARK}}}", store=Store.CUSTOM, hook=_entry),
                Spec("<1-2147483647>", store=Store.CUSTOM, hook=_sequence_only),
            ),
        ),
    )
    for mode, entry in ((Mode.ACL_STANDARD, STANDARD), (Mode.ACL_EXTENDED, EXTENDED))
)

# -- reading them ------------------------------------------------------------------------


def lists(config: Config) -> list[Block]:
    """Every access list: numbered ones by number, then named ones by name."""
    found = config.of_mode(Mode.ACL_STANDARD, Mode.ACL_EXTENDED)
    return sorted(found, key=lambda b: (not b.head.args[1].isdigit(), _number_or_name(b)))


def _number_or_name(block: Block) -> tuple[int, str]:
    name = block.head.args[1]
    return (int(name), "") if name.isdigit() else (0, name)


def show_access_lists(config: Config, name: str | None = None) -> str:
    """`show access-lists [NAME]` (remarks are not shown, as on IOS)."""
    out = []
    for block in lists(config):
        kind, list_name = block.head.args
        if name is not None and list_name != name:
            continue
        out.append(f"{kind.capitalize()} IP access list {list_name}")
        for line in block.ordered():
            if not line.text.startswith("remark "):
                out.append(f"    {line.args[0]} {_shown(line.text, kind)}")
    return "\n".join(out) + "\n" if out else ""


def _shown(entry: str, kind: str) -> str:
    """A standard entry's network reads `10.1.0.0, wildcard bits 0.0.255.255`."""
    words = entry.split()
    if kind == "standard" and len(words) > 2 and _is_address(words[-1]) and _is_address(words[-2]):
        return f"{' '.join(entry.split(' ')[:-2])} {words[-2]}, wildcard bits {words[-1]}"
    if (
        kind == "standard"
        and len(words) > 3
        and words[-1] == "log"
        and _is_address(words[-2])
        and _is_address(words[-3])
    ):
        return f"{' '.join(entry.split(' ')[:-3])} {words[-3]}, wildcard bits {words[-2]} log"
    return entry
