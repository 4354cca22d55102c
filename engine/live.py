"""Live progress on a terminal: a status region redrawn under the lines already printed.

Per running step: hosts done / total, the ok / changed / failed / unreachable counts, how
long it has run and, when few are left, the hosts it still waits for. Above it, lines as
hosts finish: every failure at once (host, step, error, the last lines the device sent);
each host's output too on a small play or with `-v` (`-vv`: as device exchanges), or
nothing but failures on a large play (more than `COMPACT_ABOVE` hosts), where the counts
say the rest. Everything goes through `ConsoleReport`, so it is masked and made printable.
Only the writer thread of `engine.progress` calls a view.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from engine.inventory import Host
from engine.model import Play
from engine.progress import StepProgress, Tracker, tally
from engine.report import STYLES, ConsoleReport
from engine.results import Recap, RolloutStop, RunResult, Status, StepResult
from engine.rollout import Batch
from engine.secrets import Mask

COMPACT_ABOVE = 10  # hosts in a play above which only failures get lines of their own
FEW_LEFT = 5  # hosts a step still waits for, named in its status line
STATUS_STEPS = 6  # steps shown in the status region at once


class LiveView:
    """The terminal's view of a run (see the module's docstring)."""

    def __init__(self, console: Console, mask: Mask, *, quiet: bool, verbose: int) -> None:
        exchanges = verbose >= 2
        self.report = ConsoleReport(console, mask, show_output=not quiet, exchanges=exchanges)
        self.quiet = quiet
        self.verbose = verbose
        self.compact = False
        self.started = time.monotonic()
        self._live = Live(
            console=console,
            auto_refresh=False,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live_on = False
        self.playing = False  # the status region waits for the first play

    def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None:
        self.report.play_started(play, hosts, strategy)
        self.playing = True
        self.compact = len(hosts) > COMPACT_ABOVE and not self.verbose

    def batch_started(self, play: Play, batch: Batch) -> None:
        self.report.batch_started(play, batch)

    def host_finished(self, entry: StepProgress, result: StepResult) -> None:
        """A host's line as it finishes: always for a failure, else unless compact."""
        if self.compact and not result.failed:
            return
        self.report.host_line(result, step=entry.step.name)
        if not self.compact:
            self.report.details(result)
        elif not self.quiet:
            self.report.last_lines(result)

    def step_done(self, entry: StepProgress) -> None:
        """The step's summary; and a host whose result changed after its line (a
        `save_to` that could not be written) gets a new one."""
        record = entry.record()
        for result in record.results:
            if entry.results.get(result.host) not in (None, result) and (
                not self.compact or result.failed
            ):
                self.report.host_line(result, step=entry.step.name)
        counts = tally(record.results)
        done = f"{len(record.results)} host{'s' * (len(record.results) != 1)}"
        line = Text.assemble(("STEP ", "bold"), (self.report.shown(entry.step.name), "bold"))
        line.append(f" done: {done}  ")
        line.append_text(_counts(counts, "="))
        line.append(f"  {_seconds(time.monotonic() - _since(entry))}", style="dim")
        if not self.compact:  # apart from the outputs above it
            self.report.console.print()
        self.report.console.print(line)

    def rollout_stopped(self, stop: RolloutStop, hosts: Sequence[str]) -> None:
        self.report.rollout_stopped(stop, hosts)

    def tick(self, tracker: Tracker) -> None:
        """Redraw the status region."""
        if not self.playing:
            return
        if not self._live_on:
            self._live.start()
            self._live_on = True
        now = time.monotonic()
        active = tracker.active()
        names = [self.report.shown(entry.step.name) for entry in active[:STATUS_STEPS]]
        width = max(map(len, names), default=0)
        lines = [self._status(e, n.ljust(width), now) for e, n in zip(active, names, strict=False)]
        if len(active) > STATUS_STEPS:
            lines.append(Text(f"  ... {len(active) - STATUS_STEPS} more steps under way"))
        lines.append(Text(f"  elapsed {_seconds(now - self.started)}", style="dim"))
        for line in lines:
            line.no_wrap, line.overflow = True, "ellipsis"
        self._live.update(Group(*lines), refresh=True)

    def _status(self, entry: StepProgress, name: str, now: float) -> Text:
        """`  Clock  28/30  ok 26  changed 0  failed 1  unreachable 1  2.3s  running: H30`"""
        expected = entry.expected
        line = Text("  ")
        line.append(name, style="bold")
        done = f"{len(entry.results)}/{len(expected)}"
        line.append(f"  {done:>{2 * len(str(len(entry.hosts))) + 1}}  ")
        line.append_text(_counts(entry.counts(), " "))
        line.append(f"  {_seconds(now - _since(entry))}", style="dim")
        running = entry.running
        if 0 < len(running) <= FEW_LEFT:
            line.append(f"  running: {self.report.shown(', '.join(running))}", style="cyan")
        return line

    def recap(self, run: RunResult) -> None:
        self.close()
        self.report.recap(run)

    def close(self) -> None:
        """Take the status region away (it is only for while the run goes on)."""
        self.playing = False
        if self._live_on:
            self._live.stop()
            self._live_on = False


def _counts(counts: Recap, sep: str) -> Text:
    """ok, changed, failed, unreachable always; skipped and ignored when there are some."""
    text = Text()
    names = ["ok", "changed", "failed", "unreachable", "skipped", "ignored"]
    shown = [n for n in names if n in names[:4] or getattr(counts, n)]
    for index, name in enumerate(shown):
        value = getattr(counts, name)
        style = _STYLE.get(name, "") if value else "dim"
        text.append(f"{'  ' if index else ''}{name}{sep}{value}", style=style)
    return text


_STYLE = {
    "ok": STYLES[Status.OK],
    "changed": "yellow",
    "failed": STYLES[Status.FAILED],
    "unreachable": STYLES[Status.UNREACHABLE],
    "skipped": STYLES[Status.SKIPPED],
    "ignored": "yellow",
}


def _since(entry: StepProgress) -> float:
    """When the step started: in a pipeline, when its first host got to it."""
    return entry.opened if entry.lockstep or entry.began is None else entry.began


def _seconds(value: float) -> str:
    return f"{value:.1f}s"
