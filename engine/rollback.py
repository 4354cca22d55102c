"""`rollback_on_failure`: the running-config archived on the device before a play's first
guarded change, and put back whole when the host then fails.

What an engineer does by hand on IOS, in the same two commands:

    R1#copy running-config flash:netplay-rollback-20261201-101500.cfg   (before the change)
    R1#configure replace flash:netplay-rollback-20261201-101500.cfg force  (after a failure)
    Total number of passes: 1
    Rollback Done

`configure replace` makes the running-config equal to the file, atomically, undoing every
change since the archive (not only the guarded step's lines). The archive stays on the
device's flash, so a host whose session the change cut can be restored from its console.
The platforms netplay knows how to do this on are data (`engine.platforms`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import partial

from engine.configdiff import RunningConfig, config_diff
from engine.drivers import Driver, Reply
from engine.errors import DeviceError, FailureKind, SessionLost
from engine.model import Step
from engine.platforms import PLATFORMS as TABLE
from engine.platforms import Archive
from engine.results import Rollback

# Platform name -> how it archives and restores (engine.platforms holds it).
PLATFORMS: dict[str, Archive] = {
    name: p.archive for name, p in TABLE.items() if p.archive is not None
}
_QUESTIONS = {r"Destination filename": ""}  # `copy` asks where to; the default is the file


class ArchiveFailed(DeviceError):
    """The running-config could not be archived: the guarded change is not sent."""

    kind = FailureKind.ROLLBACK


def archive_name(started: float) -> str:
    """The run's archive file name, from when the run started (UTC)."""
    return time.strftime("netplay-rollback-%Y%m%d-%H%M%S.cfg", time.gmtime(started))


class Checkpoint:
    """One host's archive for one play: taken before the first guarded change, restored
    at most once. Used by one thread at a time (the host's steps run in turn)."""

    def __init__(self, host: str, platform: Archive, name: str) -> None:
        self.host = host
        self.platform = platform
        self.file = platform.folder + name
        self.step: str | None = None  # the guarded step that took it

    @property
    def taken(self) -> bool:
        return self.step is not None

    def take(self, device: Driver, *, step: str, timeout: float | None = None) -> None:
        """Archive the running-config, unless this play already did on this host."""
        if self.taken:
            return
        command = self.platform.archive.format(file=self.file)
        reply = device.send(command, timeout=timeout, answers=_QUESTIONS)
        if not _worked(reply, self.platform.copied):
            why = _first_line(reply)
            raise ArchiveFailed(
                self.host, f"could not archive the running-config before the change: {why}"
            )
        self.step = step

    def restore(
        self,
        open_session: Callable[[], Driver],
        reopen: Callable[[], Driver],
        running: RunningConfig,
        timeout: float | None = None,
    ) -> Rollback:
        """Put the archive back (reconnecting once if the session is gone); never raises."""
        assert self.step is not None
        try:
            try:
                return self._restore(open_session(), running, timeout)
            except SessionLost:
                return self._restore(reopen(), running, timeout)
        except DeviceError as exc:
            return self.failed(f"{exc.message}; {self._by_hand()}")
        finally:
            self.step = None  # once: the host sits out the rest of the run

    def failed(self, why: str) -> Rollback:
        """The rollback that could not be done, and why."""
        return Rollback(self.file, self.step or "", ok=False, error=why)

    def _restore(self, device: Driver, running: RunningConfig, timeout: float | None) -> Rollback:
        before = running.read(device)
        running.changing()
        reply = device.send(self.platform.restore.format(file=self.file), timeout=timeout)
        output = reply.output.strip()
        if not _worked(reply, self.platform.restored):
            error = f"{_first_line(reply)}; {self._by_hand()}"
            return Rollback(self.file, self.step or "", ok=False, output=output, error=error)
        diff = config_diff(before, running.read(device))
        return Rollback(self.file, self.step or "", ok=True, output=output, diff=diff or None)

    def _by_hand(self) -> str:
        return f"the archive is {self.file} on the device"


def guard(
    step: Step, checkpoint: Checkpoint | None, timeout: float | None
) -> Callable[[Driver], None] | None:
    """`rollback_on_failure`: archive the running-config before the step changes it."""
    if checkpoint is None or not step.rollback_on_failure:
        return None
    return partial(checkpoint.take, step=step.name, timeout=timeout)


def _worked(reply: Reply, expected: str) -> bool:
    return reply.error is None and re.search(expected, reply.output) is not None


def _first_line(reply: Reply) -> str:
    if reply.error:
        return reply.error
    return next((line.strip() for line in reply.output.splitlines() if line.strip()), "no answer")
