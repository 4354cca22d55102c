"""``save_to``: step outputs written to files inside the output directory, never outside it.

A ``save_to`` path is relative to the output directory. It may not be absolute, climb out
with ``..``, or pass through a symbolic link that leads outside (the real path of the parts
that already exist is checked). Files are written with `engine.files.atomic_write`: whole
or not at all, readable by their owner only (outputs can hold configuration), never
through a symbolic link planted at the file's own name.

Each host's outputs form a block, every command headed the way the device shows it:

    R1#show clock
    *10:01:02.123 UTC Mon Mar 3 2025

The caller decides between one file per host and one combined file (blocks in inventory
order), and masks secrets before writing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path, PurePath

from engine.errors import NetplayError


class OutputPathError(NetplayError):
    """A ``save_to`` path that would write outside the output directory, or cannot be a file."""


def resolve(out_dir: Path, relative: str) -> Path:
    """The file ``relative`` names inside ``out_dir`` (its folder's real path, its own
    name not followed: a symbolic link there is refused); creates its parents."""
    _check_text(out_dir, relative)
    base = out_dir.resolve()
    target = base / relative
    if not _inside(Path(os.path.normpath(target)), base):
        raise OutputPathError(
            f"save_to path {relative!r} escapes the output directory {_show(out_dir)}"
        )
    real = target.parent.resolve() / target.name
    if not _inside(real, base):
        raise OutputPathError(
            f"save_to path {relative!r} leads out of the output directory {_show(out_dir)} "
            "through a symbolic link"
        )
    if real.is_symlink():
        raise OutputPathError(
            f"save_to path {relative!r} is a symbolic link; netplay never writes through one"
        )
    if real.is_dir():
        raise OutputPathError(f"save_to path {relative!r} is a directory, not a file")
    real.parent.mkdir(parents=True, exist_ok=True)
    return real


def _check_text(out_dir: Path, relative: str) -> None:
    if not relative.strip():
        raise OutputPathError("save_to path is empty")
    if "\0" in relative:
        raise OutputPathError(f"save_to path {relative!r} contains a NUL character")
    if PurePath(relative).is_absolute():
        raise OutputPathError(
            f"save_to path {relative!r} is absolute; give a path inside the output "
            f"directory {_show(out_dir)}"
        )


def _inside(path: Path, base: Path) -> bool:
    """Strictly below ``base``: the output directory itself is no file name."""
    return path != base and path.is_relative_to(base)


def _show(out_dir: Path) -> str:
    return out_dir.as_posix().rstrip("/") + "/"


def host_block(
    host: str, prompt: str | None, commands: Sequence[str], outputs: Sequence[str]
) -> str:
    """One host's outputs, each headed by ``<prompt><command>`` (prompt: ``host#``).

    Commands and outputs pair up in order; commands left without an output (the host
    failed before them) are left out.
    """
    if len(outputs) > len(commands):
        raise ValueError(f"{host}: {len(outputs)} outputs for {len(commands)} commands")
    head = prompt if prompt is not None else f"{host}#"
    return "".join(_entry(head, c, o) for c, o in zip(commands, outputs, strict=False))


def _entry(prompt: str, command: str, output: str) -> str:
    body = output if not output or output.endswith("\n") else output + "\n"
    return f"{prompt}{command}\n{body}"


def combine(blocks: Sequence[str]) -> str:
    """Host blocks, in the order given, separated by a blank line; empty blocks are skipped."""
    return "\n".join(block for block in blocks if block)
