"""Every result of a run in one place, written to the journal under the same lock.

A `no_log` step's results are kept whole here (later steps register them, `save_to`
writes them) but journaled and reported redacted: only their statuses leave the process.

Whatever ends the run — its last step, Ctrl-C, a bug — the results file is built from
here, so it holds every result the journal holds. Once `seal`ed, late results (from a
worker abandoned after the grace period) are refused: neither kept nor journaled; so is a
worker's result for a step the main thread has already `settle`d as cut short.
"""

from __future__ import annotations

import threading

from engine.inventory import Inventory
from engine.results import Journal, StepRecord, StepResult

Key = tuple[int, int]  # (play index, step index) in the plan


class Collected:
    """Results per step, kept in the order the steps started, hosts in inventory order."""

    def __init__(self, journal: Journal, inventory: Inventory) -> None:
        self._journal = journal
        self._order = {h.name: i for i, h in enumerate(inventory.hosts)}
        self._lock = threading.Lock()
        self._steps: dict[Key, tuple[str, str, dict[str, StepResult]]] = {}
        self._hidden: set[Key] = set()
        self._settled: set[tuple[Key, str]] = set()  # cut short by the stop (`settle`)
        self._sealed = False

    def open(self, key: Key, play: str, step: str, *, hidden: bool = False) -> None:
        """A step starts: it has a record from now on, even if no host finishes it.
        `hidden` (`no_log`): what leaves the process of its results is redacted."""
        with self._lock:
            self._steps.setdefault(key, (play, step, {}))
            if hidden:
                self._hidden.add(key)

    def add(self, key: Key, result: StepResult) -> bool:
        """Keep a host's result and journal it; False once the run is sealed."""
        with self._lock:
            if self._sealed or (key, result.host) in self._settled:
                return False
            self._keep(key, result)
        return True

    def settle(self, key: Key, result: StepResult) -> bool:
        """Keep the result of a step the run's stop cut short, unless the host finished
        it meanwhile; its worker's late result for the step is refused from now on."""
        with self._lock:
            if self._sealed or result.host in self._steps[key][2]:
                return False
            self._settled.add((key, result.host))
            self._keep(key, result)
        return True

    def _keep(self, key: Key, result: StepResult) -> None:
        play, _, results = self._steps[key]
        results[result.host] = result
        self._journal.write(play, result.redacted() if key in self._hidden else result)

    def update(self, key: Key, record: StepRecord) -> None:
        """Results changed after the step (a `save_to` that could not be written)."""
        with self._lock:
            results = self._steps[key][2]
            results.update((r.host, r) for r in record.results)

    def hosts(self, key: Key) -> frozenset[str]:
        """Hosts with a result for this step."""
        with self._lock:
            entry = self._steps.get(key)
            return frozenset(entry[2]) if entry else frozenset()

    def record(self, key: Key) -> StepRecord:
        with self._lock:
            return self._record(key)

    def records(self) -> tuple[StepRecord, ...]:
        """Every step's record as it may be shown and saved (`no_log` ones redacted)."""
        with self._lock:
            return tuple(self._shown(key) for key in self._steps)

    def _shown(self, key: Key) -> StepRecord:
        record = self._record(key)
        return record.redacted() if key in self._hidden else record

    def _record(self, key: Key) -> StepRecord:
        play, step, results = self._steps[key]
        ordered = sorted(results.values(), key=lambda r: self._order[r.host])
        return StepRecord(play, step, tuple(ordered))

    def seal(self) -> None:
        with self._lock:
            self._sealed = True

    def close(self) -> None:
        with self._lock:
            self._sealed = True
            self._journal.close()
