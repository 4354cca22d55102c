"""What one step does on one host: conditions, loops, retries, parsing, and its result.

A step on a host goes through three stages:
  prepare (main thread)  — `when`, `loop`, rendering; `set` and `assert` finish here;
  execute (worker)       — talks to the device: retries with `until`, parsing, diff, save;
  conclude (main thread) — `changed_when`, `failed_when`, `ignore_errors`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from engine.actions import Sending, Trace, perform
from engine.configdiff import RunningConfig
from engine.drivers import Driver
from engine.ensure import BlockError, check_block
from engine.errors import HOST_BUDGET_USED_UP, DeviceError, FailureKind
from engine.flight import Flight
from engine.inventory import Host
from engine.model import Step
from engine.plain import plain
from engine.platforms import saves, show_running
from engine.results import Status, StepResult
from engine.rollback import Checkpoint, guard
from engine.templating import TemplateError, evaluate, render, render_value

NOT_LOOPED = object()


@dataclass(frozen=True)
class Item:
    """One pass of a step on a host: the loop item (if any) and its rendered commands."""

    value: Any
    commands: tuple[str, ...]
    skip: bool = False  # its `when` was false: registered as a skipped entry
    absent: tuple[str, ...] = ()  # ensure steps: the `absent` lines


@dataclass(frozen=True)
class Work:
    """One host's share of a step, rendered on the main thread, run on a worker."""

    host: Host
    step: Step
    variables: Mapping[str, Any]
    items: tuple[Item, ...]
    looped: bool


@dataclass(frozen=True)
class Options:
    """Run-wide switches a step needs while it executes; `interrupted(seconds)` waits
    between retries, and says whether the run is stopping (Ctrl-C): no retry then.
    `flight`: the host's step in progress, and its time budget (engine.flight)."""

    check: bool = False
    diff: bool = False
    command_timeout: float | None = None
    # by default, an event that is never set: waits the delay, never interrupted
    interrupted: Callable[[float], bool] = field(default_factory=lambda: threading.Event().wait)
    flight: Flight = field(default_factory=Flight)


def prepare(step: Step, host: Host, variables: Mapping[str, Any]) -> Work | StepResult:
    """Decide whether a host runs a step, and render what it will send."""
    try:
        if step.loop is None:
            if not _holds(step.when, variables):
                return StepResult(host.name, step.name, Status.SKIPPED)
            if step.action == "set":
                return _set(step, host, variables)
            if step.action == "assert":
                return _assert(step, host, variables)
            item = _item(step, host, variables, NOT_LOOPED)
            return Work(host, step, variables, (item,), looped=False)
        return _prepare_loop(step, host, variables)
    except TemplateError as exc:
        return failure(host, step, f"{step.location}: {exc}", kind=FailureKind.TEMPLATE)


def _prepare_loop(step: Step, host: Host, variables: Mapping[str, Any]) -> Work | StepResult:
    values = _loop_values(step, variables)
    items: list[Item] = []
    for value in values:
        scope = {**variables, step.loop_var: value}
        held = _holds(step.when, scope)
        items.append(_item(step, host, scope, value) if held else Item(value, (), skip=True))
    if all(item.skip for item in items):
        return StepResult(host.name, step.name, Status.SKIPPED)
    if step.action in ("set", "assert"):
        return _pure_loop(step, host, variables, items)
    return Work(host, step, variables, tuple(items), looped=True)


def _item(step: Step, host: Host, variables: Mapping[str, Any], value: Any) -> Item:
    """One pass's commands, rendered: a list value gives one line per item, a multi-line
    text one line per line (blank lines dropped)."""
    if step.action in ("set", "assert"):
        return Item(value, ())
    commands = render_lines(step.commands, variables)
    absent = render_lines(step.absent, variables)
    if step.action == "ensure":
        for key, lines in ((step.key, commands), ("absent", absent)):
            problem = check_block(lines, host.platform)
            if problem is not None:
                raise TemplateError(f"{key}: {problem}")
    return Item(value, commands, absent=absent)


def render_lines(templates: Sequence[str], variables: Mapping[str, Any]) -> tuple[str, ...]:
    """Render command templates into lines: `"{{ ntp_lines }}"` whose value is a list gives
    its items, and a text of several lines (`config: |`) gives each of them."""
    lines: list[str] = []
    for source in templates:
        value = render_value(source, variables)
        for part in value if isinstance(value, list | tuple) else (value,):
            lines += [line.rstrip() for line in str(part).splitlines() if line.strip()]
    return tuple(lines)


def _loop_values(step: Step, variables: Mapping[str, Any]) -> list[Any]:
    if isinstance(step.loop, str):
        value = evaluate(step.loop, variables)
    else:
        value = render_value(step.loop, variables)
    if isinstance(value, Mapping) or not isinstance(value, list | tuple):
        raise TemplateError(f"loop must give a list, got {type(value).__name__}")
    return list(plain(value))


def _pure_loop(
    step: Step, host: Host, variables: Mapping[str, Any], items: Sequence[Item]
) -> StepResult:
    """`set`/`assert` with a loop: one pass per item, each seeing the facts set before it."""
    results: list[StepResult] = []
    facts: dict[str, Any] = {}
    for item in items:
        if item.skip:
            results.append(_skipped(host, step, item))
            continue
        scope = {**variables, **facts, step.loop_var: item.value}
        one = _set(step, host, scope) if step.action == "set" else _assert(step, host, scope)
        facts.update(one.facts)
        results.append(replace(one, item=item.value))
    return combine(host, step, results, facts=facts)


def _holds(conditions: Sequence[str | bool], variables: Mapping[str, Any]) -> bool:
    return all(bool(evaluate(c, variables)) for c in conditions)


def _set(step: Step, host: Host, variables: Mapping[str, Any]) -> StepResult:
    facts = {key: plain(render_value(value, variables)) for key, value in step.values.items()}
    return StepResult(host.name, step.name, Status.OK, facts=facts)


def _assert(step: Step, host: Host, variables: Mapping[str, Any]) -> StepResult:
    failed = [c for c in step.values["that"] if not bool(evaluate(c, variables))]
    if failed:
        custom = step.values.get("fail_msg")
        message = render(custom, variables) if custom else f"assertion failed: {failed[0]}"
        kind = FailureKind.ASSERT
        return StepResult(
            host.name, step.name, Status.FAILED, error=message, kind=kind, message=message
        )
    custom = step.values.get("success_msg")
    message = render(custom, variables) if custom else "all assertions passed"
    return StepResult(host.name, step.name, Status.OK, message=message)


def _saves(step: Step, options: Options, results: Sequence[StepResult]) -> bool:
    """`save: true` after a change that every line of every item made: a config step
    always, an ensure step when it sent something."""
    if not (step.changes_config and step.save and not options.check):
        return False
    if any(r.failed for r in results):
        return False
    return step.action == "config" or any(r.changed for r in results)


def _save(work: Work, driver: Callable[[], Driver], result: StepResult) -> StepResult:
    """`save: true`: write memory once, after every line of every item was accepted."""
    try:
        reply = driver().save()
    except DeviceError as exc:
        return replace(result, status=Status(exc.status), error=exc.message, kind=exc.kind)
    return replace(result, outputs=(*result.outputs, reply.output))


def _skipped(host: Host, step: Step, item: Item) -> StepResult:
    return StepResult(host.name, step.name, Status.SKIPPED, item=item.value)


def failure(host: Host, step: Step, error: str, *, kind: FailureKind) -> StepResult:
    return StepResult(host.name, step.name, Status.FAILED, error=error, kind=kind)


def execute(
    work: Work,
    driver: Callable[[], Driver],
    options: Options,
    running: RunningConfig | None = None,
    checkpoint: Checkpoint | None = None,
) -> StepResult:
    """Run a prepared step on its device (worker thread). Never raises.

    `running` is the host's running-config copy, shared by its steps for the run;
    `checkpoint` the play's archive for `rollback_on_failure`, taken before its change."""
    start = time.monotonic()
    device = _Device(
        driver,
        running or RunningConfig(work.host.name, show_running(work.host.platform)),
        checkpoint,
    )
    results: list[StepResult] = []
    for item in work.items:
        stopped = work.step.changes_config and any(r.failed for r in results)
        # after a refused config item, the later items are not sent: the change stops there
        skip = item.skip or stopped
        results.append(
            _skipped(work.host, work.step, item) if skip else _attempts(work, item, device, options)
        )
    if _saves(work.step, options, results) and saves(work.host.platform):
        results[-1] = _save(work, driver, results[-1])
    if not work.looped:
        return replace(results[0], elapsed=time.monotonic() - start)
    return replace(combine(work.host, work.step, results), elapsed=time.monotonic() - start)


@dataclass(frozen=True)
class _Device:
    """A host's session (opened on first use), its running-config copy, its archive."""

    open: Callable[[], Driver]
    running: RunningConfig
    checkpoint: Checkpoint | None = None


def _attempts(work: Work, item: Item, device: _Device, options: Options) -> StepResult:
    """One item, repeated until `until` holds or the retries run out."""
    step, tries = work.step, (work.step.retries if work.step.until else 1)
    result = _once(work, item, device, options)
    try:
        for attempt in range(2, tries + 1):
            if result.status is Status.UNREACHABLE or _until_holds(work, item, result):
                break
            if options.flight.outlasts(step.delay):  # the host's --host-timeout
                return _failed(result, HOST_BUDGET_USED_UP, FailureKind.TIMEOUT)
            if options.interrupted(step.delay):  # Ctrl-C: no more attempts
                error = f"interrupted after {result.attempts} attempts"
                return _failed(result, error, FailureKind.INTERRUPTED)
            result = replace(_once(work, item, device, options), attempts=attempt)
        if step.until and not result.failed and not _until_holds(work, item, result):
            error = f"'until' still false after {result.attempts} attempts: {step.until}"
            result = _failed(result, error, FailureKind.UNTIL)
    except TemplateError as exc:  # an `until` that cannot be evaluated will never hold
        result = _failed(result, f"{step.location}: {exc}", FailureKind.TEMPLATE)
    return result


def _failed(result: StepResult, error: str, kind: FailureKind) -> StepResult:
    return replace(result, status=Status.FAILED, error=error, kind=kind)


def _until_holds(work: Work, item: Item, result: StepResult) -> bool:
    if not work.step.until:
        return True
    return bool(evaluate(work.step.until, _with_result(work, item, result)))


def _with_result(work: Work, item: Item, result: StepResult) -> dict[str, Any]:
    """Variables for conditions on a step's own result: `result` and the register name."""
    scope = {**work.variables, "result": result.to_vars()}
    if work.step.register:
        scope[work.step.register] = scope["result"]
    if item.value is not NOT_LOOPED:
        scope[work.step.loop_var] = item.value
    return scope


def _once(work: Work, item: Item, device: _Device, options: Options) -> StepResult:
    start = time.monotonic()
    trace = options.flight.follow(Trace(item.commands))
    try:
        driver = device.open()
        timeout = options.flight.bound(work.step.timeout or options.command_timeout)
        how = Sending(
            check=options.check,
            diff=options.diff,
            timeout=timeout,
            error_patterns=work.step.error_patterns,
            before_change=guard(work.step, device.checkpoint, timeout),
        )
        perform(work.step, work.host.platform, item.absent, driver, device.running, how, trace)
    except DeviceError as exc:
        status = Status(exc.status)
        return _result(work, item, trace, start, status=status, error=exc.message, kind=exc.kind)
    except BlockError as exc:
        return _result(
            work, item, trace, start, status=Status.FAILED, error=str(exc), kind=FailureKind.ENSURE
        )
    except Exception as exc:  # a bug must cost one host, not the run
        bug = f"internal error: {exc!r}"
        internal = FailureKind.INTERNAL
        return _result(work, item, trace, start, status=Status.FAILED, error=bug, kind=internal)
    error = next((r.error for r in trace.replies if r.error), None)
    status = Status.FAILED if error else Status.OK
    rejected = FailureKind.REJECTED if error else None
    result = _result(work, item, trace, start, status=status, error=error, kind=rejected)
    result = replace(result, prompt=driver.prompt)
    return _parsed(work, result) if result.status is Status.OK else result


def _parsed(work: Work, result: StepResult) -> StepResult:
    spec = work.step.parse
    if spec is None:
        return result
    from engine.parsing import ParseError, ParseSpec, parse

    records: list[Mapping[str, Any]] = []
    try:
        for command, output in zip(result.commands, result.outputs, strict=False):
            parsed = parse(
                ParseSpec(spec.kind, spec.template, work.step.base_dir, spec.file),
                platform=work.host.platform,
                command=command,
                output=output,
            )
            records.extend(parsed)
    except ParseError as exc:
        return _failed(result, f"parse error: {exc}", FailureKind.PARSE)
    return replace(result, parsed=tuple(records))


def _result(
    work: Work,
    item: Item,
    trace: Trace,
    start: float,
    *,
    status: Status,
    error: str | None = None,
    kind: FailureKind | None = None,
) -> StepResult:
    return StepResult(
        host=work.host.name,
        step=work.step.name,
        status=status,
        commands=trace.commands,
        outputs=tuple(r.output for r in trace.replies),
        changed=trace.changed,
        error=error,
        kind=kind,
        elapsed=time.monotonic() - start,
        diff=trace.diff,
        item=None if item.value is NOT_LOOPED else item.value,
    )


def combine(
    host: Host, step: Step, results: Sequence[StepResult], facts: Mapping[str, Any] | None = None
) -> StepResult:
    """One result for a looped step: failed if any item failed, outputs in item order."""
    failed = next((r for r in results if r.failed), None)
    parsed = [rec for r in results for rec in (r.parsed or ())]
    return StepResult(
        host=host.name,
        step=step.name,
        status=failed.status if failed else Status.OK,
        commands=tuple(c for r in results for c in r.commands),
        outputs=tuple(o for r in results for o in r.outputs),
        changed=any(r.changed for r in results),
        error=failed.error if failed else None,
        kind=failed.kind if failed else None,
        elapsed=sum(r.elapsed for r in results),
        prompt=next((r.prompt for r in results if r.prompt), None),
        parsed=tuple(parsed) if step.parse else None,
        diff="\n".join(r.diff for r in results if r.diff) or None,
        items=tuple(results),
        facts=dict(facts or {}),
        message=failed.message if failed else None,
    )


def conclude(step: Step, result: StepResult, variables: Mapping[str, Any] | None) -> StepResult:
    """Apply `changed_when`, `failed_when` and `ignore_errors` to a finished result (only
    `ignore_errors` without `variables`: the step's `vars` failed to render)."""
    if result.status in (Status.SKIPPED, Status.UNREACHABLE):
        return result
    if variables is None:
        return replace(result, ignored=result.failed and step.ignore_errors)
    scope = {**variables, "result": result.to_vars()}
    if step.register:
        scope[step.register] = scope["result"]
    try:
        if step.changed_when:
            result = replace(result, changed=_holds(step.changed_when, scope))
        if step.failed_when:
            failed = _holds(step.failed_when, scope)
            status = Status.FAILED if failed else Status.OK
            error = result.error or "failed_when matched"
            kind = (result.kind or FailureKind.FAILED_WHEN) if failed else None
            result = replace(result, status=status, error=error if failed else None, kind=kind)
    except TemplateError as exc:
        result = _failed(result, f"{step.location}: {exc}", FailureKind.TEMPLATE)
    if result.failed and step.ignore_errors:
        result = replace(result, ignored=True)
    return result
