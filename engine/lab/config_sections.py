"""Sub-modes with blocks of their own: VLANs, lines, routing processes, archive.

`enter(mode)` is the hook of a command that opens a block (`router ospf 1`): it creates
the block on first use, moves the session into the mode, and `no` removes the block.
"""

from __future__ import annotations

import ipaddress

from engine.lab.commands import Failure, vlan_set
from engine.lab.grammar import Edit, Form, Hook, Outcome, Spec, Store, Table
from engine.lab.modes import Mode
from engine.lab.state import shown_secret, verifier_for
from engine.lab.store import Block, Line

_RESERVED_VLANS = range(1002, 1006)
_LINE_BLOCKS = {"console": ((0, 0),), "aux": ((0, 0),), "vty": ((0, 4), (5, 15))}
_ROUTERS = ("eigrp", "ospf", "bgp")


def open_block(
    edit: Edit, head: str, mode: Mode, args: tuple[str, ...] = (), order: tuple[object, ...] = ()
) -> Block:
    """The block `head`, created (at the spec's rank) if it does not exist yet."""
    config = edit.device.state.config
    block = config.blocks.get(head)
    if block is None:
        block = Block(Line((head,), head, edit.rank, args, order), mode)
        config.blocks[head] = block
    return block


def enter(mode: Mode, *, removable: bool = True) -> Hook:
    """The hook of a command that opens one block named by the command's own words."""

    def hook(edit: Edit) -> Outcome | None:
        head = edit.text
        if edit.form is not Form.PLAIN:
            if removable:
                edit.device.state.config.blocks.pop(head, None)
            return None
        open_block(edit, head, mode, edit.args)
        edit.context.enter(mode, head)
        return None

    return hook


# -- VLANs -----------------------------------------------------------------------------


def _vlans(edit: Edit) -> Outcome | None:
    numbers = sorted(vlan_set(edit.args[0]) or ())
    config = edit.device.state.config
    if edit.form is not Form.PLAIN:
        for number in numbers:
            if number == 1 or number in _RESERVED_VLANS:
                return f"%Default VLAN {number} may not be deleted.\n"
            config.blocks.pop(f"vlan {number}", None)
        return None
    heads = [f"vlan {n}" for n in numbers]
    for number, head in zip(numbers, heads, strict=True):
        open_block(edit, head, Mode.VLAN, (str(number),), (number,))
    edit.context.enter(Mode.VLAN, *heads)
    return None


def create_vlan(edit: Edit, number: int) -> None:
    """A VLAN that a port names into existence (`switchport access vlan 42`)."""
    open_block(edit, f"vlan {number}", Mode.VLAN, (str(number),), (number,))


def _vlan_name(edit: Edit) -> Outcome | None:
    number = int(edit.block.head.args[0])
    if edit.form is not Form.PLAIN or edit.args[0] == f"VLAN{number:04d}":
        edit.block.drop("name")
    else:
        edit.block.put(
            Line(("name",), f"name {edit.args[0][:32]}", edit.rank, (edit.args[0][:32],))
        )
    return None


VLAN_SPEC = Spec("vlan VLANS", store=Store.ENTER, hook=_vlans)

# -- lines -----------------------------------------------------------------------------


def _lines(edit: Edit) -> Outcome | None:
    kind = edit.words[1]
    first = int(edit.args[0])
    last = int(edit.args[1]) if len(edit.args) > 1 else first
    if last < first:
        return Failure("invalid", edit.column(3))
    short = "con" if kind == "console" else kind
    spans = [(low, high) for low, high in _LINE_BLOCKS[kind] if low <= last and first <= high]
    if not spans:
        return Failure("invalid", edit.column(2))
    if edit.form is not Form.PLAIN:
        return None  # the lines exist in hardware: `no line` leaves them
    heads = []
    for low, high in spans:
        head = f"line {short} {low}" + (f" {high}" if high != low else "")
        open_block(edit, head, Mode.LINE, (kind,), (list(_LINE_BLOCKS).index(kind), low))
        heads.append(head)
    edit.context.enter(Mode.LINE, *heads)
    return None


def _line_password(edit: Edit) -> Outcome | None:
    if edit.form is not Form.PLAIN:
        edit.block.drop("password")
        return None
    verifier = verifier_for(edit.args[0], "line")
    edit.block.put(Line(("password",), shown_secret("password", verifier), edit.rank, (verifier,)))
    return None


LINE_SPEC = Spec("line {console|aux|vty} <0-15> [<0-15>]", store=Store.ENTER, hook=_lines)

# -- routing processes -----------------------------------------------------------------


def _router(edit: Edit) -> Outcome | None:
    protocol, head = edit.words[1], edit.text
    config = edit.device.state.config
    if edit.form is not Form.PLAIN:
        config.blocks.pop(head, None)
        return None
    if protocol == "bgp":
        running = next((b for b in config.of_mode(Mode.BGP) if b.head.text != head), None)
        if running is not None:
            return f"BGP is already running; AS is {running.head.args[0]}\n\n"
    mode = {"ospf": Mode.OSPF, "eigrp": Mode.EIGRP, "bgp": Mode.BGP}[protocol]
    new = head not in config.blocks
    open_block(edit, head, mode, edit.args, (_ROUTERS.index(protocol), int(edit.args[0])))
    edit.context.enter(mode, head)
    if new and protocol == "bgp":
        edit.run(Mode.BGP, head, "bgp log-neighbor-changes")
    return None


ROUTER_SPECS = (
    Spec("router ospf <1-65535>", store=Store.ENTER, hook=_router),
    Spec("router eigrp <1-65535>", store=Store.ENTER, hook=_router),
    Spec("router bgp <1-4294967295>", store=Store.ENTER, hook=_router),
)


def _masked(words: tuple[str, ...]) -> tuple[str, ...]:
    """`network 10.1.1.1 0.0.0.255 ...` is kept as `network 10.1.1.0 0.0.0.255 ...`."""
    if len(words) < 3:
        return words
    address, wildcard = int(ipaddress.IPv4Address(words[1])), int(ipaddress.IPv4Address(words[2]))
    return (words[0], str(ipaddress.IPv4Address(address & ~wildcard & 0xFFFFFFFF)), *words[2:])


def _classful(words: tuple[str, ...]) -> tuple[str, ...]:
    """EIGRP's `network 10.1.1.0` without a wildcard is the classful network."""
    if len(words) != 2:
        return _masked(words)
    first = int(words[1].split(".")[0])
    length = 8 if first < 128 else 16 if first < 192 else 24
    return (
        words[0],
        str(ipaddress.IPv4Network(f"{words[1]}/{length}", strict=False).network_address),
    )


def _passive(edit: Edit) -> Outcome | None:
    """With `passive-interface default`, `no passive-interface X` is the line to keep."""
    key = ("passive-interface", edit.args[0])
    everywhere = edit.block.has("passive-interface", "default")
    if (edit.form is Form.PLAIN) == everywhere:
        edit.block.drop(*key)
    else:
        text = f"passive-interface {edit.args[0]}"
        edit.block.put(
            Line(key, text if edit.form is Form.PLAIN else f"no {text}", edit.rank, edit.args)
        )
    return None


def _needs_remote_as(edit: Edit) -> Outcome | None:
    if not edit.block.has("neighbor", edit.args[0], "remote-as"):
        return "% Specify remote-as or peer-group commands first\n"
    return None


def _neighbor(words: tuple[str, ...]) -> tuple[object, ...]:
    return (int(ipaddress.IPv4Address(words[1])),) if len(words) > 1 else ()


def _passive_default(edit: Edit) -> Outcome | None:
    """The per-interface lines become redundant either way: IOS drops them."""
    for key in [k for k in edit.block.lines if k[:1] == ("passive-interface",)]:
        if key != ("passive-interface", "default"):
            edit.block.drop(*key)
    return None


_PASSIVE = (
    Spec("passive-interface default", key=2, hook=_passive_default),
    Spec("passive-interface INTERFACE", key=2, store=Store.CUSTOM, hook=_passive),
)
_OSPF = Table(
    Mode.OSPF,
    (
        (
            Spec("router-id A.B.C.D", key=1),
            Spec("log-adjacency-changes [detail]", key=1),
            Spec("auto-cost reference-bandwidth <1-4294967>", key=2),
            Spec("area $AREA authentication [message-digest]", key=3),
            Spec(
                "redistribute {connected|static} [subnets]",
                key=2,
                canon=lambda w: (*w[:2], "subnets"),
            ),
            *_PASSIVE,
            Spec("network A.B.C.D A.B.C.D area $AREA", key=3, canon=_masked),
            Spec("default-information originate [always]", key=2),
            Spec("maximum-paths <1-32>", key=1, hidden="maximum-paths 4"),
        ),
    ),
)
_EIGRP = Table(
    Mode.EIGRP,
    (
        (
            Spec("network A.B.C.D [A.B.C.D]", key=2, canon=_classful),
            *_PASSIVE,
            Spec("redistribute {connected|static}", key=2),
            Spec("auto-summary"),
            Spec("eigrp router-id A.B.C.D", key=2),
        ),
    ),
)
_BGP = Table(
    Mode.BGP,
    (
        (Spec("bgp router-id A.B.C.D", key=2), Spec("bgp log-neighbor-changes", key=2)),
        (
            Spec("network A.B.C.D [mask A.B.C.D]", key=2),
            Spec("redistribute {connected|static}", key=2),
        ),
        (
            Spec("neighbor A.B.C.D remote-as <1-4294967295>", key=3, no=2, order=_neighbor),
            Spec(
                "neighbor A.B.C.D description LINE", key=3, check=_needs_remote_as, order=_neighbor
            ),
            Spec(
                "neighbor A.B.C.D update-source INTERFACE",
                key=3,
                check=_needs_remote_as,
                order=_neighbor,
            ),
            Spec("neighbor A.B.C.D next-hop-self", key=3, check=_needs_remote_as, order=_neighbor),
            Spec("neighbor A.B.C.D shutdown", key=3, check=_needs_remote_as, order=_neighbor),
        ),
    ),
)
_LINE = Table(
    Mode.LINE,
    (
        (
            Spec("session-timeout <0-35791>", key=1),
            Spec(
                "exec-timeout <0-35791> [<0-2147483>]",
                key=1,
                hidden="exec-timeout 10 0",
                canon=lambda w: w if len(w) > 2 else (*w, "0"),
            ),
            Spec("privilege level <0-15>", key=2),
            Spec("password LINE", key=1, store=Store.CUSTOM, hook=_line_password),
            Spec("logging synchronous", key=2),
            Spec("login [local]", key=1),
            Spec("length <0-512>", key=1),
            Spec("transport input {all|none|ssh [telnet]|telnet [ssh]}", key=2),
            Spec("transport output {all|none|ssh [telnet]|telnet [ssh]}", key=2),
            Spec("access-class {<1-199>|WORD} {in|out}", key=lambda w: (*w[:1], *w[2:3]), no=1),
        ),
    ),
)
TABLES = (
    Table(Mode.VLAN, ((Spec("name WORD", key=1, store=Store.CUSTOM, hook=_vlan_name),),)),
    _LINE,
    _OSPF,
    _EIGRP,
    _BGP,
    Table(
        Mode.ARCHIVE,
        (
            (
                Spec("path LINE", key=1),
                Spec("maximum <1-14>", key=1),
                Spec("write-memory", key=1),
                Spec("time-period <1-525600>", key=1),
            ),
        ),
    ),
    Table(Mode.CONTROL_PLANE, ()),
)  # fmt: skip
