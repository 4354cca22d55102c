"""A simulated device's file systems: `flash:` (with its IOS image) and `nvram:`.

Exec commands (`dir`, `verify /md5`, `delete`, `more`) print what IOS prints, with real
sizes and MD5 sums; SCP and SFTP reach the same files (`flash:/NAME`,
`nvram:startup-config`, `system:running-config`). Everything lives in memory, per device:
nothing here touches the host's own disk.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from engine.lab.commands import Failure
from engine.lab.modes import Command, Question
from engine.lab.render_config import config_lines

if TYPE_CHECKING:
    from engine.lab.device import Device  # a Device holds its Flash: no import at run time

IMAGE = "vios_l2-adventerprisek9-m"  # the image `show version` says the device booted
IMAGE_SIZE = 41_205_844  # served as zeros: sizes and sums are real, no memory is spent
FLASH_TOTAL = 2_147_483_648  # "2097152K bytes of ATA System CompactFlash 0"
_IMAGE_TIME = time.mktime((2021, 1, 19, 3, 15, 0, 0, 0, -1))
_NAME_RE = re.compile(r"[A-Za-z0-9._+-]{1,64}")
_PATH_RE = re.compile(r"(?P<fs>[a-z0-9]+):/?(?P<name>[^/]*)")
_FLASH = ("flash", "flash0")
NO_FILE = "No such file or directory"


@dataclass(frozen=True)
class File:
    """One file: its bytes (None for the image, all zeros) and when it was written."""

    data: bytes | None
    mtime: float
    size: int

    def content(self) -> bytes:
        return self.data if self.data is not None else bytes(self.size)

    def md5(self) -> str:
        return hashlib.md5(self.content(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Path:
    """A device path: `flash:/test9.txt` is Path("flash", "test9.txt")."""

    fs: str
    name: str  # "" for the file system itself

    @property
    def text(self) -> str:
        return f"{self.fs}:/{self.name}"


class Flash:
    """The files of one device's flash (the image, then whatever was copied in)."""

    def __init__(self) -> None:
        self.files: dict[str, File] = {IMAGE: File(None, _IMAGE_TIME, IMAGE_SIZE)}

    def write(self, name: str, data: bytes) -> None:
        self.files[name] = File(bytes(data), time.time(), len(data))

    def free(self) -> int:
        used = sum(-(-f.size // 4096) * 4096 for f in self.files.values())  # whole blocks
        return FLASH_TOTAL - used


def parse_path(text: str) -> Path | None:
    """`flash:/x`, `flash:x`, `flash0:x`, `nvram:startup-config`; None if not a device path."""
    found = _PATH_RE.fullmatch(text.strip().lstrip("/"))
    if found is None:
        return None
    fs, name = found.group("fs"), found.group("name")
    if name and not _NAME_RE.fullmatch(name):
        return None
    return Path("flash" if fs in _FLASH else fs, name)


def read(device: Device, path: Path) -> File | None:
    """The file at `path`, or None."""
    if path.fs == "flash":
        return device.flash.files.get(path.name)
    text = _special(device, path)
    return None if text is None else File(text.encode(), time.time(), len(text.encode()))


def _special(device: Device, path: Path) -> str | None:
    if (path.fs, path.name) == ("nvram", "startup-config"):
        return device.state.startup
    if (path.fs, path.name) == ("system", "running-config"):
        return "\n".join(config_lines(device.state)) + "\n"
    return None


def write(device: Device, path: Path, data: bytes) -> bool:
    """Store a file (flash, or the startup configuration); False where none can be written."""
    if path.fs == "flash" and path.name:
        device.flash.write(path.name, data)
        return True
    if (path.fs, path.name) == ("nvram", "startup-config"):
        device.state.startup = data.decode("utf-8", "replace")
        return True
    return False


def listing(device: Device, path: Path) -> list[tuple[str, File]]:
    """The files of a directory (a file system), in the order they were written."""
    if path.fs == "flash":
        return list(device.flash.files.items())
    if path.fs == "nvram":
        startup = read(device, Path("nvram", "startup-config"))
        return [("startup-config", startup)] if startup is not None else []
    return []


# --- exec commands ----------------------------------------------------------------------

ACTIONS = ("dir", "verify_md5", "delete", "more")


def run(device: Device, command: Command) -> str | Question | Failure:
    """Carry out a file-system exec command (an action of ACTIONS)."""
    action = command.match.action
    target = command.args[0] if command.args else "flash:"
    path = parse_path(target)
    if path is None:
        return Failure("invalid", command.column(len(command.match.words) - 1))
    if action == "dir":
        return _dir(device, path)
    if action == "verify_md5":
        return _verify(device, path)
    if action == "more":
        found = read(device, path)
        return found.content().decode("utf-8", "replace") if found else _error(path)
    return _delete(device, path)


def _error(path: Path, doing: str = "opening", why: str = NO_FILE) -> str:
    return f"%Error {doing} {path.text} ({why})\n"


def _dir(device: Device, path: Path) -> str:
    files = listing(device, path)
    if path.name:
        files = [(n, f) for n, f in files if n == path.name]
        if not files:
            return _error(path)
    if path.fs not in ("flash", "nvram"):
        return _error(path, why="No such device")
    rows = "".join(
        f"{number:>5}  -rw-  {f.size:>10}  {_stamp(f.mtime)}  {name}\n"
        for number, (name, f) in enumerate(files, start=1)
    )
    total, free = (FLASH_TOTAL, device.flash.free()) if path.fs == "flash" else (262136, 250000)
    return (
        f"Directory of {path.fs}:/{path.name}\n\n{rows}\n{total} bytes total ({free} bytes free)\n"
    )


def _stamp(moment: float) -> str:
    parts = time.gmtime(moment)
    month, rest = time.strftime("%b", parts), time.strftime("%Y %H:%M:%S", parts)
    return f"{month} {parts.tm_mday} {rest} +00:00"


def _verify(device: Device, path: Path) -> str:
    found = read(device, path)
    if found is None or not path.name:
        return _error(path)
    dots = "." * max(1, min(found.size // 65536, 60))
    return f"{dots}Done!\nverify /md5 ({path.text}) = {_md5(found)}\n\n"


def _md5(found: File) -> str:
    return _image_md5(found.size) if found.data is None else found.md5()


@cache
def _image_md5(size: int) -> str:
    return hashlib.md5(bytes(size), usedforsecurity=False).hexdigest()


def _delete(device: Device, path: Path) -> Question:
    def confirm_name(answer: str) -> Question:
        chosen = Path(path.fs, answer.strip() or path.name)
        return Question(f"Delete {chosen.text}? [confirm]", lambda key: _remove(chosen, key))

    def _remove(chosen: Path, key: str) -> str:
        if key.strip().lower() not in ("", "y", "yes"):
            return ""
        if chosen.fs != "flash" or device.flash.files.pop(chosen.name, None) is None:
            return _error(chosen, "deleting")
        return ""

    return Question(f"Delete filename [{path.name}]? ", confirm_name)
