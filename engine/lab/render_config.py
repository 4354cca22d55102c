"""`show running-config` and `show startup-config` rendered from the stored configuration.

Lines come out in IOS's order: each spec's place in its mode's table, a `!` between
groups and after every block, blocks with one-space indented lines. Passwords never
appear: secrets are stored and shown as hashes only.
"""

from __future__ import annotations

from engine.lab import config_global
from engine.lab import interface_config as interface_mode
from engine.lab.modes import Mode
from engine.lab.state import DeviceState
from engine.lab.store import Block, Line

NVRAM_SIZE = 262144
_NO_ADDRESS = next(
    (
        rank
        for rank, spec in interface_mode.TABLE.ranked()
        if spec.syntax == "ip address A.B.C.D A.B.C.D"
    ),
    (0, 0),
)
_NUMBERED = next(
    rank for rank, spec in config_global.TABLE.ranked() if spec.syntax.startswith("access-list")
)
_ACL_MODES = (Mode.ACL_STANDARD, Mode.ACL_EXTENDED)


def running_config(state: DeviceState) -> str:
    """The full `show running-config` output."""
    return _with_size("\n".join(config_lines(state)) + "\n")


def startup_config(state: DeviceState) -> str:
    """`show startup-config`: what was last saved (the boot config until then)."""
    if state.startup is None:
        return "startup-config is not present\n"
    return f"Using {len(state.startup)} out of {NVRAM_SIZE} bytes\n{state.startup}"


def interface_config(state: DeviceState, name: str) -> str:
    """`show running-config interface NAME`."""
    block = state.interface_block(name)
    lines = ["!", *(_block_lines(state, block) if block else []), "end"]
    return _with_size("\n".join(lines) + "\n")


def _with_size(body: str) -> str:
    return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}"


def config_lines(state: DeviceState) -> list[str]:
    """Every line of the running configuration, in IOS order."""
    items: list[Line | Block] = [*state.root.lines.values(), *_numbered_lines(state)]
    items += [b for b in state.config.blocks.values() if not _numbered_list(b)]
    items.sort(key=lambda item: _sort_key(item.head if isinstance(item, Block) else item))
    lines, group = ["!"], None
    for item in items:
        rank = (item.head if isinstance(item, Block) else item).rank
        if group is not None and rank[0] != group and lines[-1] != "!":
            lines.append("!")
        group = rank[0]
        if isinstance(item, Block):
            lines += [*_block_lines(state, item), "!"]
        else:
            lines += item.text.split("\n")
    return [*lines, *([] if lines[-1] == "!" else ["!"]), "end"]


def _numbered_lines(state: DeviceState) -> list[Line]:
    """Numbered access lists render as global `access-list N ...` lines."""
    return [
        Line(
            (),
            f"access-list {block.head.args[1]} {line.text}",
            _NUMBERED,
            (),
            (int(block.head.args[1]), line.order),
        )
        for block in state.config.of_mode(*_ACL_MODES)
        if _numbered_list(block)
        for line in block.ordered()
    ]


def _numbered_list(block: Block) -> bool:
    return block.mode in _ACL_MODES and block.head.args[1].isdigit()


def _sort_key(line: Line) -> tuple[object, ...]:
    return (line.rank[0], line.order, line.rank[1])


def _block_lines(state: DeviceState, block: Block) -> list[str]:
    """A block's head and its indented lines (`no ip address` where IOS shows it)."""
    lines = list(block.lines.values())
    if block.mode is Mode.INTERFACE and _routed_without_address(state, block):
        lines.append(Line(("ip", "address"), "no ip address", _NO_ADDRESS))
    lines.sort(key=_sort_key)
    return [block.head.text, *(f" {line}" for item in lines for line in item.text.split("\n"))]


def _routed_without_address(state: DeviceState, block: Block) -> bool:
    name = block.head.args[0] if block.head.args else ""
    if name not in state.ports or block.has("ip", "address"):
        return False
    return not state.interface(name).switchport
