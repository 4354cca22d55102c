"""What the user sees: step by step results on the console, the recap, JSON and `cmd` files.

Device output is printed as plain text (never parsed as markup), every known secret is
masked, and control characters are made visible (`engine.terminal.printable`) before
anything reaches the console. `cmd --output` keeps the device's text as sent (masked);
JSON escapes control characters.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from engine.inventory import Host
from engine.model import Play, Step
from engine.results import (
    PHASES,
    BatchRecord,
    Recap,
    Rollback,
    RolloutStop,
    RunResult,
    Status,
    StepRecord,
    StepResult,
    json_text,
    own_time,
)
from engine.rollout import Batch
from engine.secrets import Mask
from engine.terminal import printable

STRATEGY_WHY = {
    "pipeline": "each host runs its steps back to back",
    "lockstep": "every step waits for all hosts: a step reads other hosts' results",
}
SLOWEST = 3  # hosts named at the end of a run
LAST_LINES = 5  # of a failed host's device output, on a terminal
STYLES = {
    Status.OK: "green",
    Status.FAILED: "bold red",
    Status.UNREACHABLE: "bold magenta",
    Status.SKIPPED: "cyan",
}


def make_console(
    stream: TextIO | None = None, *, color: bool | None = None, quiet: bool = False
) -> Console:
    """A console that never wraps or re-highlights device output."""
    return Console(
        file=stream,
        quiet=quiet,
        highlight=False,
        soft_wrap=True,
        no_color=color is False,
        force_terminal=color or None,
    )


class ConsoleReport:
    """Prints each step's results, in inventory order, as the step finishes.

    `show_output`: each host's output under its line; `exchanges` (`-vv`): as the device
    exchange, each command after the prompt followed by its output."""

    def __init__(
        self, console: Console, mask: Mask, *, show_output: bool = True, exchanges: bool = False
    ) -> None:
        self.console = console
        self.mask = mask
        self.show_output = show_output
        self.exchanges = exchanges

    def shown(self, text: str) -> str:
        """Text as it may reach the console: secrets masked, control characters visible."""
        return printable(self.mask(text))

    def play_started(self, play: Play, hosts: Sequence[Host], strategy: str) -> None:
        names = _names([h.name for h in hosts])
        title = Text.assemble(
            ("PLAY ", "bold"), (self.shown(play.name), "bold"), f"  [{len(hosts)} hosts]"
        )
        self.console.print(title)
        self.console.print(Text(f"  hosts: {self.shown(names) or '(none)'}", style="dim"))
        self.console.print(Text(f"  strategy: {strategy} ({STRATEGY_WHY[strategy]})", style="dim"))

    def batch_started(self, play: Play, batch: Batch) -> None:
        names = self.shown(_names([h.name for h in batch.hosts]))
        self.console.print(Text(f"\nBATCH {batch.label}: {names}", style="bold"))

    def rollout_stopped(self, stop: RolloutStop, hosts: Sequence[str]) -> None:
        self.console.print(Text(f"\n{self.shown(stop.reason)}", style="bold red"))
        if hosts:
            line = f"  skipped on {_count(len(hosts), 'host')}: {self.shown(_names(hosts))}"
            self.console.print(Text(line, style=STYLES[Status.SKIPPED]))

    def step_finished(self, play: Play, step: Step, record: StepRecord) -> None:
        self.console.print(Text.assemble(("\nSTEP ", "bold"), (self.shown(step.name), "bold")))
        for result in record.results:
            self.host_line(result)
            self.details(result)

    def host_line(self, result: StepResult, step: str | None = None) -> None:
        """`  failed      R2  0.31s  % Invalid input ...` (with the step's name, if given),
        and what a rollback did."""
        label = "changed" if result.changed and result.status is Status.OK else result.status.value
        label = "ignored" if result.ignored else label
        style = "yellow" if label in ("changed", "ignored") else STYLES[result.status]
        line = Text.assemble(
            ("  ", ""),
            (f"{label:<12}", style),
            (self.shown(result.host), "bold"),
            (f"  {self.shown(step)}" if step is not None else "", ""),
            (f"  {result.elapsed:.2f}s" if result.status is not Status.SKIPPED else "", "dim"),
        )
        if result.attempts > 1:
            line.append(f"  after {result.attempts} attempts", style="dim")
        if result.error:
            line.append(f"  {self.shown(result.error)}", style=STYLES[Status.FAILED])
        elif result.message:
            style = "green" if result.status is Status.OK else STYLES[result.status]
            line.append(f"  {self.shown(result.message)}", style=style)
        self.console.print(line)
        if result.rollback is not None:
            self._rollback(result.rollback)

    def _rollback(self, rollback: Rollback) -> None:
        """What putting the archived running-config back did (rollback_on_failure)."""
        if rollback.ok:
            line = f"    rolled back: {rollback.file} restored, undoing '{rollback.step}'"
            answer = " / ".join(rollback.output.splitlines())
            self.console.print(Text(self.shown(f"{line} ({answer})"), style="yellow"))
        else:
            line = f"    rollback failed: {rollback.error}"
            self.console.print(Text(self.shown(line), style=STYLES[Status.FAILED]))
        if rollback.diff and self.show_output:
            self.console.print(_diff(self.shown(rollback.diff)))

    def details(self, result: StepResult) -> None:
        """What a host's step computed, and (`show_output`) what the device said."""
        if result.facts:
            facts = ", ".join(f"{k}={v!r}" for k, v in result.facts.items())
            self.console.print(Text(_indent(self.shown(facts), 4), style="dim"))
        if not self.show_output:
            return
        if result.outputs and self.exchanges and len(result.commands) == len(result.outputs):
            self._exchanges(result)
        elif result.outputs:
            self.console.print(Text(_indent(self.shown(result.output), 4)))
        elif result.changed:  # check mode: what would be sent
            sent = "\n".join(f"> {c}" for c in result.commands)
            self.console.print(Text(_indent(self.shown(sent), 4), style="yellow"))
        if result.parsed is not None:
            self.console.print(Text(f"    parsed: {len(result.parsed)} records", style="dim"))
        if result.diff:
            self.console.print(_diff(self.shown(result.diff)))

    def _exchanges(self, result: StepResult) -> None:
        """`-vv`: each command after the device's prompt, then what it answered."""
        prompt = result.prompt or f"{result.host}#"
        for command, output in zip(result.commands, result.outputs, strict=True):
            self.console.print(Text(_indent(self.shown(f"{prompt}{command}"), 4), style="bold"))
            if output.strip():
                self.console.print(Text(_indent(self.shown(output), 4)))

    def last_lines(self, result: StepResult, count: int = LAST_LINES) -> None:
        """The last lines the device sent a failed host: where it stopped, and why."""
        lines = [line for line in result.output.splitlines() if line.strip()][-count:]
        if lines:
            text = "\n".join(f"    | {line}" for line in lines)
            self.console.print(Text(self.shown(text), style="dim"))

    def recap(self, run: RunResult) -> None:
        self.console.print(Text("\nRECAP", style="bold"))
        width = max((len(h) for h in run.hosts), default=4)
        recap = run.recap()
        for host, counts in recap.items():
            self.console.print(_recap_line(self.shown(host).ljust(width), counts))
        self._batches(run.batches)
        if run.stopped is not None:
            self.console.print(Text(f"\n{self.shown(run.stopped.reason)}", style="bold red"))
        self.console.print()
        if len(recap) > 1:
            self.console.print(Text(self.shown(_hosts_line(recap))))
        self.console.print(Text(f"finished in {run.elapsed:.2f}s", style="dim"))
        if run.timings:
            self.console.print(Text(_where_time_went(run), style="dim"))
            for line in _slowest(run):
                self.console.print(Text(self.shown(line), style="dim"))

    def _batches(self, batches: Sequence[BatchRecord]) -> None:
        """Each play's batches: their hosts and how each batch ended."""
        play = None
        for batch in batches:
            if batch.play != play:
                play = batch.play
                self.console.print(Text(f"\nBATCHES {self.shown(play)}", style="bold"))
            if not batch.ran:
                outcome, style = "not run", STYLES[Status.SKIPPED]
            elif batch.failed:
                failed = ", ".join(batch.failed)
                outcome, style = f"{len(batch.failed)} failed: {failed}", STYLES[Status.FAILED]
            else:
                outcome, style = "ok", STYLES[Status.OK]
            hosts = self.shown(_names(batch.hosts))
            line = Text.assemble(f"  {batch.number}/{batch.total}  {hosts}  ", (outcome, style))
            self.console.print(line)


def _names(names: Sequence[str], shown: int = 8) -> str:
    """Host names for a heading: the first few, then how many more."""
    more = f" ... (+{len(names) - shown})" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def _where_time_went(run: RunResult) -> str:
    """The median host's time, by phase: what a slow run should be asked first."""
    medians = {p: statistics.median(t.get(p, 0.0) for t in run.timings.values()) for p in PHASES}
    parts = " · ".join(f"{p} {medians[p]:.2f}s" for p in PHASES)
    return f"per host (median): {parts}"


def _hosts_line(recap: Mapping[str, Recap]) -> str:
    """`hosts: 27 ok · 1 failed: H07 · 1 unreachable: H19` (each host by its worst;
    `skipped`: every step skipped, as a stopped rollout leaves some; `not run`: no result
    at all, as an interrupted run leaves some)."""
    kinds: dict[str, list[str]] = {k: [] for k in ("ok", "failed", "unreachable", "skipped")}
    kinds["not run"] = []
    for host, c in recap.items():
        worst = "unreachable" if c.unreachable else "failed" if c.failed else "ok"
        if not (c.ok or c.failed or c.unreachable or c.ignored):
            worst = "skipped" if c.skipped else "not run"
        kinds[worst].append(host)
    parts = [f"{len(kinds['ok'])} ok"] + [
        f"{len(hosts)} {kind}: {_names(hosts)}"
        for kind, hosts in kinds.items()
        if hosts and kind != "ok"
    ]
    return "hosts: " + " · ".join(parts)


def _slowest(run: RunResult, shown: int = SLOWEST) -> list[str]:
    """The hosts that kept the run longest, by their own time, and where it went."""
    if len(run.timings) < 2:
        return []

    ranked = sorted(run.timings.items(), key=lambda item: -own_time(item[1]))[:shown]
    width = max(len(host) for host, _ in ranked)
    lines = ["slowest hosts:"]
    for host, timing in ranked:
        parts = " · ".join(f"{p} {timing.get(p, 0.0):.2f}s" for p in PHASES)
        lines.append(f"  {host:<{width}}  {own_time(timing):.2f}s  ({parts})")
    return lines


def _recap_line(host: str, counts: Recap) -> Text:
    bad = counts.failed or counts.unreachable
    line = Text.assemble(("  ", ""), (host, "bold red" if bad else "bold green"))
    for name in ("ok", "changed", "failed", "unreachable", "skipped", "ignored"):
        value = getattr(counts, name)
        line.append(f"  {name}={value}", style="" if value == 0 else _count_style(name))
    return line


def _count_style(name: str) -> str:
    styles = {"ok": "green", "changed": "yellow", "skipped": "cyan", "ignored": "yellow"}
    return styles.get(name, "bold red")


def _diff(text: str) -> Text:
    styled = Text()
    for line in text.splitlines():
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
        styled.append(f"    {line}\n", style=style)
    return styled


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line for line in text.splitlines())


def command_blocks(run: RunResult, mask: Mask) -> str:
    """`netplay cmd --output`: per host, `R1#sh ip int br` then its output, inventory order."""
    blocks = []
    for record in run.steps:
        for result in record.results:
            if result.status is not Status.OK:
                continue
            prompt = result.prompt or f"{result.host}#"
            for command, output in zip(result.commands, result.outputs, strict=False):
                blocks.append(f"{prompt}{command}\n{output.rstrip()}\n")
    return mask("\n".join(blocks))


def command_json(run: RunResult, mask: Mask) -> str:
    """`netplay cmd --json`: ``[{"R1": "<output>"}, ...]``; a failed host maps to null."""
    rows: list[dict[str, Any]] = []
    for record in run.steps:
        for result in record.results:
            rows.append({result.host: result.output if result.status is Status.OK else None})
    return json_text(rows, mask, indent=2)


def failures(run: RunResult, mask: Mask) -> list[str]:
    """One line per failed host and step, for stderr."""
    return [
        mask(f"{r.host}: {r.status.value}: {r.error}")
        for record in run.steps
        for r in record.results
        if r.failed
    ]
