"""Rolling a play out: batches of hosts (`serial`) and the rules that stop the rollout.

A play with `serial` runs whole on one batch of hosts before the next batch starts; the
sizes are counted over the play's hosts in inventory order, Ansible's way:

    serial: 2            6 hosts → R1 R2 | R3 R4 | R5 R6
    serial: "25%"        6 hosts → 1 host a batch (25 % of 6, rounded down, at least 1)
    serial: [1, 5, "50%"]         → the first batch holds 1, the next 5, then 50 % each

Two rules stop a rollout (never Ctrl-C's business: steps under way finish normally):
`max_fail_percentage: N` after a batch in which more than N % of the hosts failed, and
`any_errors_fatal: true` at the first failed host. Every step a stopped rollout leaves
unstarted — later steps of the batch, later batches, later plays — gets a `skipped`
result of kind `stopped` that says why (`Rollouts.skip_the_rest`), so `--rerun-failed`
runs those hosts again. A run that Ctrl-C ends early lists what it did not start
instead (`Rollouts.not_run`). Pure logic, apart from the `Halt` flag that pipeline
workers share.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from engine.errors import FailureKind
from engine.inventory import Host
from engine.model import BatchSize, Play, Rollout
from engine.plan import Plan, PlayPlan
from engine.results import BatchRecord, RolloutStop, Status, StepResult

T = TypeVar("T")
Key = tuple[int, int]  # (play index, step index) in the plan


def batch_size(size: BatchSize, total: int) -> int:
    """Hosts in a batch of `size` ("25%" of `total`, rounded down, at least 1)."""
    if isinstance(size, str):
        return max(1, int(size.rstrip("%")) * total // 100)
    return size


def split(items: Sequence[T], serial: Sequence[BatchSize]) -> tuple[tuple[T, ...], ...]:
    """`items` in batches of the `serial` sizes, the last size repeating; one batch of
    everything without `serial`."""
    if not items:
        return ()
    if not serial:
        return (tuple(items),)
    batches: list[tuple[T, ...]] = []
    start = 0
    while start < len(items):
        size = batch_size(serial[min(len(batches), len(serial) - 1)], len(items))
        batches.append(tuple(items[start : start + size]))
        start += size
    return tuple(batches)


@dataclass(frozen=True)
class Batch:
    """One batch of a play: its number (from 1), how many batches the play has, its hosts."""

    number: int
    total: int
    hosts: tuple[Host, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(h.name for h in self.hosts)

    @property
    def label(self) -> str:
        return f"{self.number}/{self.total}"


def batches(play: PlayPlan, down: Collection[str] = ()) -> tuple[Batch, ...]:
    """The play's batches over its hosts that have not failed in an earlier play."""
    hosts = [h for h in play.hosts if h.name not in down]
    parts = split(hosts, play.play.rollout.serial)
    return tuple(Batch(i, len(parts), part) for i, part in enumerate(parts, start=1))


def _number(value: float) -> str:
    return f"{value:g}"


def too_many_failed(
    play: str, rollout: Rollout, batch: Batch, failed: Collection[str]
) -> RolloutStop | None:
    """`max_fail_percentage`: the stop a finished batch calls for, if any."""
    limit = rollout.max_fail_percentage
    if limit is None or not batch.hosts or len(failed) * 100 <= limit * len(batch.hosts):
        return None
    where = f" in batch {batch.number}" if rollout.serial else ""
    reason = (
        f"rollout stopped: {len(failed)} of {len(batch.hosts)} hosts{where} failed"
        f" (max_fail_percentage {_number(limit)})"
    )
    return RolloutStop(play, batch.number, reason)


def fatal(play: str, rollout: Rollout, batch: Batch, result: StepResult) -> RolloutStop | None:
    """`any_errors_fatal`: the stop a host's failure calls for, if any."""
    if not (rollout.any_errors_fatal and result.stops_host):
        return None
    where = f" in batch {batch.number}" if rollout.serial else ""
    reason = f"rollout stopped: {result.host} failed '{result.step}'{where} (any_errors_fatal)"
    return RolloutStop(play, batch.number, reason)


class Halt:
    """A stopped rollout, shared by the workers of a pipeline: the first stop wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.stop: RolloutStop | None = None

    def trip(self, stop: RolloutStop | None) -> None:
        if stop is None:
            return
        with self._lock:
            if self.stop is None:
                self.stop = stop

    def is_set(self) -> bool:
        return self.stop is not None


def unstarted(
    plan: Plan,
    batches: Iterable[tuple[int, Batch]],
    down: Collection[str],
    done: Callable[[Key], Collection[str]],
) -> Iterator[tuple[Key, Host]]:
    """Each step, with its host, of these batches (with their play's index) that has no
    result yet (`done` says which hosts have one); hosts that failed (`down`) are out, and
    a `run_once` step runs once a batch."""
    for q, batch in batches:
        play = plan.plays[q]
        for s, step in enumerate(play.steps):
            hosts = [h for h in play.step_hosts[s] if h.name in batch.names - set(down)]
            finished = set(done((q, s)))
            if step.run_once:
                hosts = [] if finished & {h.name for h in hosts} else hosts[:1]
            yield from (((q, s), h) for h in hosts if h.name not in finished)


def skipped(host: Host, step: str, stop: RolloutStop) -> StepResult:
    """What a host gets for a step the stopped rollout did not start."""
    return StepResult(
        host.name, step, Status.SKIPPED, kind=FailureKind.STOPPED, message=stop.reason
    )


@dataclass(frozen=True)
class NotRun:
    """A step a run ended before starting, and the hosts it would have run on."""

    play: str
    step: str
    hosts: tuple[str, ...]


class Rollouts:
    """A run's batches and whether its rollout stopped: kept on the main thread, except
    `halt`, which pipeline workers may trip."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.halt = Halt()
        self.records: list[BatchRecord] = []
        self._batches: dict[int, tuple[Batch, ...]] = {}

    def batches(self, p: int, down: Collection[str]) -> tuple[Batch, ...]:
        """Play `p`'s batches, fixed when the play starts (over the hosts that have not
        failed in an earlier play), or as they would be if it started now."""
        if p in self._batches:
            return self._batches[p]
        return batches(self.plan.plays[p], down)

    def start(self, p: int, down: Collection[str]) -> tuple[Batch, ...]:
        """Play `p` starts: its batches."""
        self._batches[p] = batches(self.plan.plays[p], down)
        return self._batches[p]

    def step_done(self, play: Play, batch: Batch, results: Iterable[StepResult]) -> None:
        """`any_errors_fatal`: a host of the batch failed the step."""
        for result in results:
            if result.host in batch.names:
                self.halt.trip(fatal(play.name, play.rollout, batch, result))

    def batch_done(self, play: Play, batch: Batch, down: Collection[str], *, judge: bool) -> None:
        """Keep the batch's record; with `judge`, stop if too many of its hosts failed."""
        failed = tuple(h.name for h in batch.hosts if h.name in down)
        if play.rollout.serial:
            self.records.append(_record(play, batch, failed))
        if judge:
            self.halt.trip(too_many_failed(play.name, play.rollout, batch, failed))

    def skip_the_rest(
        self, p: int, batch: Batch, down: Collection[str], done: Callable[[Key], Collection[str]]
    ) -> Iterator[tuple[Key, StepResult]]:
        """The rollout stopped in `batch` of play `p`: a `skipped` result for each step it
        leaves unstarted there, in later batches and in later plays, which are recorded
        as not run."""
        stop = self.halt.stop
        assert stop is not None
        later = [(p, b) for b in self.batches(p, down) if b.number > batch.number]
        later += [(q, b) for q in range(p + 1, len(self.plan.plays)) for b in self.batches(q, down)]
        for q, unrun in later:
            if self.plan.plays[q].play.rollout.serial:
                self.records.append(_record(self.plan.plays[q].play, unrun, (), ran=False))
        for key, host in unstarted(self.plan, [(p, batch), *later], down, done):
            step = self.plan.plays[key[0]].steps[key[1]]
            yield key, skipped(host, step.name, stop)

    def not_run(
        self, down: Collection[str], done: Callable[[Key], Collection[str]]
    ) -> list[NotRun]:
        """The steps, with their hosts, that have no result (hosts that failed aside): what
        a run that ended early did not start."""
        every = [(p, b) for p in range(len(self.plan.plays)) for b in self.batches(p, down)]
        missing: dict[Key, list[str]] = {}
        for key, host in unstarted(self.plan, every, down, done):
            missing.setdefault(key, []).append(host.name)
        return [
            NotRun(self.plan.plays[p].play.name, self.plan.plays[p].steps[s].name, tuple(hosts))
            for (p, s), hosts in sorted(missing.items())
        ]


def _record(play: Play, batch: Batch, failed: tuple[str, ...], *, ran: bool = True) -> BatchRecord:
    names = tuple(h.name for h in batch.hosts)
    return BatchRecord(play.name, batch.number, batch.total, names, failed, ran=ran)
