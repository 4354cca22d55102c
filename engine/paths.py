"""Which files a playbook may read: its own directory tree, and folders the user adds.

Includes, parser templates, config templates and vars files are named by the playbook, an
untrusted input. Each such name is resolved here, against the file that names it, and must
land inside one of the allowed roots after every symbolic link is followed. A refusal names
the path as written and never shows anything read from outside.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.errors import NetplayError


class OutsideTree(NetplayError):
    """A file name that leads outside the folders a playbook may read."""


@dataclass(frozen=True)
class FileScope:
    """The folders a run may read files from (resolved, absolute)."""

    roots: tuple[Path, ...]

    @classmethod
    def around(cls, playbook: str | os.PathLike[str], *extra: str | os.PathLike[str]) -> FileScope:
        """The playbook's own folder (and everything below it), plus `extra` folders."""
        folders = (Path(playbook).resolve().parent, *(Path(e).resolve() for e in extra))
        return cls(tuple(dict.fromkeys(folders)))

    def resolve(self, name: str, *, base: Path, what: str = "file") -> Path:
        """The real path of `name` (relative to `base`), if it is inside a root."""
        if "\0" in name:
            raise OutsideTree(f"{what} {name!r} contains a NUL character")
        if Path(name).is_absolute():
            raise OutsideTree(f"{what} {name!r} is absolute; {self._advice()}")
        real = (base / name).resolve()
        if not any(real.is_relative_to(root) for root in self.roots):
            raise OutsideTree(f"{what} {name!r} leads outside {self._shown()}; {self._advice()}")
        return real

    def contains(self, path: Path) -> bool:
        """True when `path` (followed to its real location) is inside a root."""
        real = path.resolve()
        return any(real.is_relative_to(root) for root in self.roots)

    def _shown(self) -> str:
        return " and ".join(_display(root) for root in self.roots)

    @staticmethod
    def _advice() -> str:
        return "give a path inside the playbook's folder"


def _display(root: Path) -> str:
    try:
        shown = os.path.relpath(root)
    except ValueError:
        shown = str(root)
    return (shown if not shown.startswith("..") else str(root)).rstrip("/") + "/"
