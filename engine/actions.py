"""What each action does on one device: `send` its commands, `config` and `ensure` their
lines (in check mode, only work out what would be sent), and whether anything changed.

`changed` of a config step is true when the running-config differs after it, whenever a
copy from before is known (read for `--diff`, or by an earlier `ensure` on the host);
otherwise, as the device gives no other sign, every config step that sends lines counts
as a change. An ensure step changes something when the lines it sends change the
running-config (a line the device refuses first changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from engine.configdiff import RunningConfig, config_diff, would_add, writes
from engine.drivers import Driver, Reply, error_pattern, find_error
from engine.errors import StepInterrupted
from engine.model import Step


@dataclass(frozen=True)
class Sending:
    """How a step's lines go to the device: the run's switches and the step's own keys."""

    check: bool = False
    diff: bool = False
    timeout: float | None = None
    error_patterns: tuple[str, ...] = ()
    before_change: Callable[[Driver], None] | None = None  # rollback_on_failure's archive


@dataclass
class Trace:
    """What one pass of a step sent and found out; kept when the pass fails half-way.
    `sent` holds what was handed to the device before its answer came, if it ever did: a
    config step's lines go in one call, and may be applied whether or not it returns."""

    commands: tuple[str, ...]
    sent: list[str] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    diff: str | None = None
    changed: bool = False

    @contextmanager
    def sending(self, lines: Sequence[str]) -> Iterator[None]:
        """`lines` go to the device in this block, unless the run's stop keeps them back."""
        self.sent.extend(lines)
        try:
            yield
        except StepInterrupted:  # raised before anything is sent (engine.sessions)
            del self.sent[len(self.sent) - len(lines) :]
            raise


def perform(
    step: Step,
    platform: str,
    absent: Sequence[str],
    device: Driver,
    running: RunningConfig,
    how: Sending,
    trace: Trace,
) -> None:
    """The step's action on the device; what it sent and found out goes into `trace`."""
    if step.action == "config":
        configure(device, running, trace, how)
    elif step.action == "ensure":
        exact = step.match == "exact"
        ensure(device, running, trace, how, absent=absent, exact=exact, platform=platform)
    else:
        send(step, platform, device, running, trace, how)


def send(
    step: Step, platform: str, device: Driver, running: RunningConfig, trace: Trace, how: Sending
) -> None:
    """A send step: each command in turn, stopping at the first the device refuses."""
    if any(writes(c) for c in trace.commands):
        if how.check:
            trace.changed = True  # reported as "would send", like a config step in check mode
            return
        running.changing()  # `copy ... running-config`, `reload`: the copy held is stale
    extra = error_pattern(platform, how.error_patterns) if how.error_patterns else None
    for command in trace.commands:
        with trace.sending([command]):
            reply = device.send(
                command, timeout=how.timeout, expect=step.expect, answers=step.answers
            )
        if reply.error is None and extra is not None:
            reply = Reply(reply.output, find_error(reply.output, extra))
        trace.replies.append(reply)
        if reply.error is not None:
            return


def configure(device: Driver, running: RunningConfig, trace: Trace, how: Sending) -> None:
    """A config step: send `trace.commands`, with the diff and `changed` around them."""
    before = running.read(device) if how.diff else running.known
    if how.check:
        added = would_add(before, trace.commands) if before is not None else trace.commands
        trace.changed = bool(added)
        trace.diff = "\n".join(f"+{line}" for line in added) or None if how.diff else None
        return
    if not trace.commands:
        return
    _send(device, running, trace, how)
    if before is None:
        return  # nothing to compare with: sending counts as changing
    diff = config_diff(before, running.read(device))  # read again by _send
    trace.changed = bool(diff)
    trace.diff = diff or None if how.diff else None


def ensure(
    device: Driver,
    running: RunningConfig,
    trace: Trace,
    how: Sending,
    *,
    absent: Sequence[str],
    exact: bool,
    platform: str,
) -> None:
    """An ensure step: `trace.commands` holds the wanted block; afterwards, what was sent."""
    from engine.ensure import plan

    change = plan(running.read(device), trace.commands, absent, exact=exact, platform=platform)
    trace.commands, trace.changed = change.commands, change.changes
    trace.diff = change.diff if how.diff else None
    if change.changes and not how.check:
        _send(device, running, trace, how)


def _send(device: Driver, running: RunningConfig, trace: Trace, how: Sending) -> None:
    """Send the lines; a host whose running-config netplay reads gets it read again after."""
    if how.before_change is not None:
        how.before_change(device)  # raises, and nothing is sent, if it cannot be done
    before = running.known
    running.changing()
    trace.changed = True
    with trace.sending(trace.commands):
        reply = device.configure(
            trace.commands, timeout=how.timeout, error_patterns=how.error_patterns
        )
    trace.replies.append(reply)
    if reply.applied is False:  # a candidate dropped: nothing of the step was applied
        trace.changed = False
    elif before is not None:  # a refused first line changed nothing: the copy says so
        trace.changed = bool(config_diff(before, running.read(device)))
