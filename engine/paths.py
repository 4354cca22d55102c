"""Which files a playbook may read: its own directory tree, and folders the user adds.

Includes, parser templates, config templates and vars files are named by the playbook, an
untrusted input. Each such name is resolved here, against the file that names it, and must
land inside one of the allowed roots after every symbolic link is followed. A refusal names
the path as written and never shows anything read from outside: nothing is read before the
path is accepted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError, NetplayError

ALLOW_OPTION = "--allow-dir"  # the command-line option that adds a root


class OutsideTree(NetplayError):
    """A file name that leads outside the folders a playbook may read."""

    exit_code = InputError.exit_code


@dataclass(frozen=True)
class FileScope:
    """The folders a run may read files from (resolved, absolute)."""

    roots: tuple[Path, ...]

    @classmethod
    def around(cls, playbook: str | os.PathLike[str], *extra: str | os.PathLike[str]) -> FileScope:
        """The playbook's own folder (and everything below it), plus `extra` folders."""
        return cls.of(Path(playbook).resolve().parent, *extra)

    @classmethod
    def of(cls, *folders: str | os.PathLike[str]) -> FileScope:
        """Exactly these folders (and everything below them)."""
        return cls(tuple(dict.fromkeys(Path(f).resolve() for f in folders)))

    def widened(self, *folders: str | os.PathLike[str]) -> FileScope:
        """This scope plus `folders`."""
        return FileScope.of(*self.roots, *folders)

    def resolve(self, name: str, *, base: Path, what: str = "file") -> Path:
        """The real path of `name` (relative to `base`), if it is inside a root."""
        if "\0" in name:
            raise OutsideTree(f"{what} {name!r} contains a NUL character")
        real = (base / name).resolve()  # an absolute `name` replaces `base`
        if not self.contains(real):
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
        return f"give a path inside the playbook's folder, or allow a folder with {ALLOW_OPTION}"


def _display(root: Path) -> str:
    try:
        shown = os.path.relpath(root)
    except ValueError:
        shown = str(root)
    return (shown if not shown.startswith("..") else str(root)).rstrip("/") + "/"
