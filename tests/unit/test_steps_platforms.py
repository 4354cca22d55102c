"""Steps on each platform (replayed devices): commits, dropped candidates, saves, ensure."""

from __future__ import annotations

from typing import Any

import pytest

from engine.drivers import ConnectionSettings
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import InputError, Location
from engine.executor import Executor, RunSettings
from engine.inventory import Host, Inventory
from engine.model import Play, Playbook, Step
from engine.plan import Selection, build_plan
from engine.results import RunResult, Status, StepResult

HERE = Location("test.yml")
BAD = "set system ntp servr 192.0.2.1"
COMPARED = "[edit system]\n+   ntp {\n+       server 192.0.2.1;\n+   }"
JUNOS = Script({BAD: "syntax error.", "commit": "commit complete", "show | compare": COMPARED})


def step(name: str, action: str, *commands: str, **keys: Any) -> Step:
    return Step(name=name, action=action, commands=commands, location=HERE, **keys)  # type: ignore[arg-type]


def run(host: Host, script: Script, *steps: Step) -> tuple[RunResult, ReplayDriver]:
    drivers: list[ReplayDriver] = []

    def factory(h: Host, settings: ConnectionSettings) -> ReplayDriver:
        drivers.append(ReplayDriver(h, settings, script))
        return drivers[-1]

    play = Play("p", ("all",), steps, HERE)
    plan = build_plan(Playbook("test.yml", (play,)), Inventory("i.yml", (host,), {}), Selection())
    return Executor(plan, RunSettings(), driver_factory=factory).run(), drivers[0]


def result(out: RunResult, index: int = 0) -> StepResult:
    return out.steps[index].results[0]


def test_a_junos_config_step_commits_once_at_the_end_and_saves_nothing() -> None:
    lines = ("set system ntp server 192.0.2.1", "set system host-name r9")
    out, device = run(
        Host("r1", "a", platform="juniper_junos"), JUNOS, step("c", "config", *lines, save=True)
    )
    assert result(out).status is Status.OK and result(out).changed
    assert device.sent == [
        "configure private",
        *lines,
        "top",
        "show | compare",
        "commit",
        "exit configuration-mode",
    ]
    assert len(result(out).outputs) == 1  # the config session; no save's answer after it


def test_a_rejected_junos_line_fails_the_step_naming_it_and_nothing_is_committed() -> None:
    lines = ("set system host-name r9", BAD, "set system domain-name x")
    out, device = run(Host("r1", "a", platform="juniper_junos"), JUNOS, step("c", "config", *lines))
    failed = result(out)
    assert failed.status is Status.FAILED and failed.kind == "rejected"
    assert failed.error == f"'{BAD}': syntax error.; nothing was committed"
    assert "commit" not in device.sent and "set system domain-name x" not in device.sent
    assert device.sent[-2:] == ["rollback 0", "exit configuration-mode"]
    assert not failed.changed


def test_nxos_saves_with_copy_running_config_startup_config() -> None:
    out, device = run(
        Host("n1", "a", platform="cisco_nxos"),
        Script(),
        step("c", "config", "feature lldp", save=True),
    )
    assert result(out).status is Status.OK
    assert device.sent == ["feature lldp", "copy running-config startup-config"]


def test_ensure_on_junos_reads_the_set_form_and_commits_the_missing_lines() -> None:
    running = "set system host-name r1\nset system ntp server 192.0.2.1"
    script = Script(
        {
            "show configuration | display set": running,
            "show | compare": COMPARED,
            "commit": "commit complete",
        }
    )
    wanted = ("set system ntp server 192.0.2.1", "set system ntp server 192.0.2.2")
    out, device = run(
        Host("r1", "a", platform="juniper_junos"), script, step("e", "ensure", *wanted)
    )
    assert result(out).status is Status.OK  # changed: see the lab test (a replay keeps no state)
    assert device.sent[0] == "show configuration | display set"
    assert device.sent[1:7] == [
        "configure private",
        "set system ntp server 192.0.2.2",
        "top",
        "show | compare",
        "commit",
        "exit configuration-mode",
    ]


def test_ensure_on_a_generic_platform_hier_config_cannot_read_is_refused_before_the_run() -> None:
    host = Host("box", "a", platform="linux", platform_generic=True)
    with pytest.raises(InputError, match="ensure: netplay cannot compare the configuration of box"):
        run(host, Script(), step("e", "ensure", "hostname x"))
