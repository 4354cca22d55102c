"""Interface configuration mode: the commands, in the order IOS renders them, and the
answers IOS gives to the mistakes people make most (a bad mask, an address that overlaps
another interface, a switchport command on a routed port)."""

from __future__ import annotations

import ipaddress
import re

from engine.lab.commands import Failure, interface_name, vlan_set, vlan_text
from engine.lab.config_sections import create_vlan
from engine.lab.grammar import Edit, Form, Hook, Outcome, Spec, Store, Table, custom
from engine.lab.modes import Mode
from engine.lab.state import ALL_VLANS, FIXED, interface_key
from engine.lab.store import Block, Line

_LOGICAL = ("Loopback", "Vlan", "Port-channel", "Tunnel")
_RANGE_RE = re.compile(r"\s*([A-Za-z][A-Za-z-]*)\s*((?:\d+/)*)(\d+)\s*(?:-\s*(\d+))?\s*")


def _name(block: Block) -> str:
    return block.head.text.removeprefix("interface ")


def ensure(edit: Edit, name: str) -> Block | None:
    """The block of interface `name`, creating a logical one (loopback, SVI ...) on first
    use; None for hardware the device does not have."""
    state = edit.device.state
    head = f"interface {name}"
    if name not in state.ports:
        if not name.startswith(_LOGICAL) or "." in name:
            return None
        state.ports[name] = max(state.ports.values(), default=-1) + 1
    block = state.config.blocks.get(head)
    if block is None:
        block = Block(Line((head,), head, edit.rank, (name,), interface_key(name)), Mode.INTERFACE)
        state.config.blocks[head] = block
        _defaults(edit, head, name)
    return block


def _defaults(edit: Edit, head: str, name: str) -> None:
    if name.startswith("GigabitEthernet"):
        edit.run(Mode.INTERFACE, head, "negotiation auto")


def _enter(edit: Edit) -> Outcome | None:
    name = edit.args[0]
    if edit.form is Form.NO:
        return _remove(edit, name)
    block = ensure(edit, name)
    if block is None:
        return Failure("invalid", edit.column(1))
    if edit.form is Form.DEFAULT:
        return _reset(edit, block, name)
    edit.context.enter(Mode.INTERFACE, block.head.text)
    return None


def _remove(edit: Edit, name: str) -> Outcome | None:
    state = edit.device.state
    if name.startswith(FIXED):
        return "% Removal of physical interfaces is not permitted\n"
    if name not in state.ports:
        return None  # `no` of what is not there changes nothing
    del state.ports[name]
    state.config.blocks.pop(f"interface {name}", None)
    state.manual.discard(name)
    return None


def _reset(edit: Edit, block: Block, name: str) -> str:
    """`default interface X`: every line back to the hardware's default."""
    block.lines.clear()
    edit.device.state.manual.discard(name)
    _defaults(edit, block.head.text, name)
    return f"Interface {name} set to default configuration\n"


def _range(edit: Edit) -> Outcome | None:
    names: list[str] = []
    text = edit.args[0]
    offset = edit.line.index(text) if text in edit.line else 0
    for part in _parts(text):
        start, found = part
        if not found:
            return Failure("invalid", offset + start)
        names += found
    blocks = [ensure(edit, name) for name in names]
    if any(block is None for block in blocks):
        return Failure("invalid", offset)
    if edit.form is Form.DEFAULT:
        return "".join(_reset(edit, b, n) for b, n in zip(blocks, names, strict=True) if b)
    if edit.form is Form.NO:
        return Failure("invalid", edit.column(1))
    edit.context.enter(Mode.INTERFACE_RANGE, *(b.head.text for b in blocks if b is not None))
    return None


def _parts(text: str) -> list[tuple[int, list[str]]]:
    """`gi0/1 - 3, lo5`: each comma-separated part's column and the names it stands for."""
    parts, column = [], 0
    for part in text.split(","):
        match = _RANGE_RE.fullmatch(part)
        names: list[str] = []
        if match is not None:
            kind, slot, first = match.group(1), match.group(2), int(match.group(3))
            last = int(match.group(4) or first)
            found = [interface_name(kind, f"{slot}{n}") for n in range(first, last + 1)]
            names = [n for n in found if n is not None] if last >= first else []
        parts.append((column + len(part) - len(part.lstrip()), names))
        column += len(part) + 1
    return parts


def _physical(word: int) -> Hook:
    """Refuse (caret under word `word`) where the interface is not an Ethernet port."""

    def check(edit: Edit) -> Outcome | None:
        if not _name(edit.block).startswith("GigabitEthernet"):
            return Failure("invalid", edit.column(word))
        return None

    return check


def _switched(edit: Edit) -> Outcome | None:
    """Switchport settings need a switch port, as IOS answers on a routed port."""
    refused = _physical(0)(edit)
    if refused is not None:
        return refused
    if edit.block.has("switchport"):  # the key holds `no switchport`
        return f"% Command rejected: {_name(edit.block)} is not a switching port.\n"
    return None


def _access_vlan(edit: Edit) -> Outcome | None:
    if edit.form is not Form.PLAIN:
        return None
    vlan = int(edit.args[0])
    if vlan in edit.device.state.vlans:
        return None
    create_vlan(edit, vlan)
    return f"% Access VLAN does not exist. Creating vlan {vlan}\n"


def _allowed(edit: Edit) -> Outcome | None:
    """`switchport trunk allowed vlan [add|remove|except] LIST|all|none`, kept as one list."""
    key = ("switchport", "trunk", "allowed", "vlan")
    if edit.form is not Form.PLAIN:
        edit.block.drop(*key)
        return None
    current = vlan_set(edit.block.value(*key, default=ALL_VLANS)) or set()
    how, listed = edit.words[4], vlan_set(edit.args[0]) if edit.args else set()
    assert listed is not None
    new = {
        "add": current | listed,
        "remove": current - listed,
        "except": set(range(1, 4095)) - listed,
        "all": set(range(1, 4095)),
        "none": set(),
    }.get(how, listed)
    text = vlan_text(new) or "none"
    if text == ALL_VLANS:
        edit.block.drop(*key)
    else:
        edit.block.put(Line(key, f"switchport trunk allowed vlan {text}", edit.rank, (text,)))
    return None


def _switchport(edit: Edit) -> Outcome | None:
    """`switchport` drops the layer-3 settings, `no switchport` the layer-2 ones (IOS does)."""
    layer = ("ip",) if edit.form is not Form.NO else ("switchport",)
    for key in [k for k in edit.block.lines if k[:1] == layer and len(k) > 1]:
        edit.block.drop(*key)
    if edit.form is not Form.NO:
        edit.device.state.manual.discard(_name(edit.block))
    return None


def _address_check(edit: Edit) -> Outcome | None:
    name = _name(edit.block)
    if name.startswith("GigabitEthernet") and not edit.block.has("switchport"):
        return Failure("invalid", edit.column(1))  # a switch port has no `ip address`
    try:
        value = ipaddress.IPv4Interface(f"{edit.args[0]}/{edit.args[1]}")
    except ValueError:
        mask = int(ipaddress.IPv4Address(edit.args[1]))
        return f"Bad mask 0x{mask:X} for address {edit.args[0]}\n"
    network = value.network
    if network.prefixlen < 31 and value.ip in (network.network_address, network.broadcast_address):
        return f"Bad mask /{network.prefixlen} for address {edit.args[0]}\n"
    for other, address in edit.device.state.addresses():
        if other != name and address.network.overlaps(network):
            return f"% {network.network_address} overlaps with {other}\n"
    return None


def _addressed(edit: Edit) -> Outcome | None:
    name = _name(edit.block)
    if edit.form is Form.PLAIN:
        edit.device.state.manual.add(name)
    elif not edit.block.has("ip", "address"):
        edit.device.state.manual.discard(name)
    return None


def _shutdown(edit: Edit) -> Outcome | None:
    """`shutdown` / `no shutdown`, logged as IOS logs them when the state changes."""
    was = edit.block.has("shutdown")
    if edit.form is Form.PLAIN:
        edit.block.put(Line(("shutdown",), "shutdown", edit.rank))
    else:
        edit.block.drop("shutdown")
    if edit.block.has("shutdown") != was:
        edit.device.interface_changed(_name(edit.block))
    return None


def _channel_group(edit: Edit) -> Outcome | None:
    if edit.form is not Form.PLAIN:
        return None
    name = f"Port-channel{edit.args[0]}"
    if name in edit.device.state.ports:
        return None
    ensure(edit, name)
    return f"Creating a port-channel interface Port-channel {edit.args[0]}\n\n"


_ROUTED_ONLY = _physical(0)
_ALLOWED = "switchport trunk allowed vlan {VLANS|add VLANS|remove VLANS|except VLANS|all|none}"
TABLE = Table(
    Mode.INTERFACE,
    (
        (
            Spec("description LINE", key=1),
            Spec(_ALLOWED, key=4, check=_switched, store=Store.CUSTOM, hook=_allowed),
            Spec("switchport trunk encapsulation {dot1q|isl|negotiate}", key=3, check=_switched),
            Spec("switchport trunk native vlan <1-4094>", key=4, check=_switched,
                 hidden="switchport trunk native vlan 1"),
            Spec("switchport access vlan <1-4094>", key=3, check=_switched, hook=_access_vlan,
                 hidden="switchport access vlan 1"),
            Spec("switchport mode {access|trunk|dynamic {auto|desirable}}", key=2, check=_switched,
                 hidden="switchport mode dynamic auto"),
            Spec("switchport nonegotiate", key=2, check=_switched),
            Spec("switchport voice vlan <1-4094>", key=3, check=_switched),
            Spec("switchport", store=Store.ON, check=_ROUTED_ONLY, hook=_switchport),
            Spec("mtu <1500-9198>", key=1, hidden="mtu 1500"),
            Spec("bandwidth <1-10000000>", key=1),
            Spec("ip address A.B.C.D A.B.C.D secondary", check=_address_check, hook=_addressed),
            Spec("ip address A.B.C.D A.B.C.D", key=2, check=_address_check, hook=_addressed),
            Spec("ip helper-address A.B.C.D", key=3),
            Spec("ip access-group {<1-199>|WORD} {in|out}", key=lambda w: (*w[:2], *w[3:4]), no=2),
            Spec("ip ospf network {point-to-point|broadcast}", key=3),
            Spec("ip ospf cost <1-65535>", key=3),
            Spec("ip ospf hello-interval <1-65535>", key=3),
            Spec("ip ospf dead-interval <1-65535>", key=3),
            Spec("ip ospf priority <0-255>", key=3),
            Spec("ip ospf <1-65535> area $AREA", key=lambda w: ("ip", "ospf", "area")),
            Spec("standby <0-255> ip A.B.C.D", key=3),
            Spec("standby <0-255> priority <0-255>", key=3),
            Spec("standby <0-255> preempt", key=3),
            custom("shutdown", _shutdown, key=1),
            Spec("speed {10|100|1000|auto}", key=1, check=_ROUTED_ONLY, hidden="speed auto"),
            Spec("duplex {auto|full|half}", key=1, check=_ROUTED_ONLY, hidden="duplex auto"),
            Spec("negotiation auto", store=Store.SHOWN, default="negotiation auto",
                 check=_ROUTED_ONLY),
            Spec("cdp enable", store=Store.ON),
            Spec("lldp {transmit|receive}", key=2, store=Store.ON),
            Spec("load-interval <30-600>", key=1),
            Spec("channel-group <1-48> mode {active|passive|on|auto|desirable}", key=1,
                 check=_ROUTED_ONLY, hook=_channel_group),
            Spec("spanning-tree portfast [trunk|edge [trunk]]", key=2),
            Spec("spanning-tree bpduguard {enable|disable}", key=2),
        ),
    ),
    names=(
        "arp", "authentication", "carrier-delay", "dampening", "delay", "dot1x", "encapsulation",
        "flowcontrol", "hold-queue", "ipv6", "keepalive", "logging", "mac-address", "media-type",
        "mls", "power", "service-policy", "snmp", "storm-control", "udld", "vrrp",
    ),
)  # fmt: skip
GLOBAL_SPECS = (
    Spec("interface INTERFACE", store=Store.ENTER, hook=_enter),
    Spec("interface range LINE", store=Store.ENTER, hook=_range),
)
