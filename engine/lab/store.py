"""The running configuration as IOS keeps it: canonical lines, grouped in blocks.

Every line has a key (the words that identify it: `logging buffered`, `ntp server
10.0.0.1`), so a second `logging buffered` replaces the first, and a rank (where IOS
renders it). Blocks are the indented sections (`interface ...`, `router ospf 1`,
`ip access-list extended NAME`): a head line and lines of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from engine.lab.modes import Mode

Key = tuple[str, ...]


@dataclass(frozen=True)
class Line:
    """One configuration line (a banner's line may hold several text lines)."""

    key: Key
    text: str
    rank: tuple[int, int]
    args: tuple[str, ...] = ()
    order: tuple[object, ...] = ()  # sorts lines of equal rank; else they keep their order


@dataclass
class Block:
    """A section of the configuration: its head line and the lines under it."""

    head: Line
    mode: Mode
    lines: dict[Key, Line] = field(default_factory=dict)

    def get(self, *key: str) -> Line | None:
        return self.lines.get(key)

    def has(self, *key: str) -> bool:
        return key in self.lines

    def put(self, line: Line) -> None:
        self.lines[line.key] = line

    def drop(self, *key: str) -> bool:
        """Remove the line with exactly this key; False if there was none."""
        return self.lines.pop(key, None) is not None

    def drop_prefix(self, prefix: Key) -> bool:
        """Remove every line whose key starts with `prefix` (`no ip address` drops the
        secondary addresses too)."""
        doomed = [key for key in self.lines if key[: len(prefix)] == prefix]
        for key in doomed:
            del self.lines[key]
        return bool(doomed)

    def starting(self, *prefix: str) -> Iterator[Line]:
        """The lines whose key starts with `prefix`, in stored order."""
        return (line for key, line in self.lines.items() if key[: len(prefix)] == prefix)

    def ordered(self) -> list[Line]:
        """The lines in the order IOS renders them."""
        return sorted(self.lines.values(), key=lambda line: (line.rank, line.order))

    def value(self, *key: str, default: str = "") -> str:
        """The first argument of the line with this key (`description` -> its text)."""
        line = self.lines.get(key)
        return line.args[0] if line is not None and line.args else default


@dataclass
class Config:
    """The global lines (in `root`) and every block, by its head text."""

    root: Block
    blocks: dict[str, Block] = field(default_factory=dict)

    def block(self, head: str) -> Block | None:
        return self.blocks.get(head) if head else self.root

    def of_mode(self, *modes: Mode) -> list[Block]:
        return [block for block in self.blocks.values() if block.mode in modes]
