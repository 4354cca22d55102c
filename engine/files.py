"""Writing files: private to their owner (0600), never through a symbolic link.

Every file netplay writes goes through here: the results JSON and its journal, session logs,
`save_to` files, `cmd --output`, vault files and vault keys. Whole files are written with
`atomic_write` (a temporary file created exclusively beside the target, then renamed over
it, so a reader never sees half a file); files that grow as a run goes (the journal, session
logs) are opened with `open_private`. A symbolic link or a file with other names (a hard
link) planted where netplay writes is refused, never written through. A file whose folder
is missing is an error, not a surprise directory tree; the only folders made here are the
private ones netplay owns (`private_folder`: the run history).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import os
import stat
from pathlib import Path

from engine.errors import UsageError

PRIVATE = 0o600
PRIVATE_FOLDER = 0o700
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
_TRIES = 16


class FileWriteError(UsageError):
    """A file netplay was asked to write cannot be written safely, or at all."""


class FileBusyError(FileWriteError):
    """Another netplay run is writing this file."""


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Replace `path` with `data` (text as UTF-8, newlines untouched), whole or not at all.

    The temporary file is created with O_EXCL|O_NOFOLLOW, mode 0600, in the target's
    directory, synced, then renamed over the target; a symbolic link at the target is
    refused (a rename would replace the link, but a link there means someone expects
    netplay to write elsewhere).
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    refuse_link(target)
    fd, temporary = _temporary(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _cannot(target, exc) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_directory(target.parent)


def write_new(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Create `path` (0600) holding `data`; an existing file or link there is refused."""
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd = os.open(target, _CREATE | os.O_EXCL, PRIVATE)
    except FileExistsError:
        raise FileWriteError(f"{target} already exists; refusing to overwrite it") from None
    except OSError as exc:
        raise _cannot(target, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            os.fsync(handle.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def open_private(path: str | os.PathLike[str], *, append: bool = False) -> io.BufferedWriter:
    """`path` opened for writing (emptied unless `append`), as a private file (0600)."""
    fd = private_fd(path)
    if append:
        os.lseek(fd, 0, os.SEEK_END)
    else:
        os.ftruncate(fd, 0)
    return os.fdopen(fd, "wb")


def open_locked(path: str | os.PathLike[str]) -> io.BufferedWriter:
    """`path` emptied and opened for writing (0600), locked for as long as it stays open.

    The lock is taken before the file is emptied: a second writer is refused at once
    (FileBusyError) and leaves the first one's file as it was.
    """
    fd = private_fd(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise FileBusyError(f"{path} is being written by another netplay run") from None
    os.ftruncate(fd, 0)
    return os.fdopen(fd, "wb")


def private_fd(path: str | os.PathLike[str]) -> int:
    """A file descriptor for writing `path`, created 0600 if absent, never through a link.

    An existing file must be a regular file of this user with no other name (a hard link
    would let the write land in someone else's file); it is made 0600. Nothing is
    truncated here: the caller decides, once it knows it may write.
    """
    target = Path(path)
    try:
        fd = os.open(target, _CREATE, PRIVATE)
    except OSError as exc:
        raise _cannot(target, exc) from exc
    try:
        _check_owned_regular(target, os.fstat(fd))
        os.fchmod(fd, PRIVATE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_owned_regular(target: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise FileWriteError(f"refusing to write {target}: it is not a regular file")
    if info.st_nlink > 1:
        raise FileWriteError(f"refusing to write {target}: it has other names (a hard link)")
    if info.st_uid != os.getuid():
        raise FileWriteError(f"refusing to write {target}: it belongs to another user")


def refuse_link(path: str | os.PathLike[str]) -> None:
    """FileWriteError when a symbolic link sits where netplay is to write: checked before
    a run, so that a planted link costs nothing the run did."""
    target = Path(path)
    if target.is_symlink():
        raise FileWriteError(f"refusing to write {target}: it is a symbolic link")


def private_folder(path: str | os.PathLike[str], *, new: bool = False) -> Path:
    """`path` as a folder of this user, created private (0700) when missing; its parent
    must exist. With `new`, an existing name is FileExistsError (a name taken by another
    run). A symbolic link, or anything but a folder of this user, is refused: netplay
    never writes through a link planted in place of its own folder."""
    target = Path(path)
    try:
        os.mkdir(target, PRIVATE_FOLDER)
    except FileExistsError:
        if new:
            raise
    except OSError as exc:
        raise _cannot(target, exc) from exc
    info = os.lstat(target)
    if stat.S_ISLNK(info.st_mode):
        raise FileWriteError(f"refusing to write in {target}: it is a symbolic link")
    if not stat.S_ISDIR(info.st_mode):
        raise FileWriteError(f"refusing to write in {target}: it is not a folder")
    if info.st_uid != os.getuid():
        raise FileWriteError(f"refusing to write in {target}: it belongs to another user")
    return target


def _temporary(target: Path) -> tuple[int, Path]:
    """A new file beside `target`, created exclusively: a name planted there is skipped."""
    for _ in range(_TRIES):
        candidate = target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(candidate, _CREATE | os.O_EXCL, PRIVATE), candidate
        except FileExistsError:
            continue
        except OSError as exc:
            raise _cannot(target, exc) from exc
    raise FileWriteError(f"cannot write {target}: no free temporary name beside it")


def _sync_directory(folder: Path) -> None:
    """Make the rename durable; a file system that cannot sync a directory is left as is."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(fd)
    os.close(fd)


def _cannot(target: Path, exc: OSError) -> FileWriteError:
    if exc.errno == errno.ELOOP:
        return FileWriteError(f"refusing to write {target}: it is a symbolic link")
    if exc.errno == errno.ENOENT:
        return FileWriteError(f"cannot write {target}: folder {target.parent} does not exist")
    return FileWriteError(f"cannot write {target}: {exc.strerror or exc}")
