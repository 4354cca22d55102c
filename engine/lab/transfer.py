"""SCP and SFTP to a simulated device's file systems (`files`), for asyncssh's server.

asyncssh serves SCP through the same SFTP server object. Every path maps onto the
device's in-memory files: `flash:/NAME` (also `flash:NAME`, `/flash:/NAME`),
`nvram:startup-config` and `system:running-config` (read only). The host's own disk is
never reached: `map_path`, which asyncssh's default methods use to find local files,
refuses everything, so an operation not written here fails instead of touching the disk.
"""

from __future__ import annotations

import stat
import time
from collections.abc import AsyncIterator

import asyncssh
from asyncssh.constants import FILEXFER_TYPE_DIRECTORY, FILEXFER_TYPE_REGULAR

from engine.lab import files
from engine.lab.device import Device

_ROOTS = ("flash", "nvram", "system")


class _Handle:
    """An open file: what it holds now, and where it goes on close if it was written."""

    def __init__(self, path: files.Path, data: bytes, writable: bool) -> None:
        self.path = path
        self.data = bytearray(data)
        self.writable = writable


class FlashServer(asyncssh.SFTPServer):
    """The SFTP (and SCP) view of one device's files."""

    def __init__(self, device: Device, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        super().__init__(chan)
        self._device = device

    def map_path(self, path: bytes) -> bytes:
        raise asyncssh.SFTPPermissionDenied("not supported by this device")

    def _path(self, path: bytes) -> files.Path:
        found = files.parse_path(path.decode("utf-8", "replace"))
        if found is None or found.fs not in _ROOTS:
            raise asyncssh.SFTPNoSuchFile(files.NO_FILE)
        return found

    def realpath(self, path: bytes) -> bytes:
        text = path.decode("utf-8", "replace")
        if text in ("", ".", "/"):
            return b"flash:/"
        return self._path(path).text.encode()

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        where = self._path(path)
        writing = bool(pflags & (asyncssh.FXF_WRITE | asyncssh.FXF_CREAT))
        found = files.read(self._device, where)
        if writing:
            if where.fs == "system" or not where.name:
                raise asyncssh.SFTPPermissionDenied(f"{where.text} is read only")
            keep = found is not None and not pflags & asyncssh.FXF_TRUNC
            return _Handle(where, found.content() if keep and found else b"", True)
        if found is None:
            raise asyncssh.SFTPNoSuchFile(files.NO_FILE)
        return _Handle(where, found.content(), False)

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        assert isinstance(file_obj, _Handle)
        return bytes(file_obj.data[offset : offset + size])

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        assert isinstance(file_obj, _Handle)
        end = offset + len(data)
        if len(file_obj.data) < end:
            file_obj.data.extend(bytes(end - len(file_obj.data)))
        file_obj.data[offset:end] = data
        return len(data)

    def close(self, file_obj: object) -> None:
        assert isinstance(file_obj, _Handle)
        if file_obj.writable:
            files.write(self._device, file_obj.path, bytes(file_obj.data))

    def stat(self, path: bytes) -> asyncssh.SFTPAttrs:
        where = self._path(path)
        if not where.name:
            return _attrs(FILEXFER_TYPE_DIRECTORY, 0, time.time())
        found = files.read(self._device, where)
        if found is None:
            raise asyncssh.SFTPNoSuchFile(files.NO_FILE)
        return _attrs(FILEXFER_TYPE_REGULAR, found.size, found.mtime)

    def lstat(self, path: bytes) -> asyncssh.SFTPAttrs:
        return self.stat(path)

    def fstat(self, file_obj: object) -> asyncssh.SFTPAttrs:
        assert isinstance(file_obj, _Handle)
        return _attrs(FILEXFER_TYPE_REGULAR, len(file_obj.data), time.time())

    def setstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        self._path(path)  # times and modes are not kept; the file must exist all the same

    def fsetstat(self, file_obj: object, attrs: asyncssh.SFTPAttrs) -> None:
        return None

    async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:
        where = self._path(path)
        for name, found in files.listing(self._device, files.Path(where.fs, "")):
            if not where.name or name == where.name:
                attrs = _attrs(FILEXFER_TYPE_REGULAR, found.size, found.mtime)
                yield asyncssh.SFTPName(name.encode(), attrs=attrs)

    def remove(self, path: bytes) -> None:
        where = self._path(path)
        if where.fs != "flash" or self._device.flash.files.pop(where.name, None) is None:
            raise asyncssh.SFTPNoSuchFile(files.NO_FILE)


def _attrs(kind: int, size: int, mtime: float) -> asyncssh.SFTPAttrs:
    mode = (stat.S_IFDIR | 0o755) if kind == FILEXFER_TYPE_DIRECTORY else (stat.S_IFREG | 0o644)
    return asyncssh.SFTPAttrs(
        type=kind, size=size, permissions=mode, atime=int(mtime), mtime=int(mtime)
    )
