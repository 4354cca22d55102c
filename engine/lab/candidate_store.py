"""Where a candidate-config device keeps what it has committed: the configuration, its
history (for `rollback N` and the commit list) and a pending `commit confirmed`.

One `Committed` per device, kept beside the `Device` for as long as it lives, so a commit
made in one SSH session is seen by the next.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from engine.lab.candidate import Path, Tree, flat
from engine.lab.device import Device

_HISTORY = 49  # commits kept for `rollback N`, as Junos keeps them


@dataclass
class Commit:
    """One committed configuration and who committed it, when."""

    tree: Tree
    user: str
    when: float
    comment: str = ""
    label: str = ""


class Committed:
    """A device's committed configuration, its commit history and its shared candidate."""

    def __init__(self, boot: Tree) -> None:
        self.clock: Callable[[], float] = time.time  # a test may move time on
        self.history: list[Commit] = [Commit(boot, "root", self.clock())]
        self.shared: Tree | None = None  # Junos's one candidate for plain `configure`
        self.confirm_by: float | None = None  # a `commit confirmed` waits until then

    @property
    def tree(self) -> Tree:
        self._settle()
        return self.history[0].tree

    def commit(
        self, tree: Tree, user: str, comment: str = "", label: str = "", within: float | None = None
    ) -> Commit:
        """Make `tree` the committed configuration; `within` seconds, it must be confirmed
        (by another commit) or the configuration before it comes back."""
        self._settle()
        done = Commit(tree.copy(), user, self.clock(), comment, label)
        self._record(done)
        self.confirm_by = None if within is None else done.when + within
        return done

    def confirm(self) -> None:
        self.confirm_by = None

    def _settle(self) -> None:
        """Roll back a confirmed commit nobody confirmed in time (checked when next looked at,
        which is all a session can see of it)."""
        if self.confirm_by is None or self.clock() < self.confirm_by:
            return
        self.confirm_by = None
        before = self.history[1].tree
        self._record(Commit(before.copy(), "root", self.clock(), "not confirmed"))

    def _record(self, done: Commit) -> None:
        """Put `done` on top of the history. A shared candidate with no edits of its own
        follows it, as Junos merges any commit into its shared database (so a private
        commit does not leave `configure private` refused afterwards)."""
        shared, last = self.shared, self.history[0].tree
        if shared is not None and shared.entries == last.entries:
            shared.entries = dict(done.tree.entries)  # in place: sessions hold this object
        self.history.insert(0, done)
        del self.history[_HISTORY + 1 :]


_COMMITTED: weakref.WeakKeyDictionary[Device, Committed] = weakref.WeakKeyDictionary()


def committed(device: Device, boot: Callable[[Device], Tree]) -> Committed:
    """The device's committed configuration, booted from `boot` on first use."""
    found = _COMMITTED.get(device)
    if found is None:
        found = _COMMITTED[device] = Committed(boot(device))
    return found


def rejected(device: Device, added: list[Path], prefix: str = "") -> Path | None:
    """The first added statement the device's `reject` knob refuses, if any: a knob line
    names the start of a statement (`ntp server 192.0.2.9`, `set system ntp`)."""
    for text in device.knobs.reject:
        words = tuple(text.lower().split())
        if prefix and words[:1] == (prefix,):
            words = words[1:]
        for path in added:
            if tuple(w.lower() for w in flat(path))[: len(words)] == words:
                return path
    return None


def committed_tree(device: Device) -> Tree | None:
    """What a candidate-config device has committed; None for any other device."""
    store = _COMMITTED.get(device)
    return store.tree if store is not None else None
