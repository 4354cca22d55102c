"""One run of a plan with the command line's options: the password prompt, the lab, the
console, the executor — and the results kept however the run ends."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from engine.drivers import ConnectionSettings, DriverFactory
from engine.errors import InternalError, NetplayError, UsageError
from engine.executor import Executor, NotRun, RunSettings
from engine.inventory import Host, Inventory
from engine.options import RunOptions
from engine.plan import Plan
from engine.progress import console_reporter
from engine.results import RunResult
from engine.runner import Stop
from engine.secrets import Mask
from engine.workers import choose

_NOT_RUN_SHOWN = 3  # groups of steps named in the "interrupted" line


class Run:
    """One run of a plan with the command line's options: the lab, the console, the
    executor, and the results kept however the run ends."""

    def __init__(
        self,
        options: RunOptions,
        extra: Mapping[str, Any],
        mask: Mask,
        stop: Stop,
        driver_factory: DriverFactory,
    ) -> None:
        self.options = options
        self.extra = extra
        self.mask = mask
        self.stop = stop
        self.factory = driver_factory

    def execute(
        self,
        plan: Plan,
        *,
        quiet: bool,
        silent: bool = False,
        keep: Callable[[RunResult, Sequence[NotRun]], None] | None = None,
    ) -> RunResult:
        """Run the plan; `keep` receives what was collected, and what was not run, even
        when the run fails."""
        options = self.options
        report = console_reporter(
            self.mask,
            quiet=quiet,
            verbose=options.verbose,
            progress=not options.no_progress,
            silent=silent,
        )
        choice = choose(options.executor, plan, usable_cores())
        if choice.spec.kind != "threads" and not silent:
            print(f"executor: {choice.spec} ({choice.why})")
        with report, lab_for(plan, self.factory, options.lab) as (moved, factory):
            executor = Executor(
                moved,
                replace(self._settings(), executor=choice.spec),
                driver_factory=factory,
                events=report,
                mask=self.mask,
                stop=self.stop,
            )
            try:
                result = executor.run()
            except (NetplayError, OSError):
                raise
            except Exception as exc:  # a bug: one line for the user, the results kept
                raise InternalError.of(exc, self.mask) from exc
            finally:
                if keep is not None:
                    with self.stop.shielded():
                        keep(executor.result(), executor.not_run())
            report.recap(result)
        if result.interrupted:
            line = interrupted_line(executor.not_run())
            print(line, file=sys.stderr if silent else sys.stdout)
        return result

    def _settings(self) -> RunSettings:
        options = self.options
        connection = ConnectionSettings(
            connect_timeout=options.connect_timeout,
            command_timeout=options.command_timeout,
            # The lab makes a new host key at every start: remembering it would only
            # produce false "host key changed" errors on the next run.
            host_key_policy="off" if options.lab else options.host_key_policy,
            known_hosts=options.known_hosts,
            session_log_dir=options.session_logs,
            mask=self.mask,
        )
        return RunSettings(
            forks=options.forks,
            extra_vars=self.extra,
            connection=connection,
            check=options.check,
            diff=options.diff,
            output_dir=options.output_dir,
            host_timeout=options.host_timeout,
            connect_rate=options.connect_rate,
            journal=options.journal,
        )


def usable_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than
    the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def interrupted_line(not_run: Sequence[NotRun]) -> str:
    """`interrupted: not run: 'Clock 3' on 12 hosts; 'Clock 4' … 'Clock 30' (27 steps)
    on 20 hosts` — consecutive steps left on the same number of hosts are grouped."""
    if not not_run:
        return "interrupted: every step had finished"
    groups: list[list[tuple[str, int]]] = []
    for missing in not_run:
        count = len(missing.hosts)
        if groups and groups[-1][-1][1] == count:
            groups[-1].append((missing.step, count))
        else:
            groups.append([(missing.step, count)])
    parts = [_group_text(group) for group in groups[:_NOT_RUN_SHOWN]]
    rest = sum(len(group) for group in groups[_NOT_RUN_SHOWN:])
    if rest:
        parts.append(f"and {rest} more step{'s' * (rest > 1)}")
    return "interrupted: not run: " + "; ".join(parts)


def _group_text(group: Sequence[tuple[str, int]]) -> str:
    count = group[0][1]
    on = f"on {count} host{'s' * (count > 1)}"
    if len(group) == 1:
        return f"{group[0][0]!r} {on}"
    return f"{group[0][0]!r} … {group[-1][0]!r} ({len(group)} steps) {on}"


def ask_password() -> str:
    """`--ask-pass`: the SSH password, typed once."""
    try:
        return getpass.getpass("SSH password: ")
    except EOFError:
        raise UsageError("--ask-pass: no password was typed (the input is closed)") from None


def with_password(inventory: Inventory, password: str) -> Inventory:
    """`--ask-pass`: the typed password for every host the inventory gives none."""
    hosts = tuple(h if h.password else replace(h, password=password) for h in inventory.hosts)
    return replace(inventory, hosts=hosts)


def lab_specs(hosts: Sequence[Host]) -> list[Any]:
    """Simulated devices for these hosts, with their credentials and `lab:` knobs, and a
    simulated bastion (`lab: {bastion: true}`) for each jump host they go through."""
    from engine.lab import DeviceSpec, LabKnobs

    jumps = {h.jump.name: h.jump for h in hosts if h.jump is not None}
    names = {h.name for h in hosts}
    bastions = [
        Host(j.name, j.address, j.port, username=j.username, password=j.password, lab=j.lab)
        for j in jumps.values()
        if j.name not in names
    ]
    return [
        DeviceSpec(
            name=h.name,
            username=h.username or "",
            password=h.password or "",
            secret=h.secret,
            address=h.address,
            knobs=LabKnobs.from_mapping({**h.lab, "bastion": True} if h.name in jumps else h.lab),
            platform=h.platform,
        )
        for h in (*hosts, *bastions)
    ]


@contextmanager
def lab_for(
    plan: Plan, factory: DriverFactory, enabled: bool
) -> Iterator[tuple[Plan, DriverFactory]]:
    """With `--lab`, serve the plan's hosts as simulated devices and point the plan at them.

    The inventory's own addresses are never contacted: each host is reached at its lab
    endpoint on 127.0.0.0/8, without the options that would send it elsewhere (a warning
    names them), and the driver factory refuses anything off loopback.
    """
    if not enabled:
        yield plan, factory
        return
    from engine.drivers.loopback import ignored_warning, lab_host, loopback_only
    from engine.lab import Lab

    served = plan.hosts
    with Lab(lab_specs(served)) as lab:
        moved: dict[str, Host] = {}
        dropped: dict[str, tuple[str, ...]] = {}
        for host in served:
            bastion = lab.endpoint(host.jump.name) if host.jump is not None else None
            moved[host.name], dropped[host.name] = lab_host(host, *lab.endpoint(host.name), bastion)
        warning = ignored_warning(dropped)
        if warning:
            print(warning, file=sys.stderr)
        hosts = tuple(moved.get(h.name, h) for h in plan.inventory.hosts)
        yield plan.relocated(replace(plan.inventory, hosts=hosts)), loopback_only(factory)
