"""What one step does on one host: conditions, loops, retries, parsing, and its result.

A step on a host goes through three stages:
  prepare (main thread)  — `when`, `loop`, rendering; `set` and `assert` finish here;
  execute (worker)       — talks to the device: retries with `until`, parsing, diff, save;
  conclude (main thread) — `changed_when`, `failed_when`, `ignore_errors`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from engine.configdiff import config_diff, would_add, writes
from engine.drivers import Driver, Reply, error_pattern, find_error
from engine.errors import DeviceError
from engine.inventory import Host
from engine.model import Step
from engine.results import Status, StepResult
from engine.templating import TemplateError, evaluate, render, render_value

NOT_LOOPED = object()


@dataclass(frozen=True)
class Item:
    """One pass of a step on a host: the loop item (if any) and its rendered commands."""

    value: Any
    commands: tuple[str, ...]
    skip: bool = False  # its `when` was false: registered as a skipped entry


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
    """Run-wide switches a step needs while it executes."""

    check: bool = False
    diff: bool = False
    command_timeout: float | None = None


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
            commands = tuple(render(c, variables) for c in step.commands)
            return Work(host, step, variables, (Item(NOT_LOOPED, commands),), looped=False)
        return _prepare_loop(step, host, variables)
    except TemplateError as exc:
        return failure(host, step, f"{step.location}: {exc}", kind="template")


def _prepare_loop(step: Step, host: Host, variables: Mapping[str, Any]) -> Work | StepResult:
    values = _loop_values(step, variables)
    items: list[Item] = []
    for value in values:
        scope = {**variables, step.loop_var: value}
        held = _holds(step.when, scope)
        items.append(Item(value, tuple(render(c, scope) for c in step.commands), skip=not held))
    if all(item.skip for item in items):
        return StepResult(host.name, step.name, Status.SKIPPED)
    if step.action in ("set", "assert"):
        return _pure_loop(step, host, variables, items)
    return Work(host, step, variables, tuple(items), looped=True)


def _loop_values(step: Step, variables: Mapping[str, Any]) -> list[Any]:
    if isinstance(step.loop, str):
        value = evaluate(step.loop, variables)
    else:
        value = render_value(step.loop, variables)
    if isinstance(value, Mapping) or not isinstance(value, list | tuple):
        raise TemplateError(f"loop must give a list, got {type(value).__name__}")
    return list(value)


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
    facts = {key: render_value(value, variables) for key, value in step.values.items()}
    return StepResult(host.name, step.name, Status.OK, facts=facts)


def _assert(step: Step, host: Host, variables: Mapping[str, Any]) -> StepResult:
    failed = [c for c in step.values["that"] if not bool(evaluate(c, variables))]
    if failed:
        custom = step.values.get("fail_msg")
        message = render(custom, variables) if custom else f"assertion failed: {failed[0]}"
        return StepResult(
            host.name, step.name, Status.FAILED, error=message, kind="assert", message=message
        )
    custom = step.values.get("success_msg")
    message = render(custom, variables) if custom else "all assertions passed"
    return StepResult(host.name, step.name, Status.OK, message=message)


def _saves(step: Step, options: Options) -> bool:
    return step.action == "config" and step.save and not options.check


def _save(work: Work, driver: Callable[[], Driver], result: StepResult) -> StepResult:
    """`save: true`: write memory once, after every line of every item was accepted."""
    try:
        reply = driver().save()
    except DeviceError as exc:
        return replace(result, status=Status(exc.status), error=exc.message, kind=exc.kind)
    return replace(result, outputs=(*result.outputs, reply.output))


def _skipped(host: Host, step: Step, item: Item) -> StepResult:
    return StepResult(host.name, step.name, Status.SKIPPED, item=item.value)


def failure(host: Host, step: Step, error: str, *, kind: str) -> StepResult:
    return StepResult(host.name, step.name, Status.FAILED, error=error, kind=kind)


def execute(work: Work, driver: Callable[[], Driver], options: Options) -> StepResult:
    """Run a prepared step on its device (worker thread). Never raises."""
    start = time.monotonic()
    results: list[StepResult] = []
    for item in work.items:
        stopped = work.step.action == "config" and any(r.failed for r in results)
        # after a refused config item, the later items are not sent: the change stops there
        skip = item.skip or stopped
        results.append(
            _skipped(work.host, work.step, item) if skip else _attempts(work, item, driver, options)
        )
    if _saves(work.step, options) and not any(r.failed for r in results):
        results[-1] = _save(work, driver, results[-1])
    if not work.looped:
        return replace(results[0], elapsed=time.monotonic() - start)
    return replace(combine(work.host, work.step, results), elapsed=time.monotonic() - start)


def _attempts(work: Work, item: Item, driver: Callable[[], Driver], options: Options) -> StepResult:
    """One item, repeated until `until` holds or the retries run out."""
    step, tries = work.step, (work.step.retries if work.step.until else 1)
    result = _once(work, item, driver, options)
    try:
        for attempt in range(2, tries + 1):
            if result.status is Status.UNREACHABLE or _until_holds(work, item, result):
                break
            time.sleep(step.delay)
            result = replace(_once(work, item, driver, options), attempts=attempt)
        if step.until and not result.failed and not _until_holds(work, item, result):
            error = f"'until' still false after {result.attempts} attempts: {step.until}"
            result = replace(result, status=Status.FAILED, error=error, kind="until")
    except TemplateError as exc:  # an `until` that cannot be evaluated will never hold
        result = replace(
            result, status=Status.FAILED, error=f"{step.location}: {exc}", kind="template"
        )
    return result


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


def _once(work: Work, item: Item, driver: Callable[[], Driver], options: Options) -> StepResult:
    start = time.monotonic()
    replies: list[Reply] = []
    diff = None
    try:
        device = driver()
        if work.step.action == "config":
            diff = _configure(work, item, device, options, replies)
        else:
            _send(work, item, device, options, replies)
    except DeviceError as exc:
        status = Status(exc.status)
        return _result(work, item, replies, start, status=status, error=exc.message, kind=exc.kind)
    except Exception as exc:  # a bug must cost one host, not the run
        return _result(
            work,
            item,
            replies,
            start,
            status=Status.FAILED,
            error=f"internal error: {exc!r}",
            kind="internal",
        )
    error = next((r.error for r in replies if r.error), None)
    status = Status.FAILED if error else Status.OK
    held_back = options.check and any(writes(c) for c in item.commands)
    changed = (work.step.action == "config" and (bool(replies) or options.check)) or held_back
    result = _result(
        work,
        item,
        replies,
        start,
        status=status,
        error=error,
        kind="rejected" if error else None,
        prompt=device.prompt,
        diff=diff,
        changed=changed,
    )
    return _parsed(work, result) if result.status is Status.OK else result


def _send(work: Work, item: Item, device: Driver, options: Options, replies: list[Reply]) -> None:
    step = work.step
    if options.check and any(writes(c) for c in item.commands):
        return  # reported as "would send", like a config step in check mode
    extra = error_pattern(work.host.platform, step.error_patterns) if step.error_patterns else None
    for command in item.commands:
        reply = device.send(
            command,
            timeout=step.timeout or options.command_timeout,
            expect=step.expect,
            answers=step.answers,
        )
        if reply.error is None and extra is not None:
            reply = Reply(reply.output, find_error(reply.output, extra))
        replies.append(reply)
        if reply.error is not None:
            return


def _configure(
    work: Work, item: Item, device: Driver, options: Options, replies: list[Reply]
) -> str | None:
    """Send config lines (not in check mode); the diff and `save` wrap around them."""
    step = work.step
    before = device.send("show running-config").output if options.diff else ""
    if options.check:
        return "\n".join(f"+{line}" for line in would_add(before, item.commands)) or None
    timeout = step.timeout or options.command_timeout
    reply = device.configure(item.commands, timeout=timeout, error_patterns=step.error_patterns)
    replies.append(reply)
    if not options.diff:
        return None
    return config_diff(before, device.send("show running-config").output)


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
        return replace(result, status=Status.FAILED, error=f"parse error: {exc}", kind="parse")
    return replace(result, parsed=tuple(records))


def _result(
    work: Work,
    item: Item,
    replies: Sequence[Reply],
    start: float,
    *,
    status: Status,
    error: str | None = None,
    kind: str | None = None,
    prompt: str | None = None,
    diff: str | None = None,
    changed: bool = False,
) -> StepResult:
    return StepResult(
        host=work.host.name,
        step=work.step.name,
        status=status,
        commands=item.commands,
        outputs=tuple(r.output for r in replies),
        changed=changed or (work.step.action == "config" and bool(replies)),
        error=error,
        kind=kind,
        elapsed=time.monotonic() - start,
        prompt=prompt,
        diff=diff,
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


def conclude(step: Step, result: StepResult, variables: Mapping[str, Any]) -> StepResult:
    """Apply `changed_when`, `failed_when` and `ignore_errors` to a finished result."""
    if result.status in (Status.SKIPPED, Status.UNREACHABLE):
        return result
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
            kind = (result.kind or "failed_when") if failed else None
            result = replace(result, status=status, error=error if failed else None, kind=kind)
    except TemplateError as exc:
        error = f"{step.location}: {exc}"
        result = replace(result, status=Status.FAILED, error=error, kind="template")
    if result.failed and step.ignore_errors:
        result = replace(result, ignored=True)
    return result
