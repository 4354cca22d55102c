"""The executor over replayed devices: ordering, registering, conditions and failures."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from engine.drivers import ConnectionSettings
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import AuthenticationFailed, Location, Unreachable
from engine.executor import Executor, RunSettings
from engine.inventory import Host, Inventory
from engine.model import Play, Playbook, Step
from engine.results import HIDDEN, Status

HERE = Location("test.yml")


def inventory(*names: str) -> Inventory:
    hosts = tuple(
        Host(name=n, address=f"10.0.0.{i}", vars={"site": f"s{i}"}) for i, n in enumerate(names, 1)
    )
    return Inventory("inv.yml", hosts, {"routers": tuple(names)})


def step(name: str, action: str = "send", *commands: str, **keys: object) -> Step:
    return Step(name=name, action=action, commands=commands or (name,), location=HERE, **keys)  # type: ignore[arg-type]


def playbook(
    *steps: Step, hosts: str = "all", vars: Mapping[str, object] | None = None
) -> Playbook:
    return Playbook("test.yml", (Play("p", (hosts,), steps, HERE, vars=vars or {}),))


class Lab:
    """Replay drivers per host, remembered so tests can inspect what was sent."""

    def __init__(self, scripts: Mapping[str, Script]) -> None:
        self.scripts = scripts
        self.drivers: dict[str, ReplayDriver] = {}

    def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
        driver = ReplayDriver(host, settings, self.scripts.get(host.name, Script()))
        self.drivers[host.name] = driver
        return driver


def run(book: Playbook, inv: Inventory, lab: Lab, **settings: object):  # type: ignore[no-untyped-def]
    return Executor(book, inv, RunSettings(**settings), driver_factory=lab).run()  # type: ignore[arg-type]


def test_results_come_in_inventory_order_and_outputs_are_kept() -> None:
    scripts = {n: Script({"show clock": f"clock of {n}"}) for n in ("R1", "R2", "R3")}
    result = run(playbook(step("show clock")), inventory("R1", "R2", "R3"), Lab(scripts))
    [record] = result.steps
    assert [r.host for r in record.results] == ["R1", "R2", "R3"]
    assert [r.output for r in record.results] == ["clock of R1", "clock of R2", "clock of R3"]
    assert all(r.status is Status.OK for r in record.results)


def test_one_session_per_host_for_the_whole_run() -> None:
    lab = Lab({})
    run(playbook(step("a"), step("b"), step("c")), inventory("R1", "R2"), lab)
    assert {n: (d.opened, d.closed) for n, d in lab.drivers.items()} == {"R1": (1, 1), "R2": (1, 1)}
    assert lab.drivers["R1"].sent == ["a", "b", "c"]


def test_a_later_step_reads_another_hosts_registered_output() -> None:
    scripts = {"R1": Script({"show ver": "version 15.9"}), "R2": Script()}
    book = playbook(
        step("show ver", register="ver"),
        step("peer", "send", "echo {{ hostvars['R1'].ver.output }} on {{ inventory_hostname }}"),
    )
    lab = Lab(scripts)
    run(book, inventory("R1", "R2"), lab)
    assert lab.drivers["R2"].sent[-1] == "echo version 15.9 on R2"


def test_when_false_skips_the_host_and_registers_a_skipped_result() -> None:
    book = playbook(
        step("show ver", when=("inventory_hostname == 'R1'",), register="v"),
        step("after", "send", "{{ v.status }}"),
    )
    lab = Lab({})
    result = run(book, inventory("R1", "R2"), lab)
    assert [r.status for r in result.steps[0].results] == [Status.OK, Status.SKIPPED]
    assert lab.drivers["R2"].sent == ["skipped"]


def test_a_failed_host_skips_its_remaining_steps_and_others_go_on() -> None:
    scripts = {"R2": Script(fail_on_open=AuthenticationFailed("R2", "authentication failed"))}
    result = run(playbook(step("a"), step("b")), inventory("R1", "R2", "R3"), Lab(scripts))
    first, second = result.steps
    assert [r.status for r in first.results] == [Status.OK, Status.FAILED, Status.OK]
    assert [r.host for r in second.results] == ["R1", "R3"]
    assert result.exit_code() == 2
    assert result.recap()["R2"].failed == 1


def test_an_unreachable_host_makes_exit_code_3() -> None:
    scripts = {"R1": Script(fail_on_open=Unreachable("R1", "connection refused"))}
    result = run(playbook(step("a")), inventory("R1", "R2"), Lab(scripts))
    assert result.steps[0].results[0].status is Status.UNREACHABLE
    assert result.steps[0].results[0].error == "connection refused"
    assert result.exit_code() == 3


def test_device_error_text_fails_the_step_but_keeps_the_output() -> None:
    bad = "        ^\n% Invalid input detected at '^' marker."
    scripts = {"R1": Script({"sh foo": bad})}
    result = run(playbook(step("x", "send", "sh foo", "sh bar")), inventory("R1"), Lab(scripts))
    [res] = result.steps[0].results
    assert res.status is Status.FAILED
    assert res.error == "% Invalid input detected at '^' marker."
    assert res.outputs == (bad,) and res.commands == ("sh foo", "sh bar")


def test_an_undefined_variable_fails_only_that_host_with_the_step_location() -> None:
    book = playbook(step("x", "send", "{{ only_r1 }}"))
    hosts = (Host("R1", "a", vars={"only_r1": "ok"}), Host("R2", "b"))
    result = run(book, Inventory("inv", hosts, {}), Lab({}))
    r1, r2 = result.steps[0].results
    assert r1.status is Status.OK
    assert r2.status is Status.FAILED and "only_r1" in (r2.error or "")
    assert (r2.error or "").startswith("test.yml")


def test_extra_vars_beat_playbook_vars_which_beat_inventory_vars() -> None:
    book = playbook(step("x", "send", "{{ site }}"), vars={"site": "play"})
    lab = Lab({})
    run(book, inventory("R1"), lab)
    assert lab.drivers["R1"].sent == ["play"]
    run(book, inventory("R1"), lab, extra_vars={"site": "extra"})
    assert lab.drivers["R1"].sent == ["extra"]


def test_config_steps_are_changed_and_stop_at_the_first_refused_line() -> None:
    scripts = {"R1": Script({"bogus": "% Invalid input detected at '^' marker."})}
    book = playbook(step("cfg", "config", "hostname X", "bogus", "never sent"))
    lab = Lab(scripts)
    result = run(book, inventory("R1"), lab)
    [res] = result.steps[0].results
    assert res.changed and res.status is Status.FAILED
    assert lab.drivers["R1"].sent == ["hostname X", "bogus"]


@pytest.mark.parametrize("limit, expected", [("R2", ["R2"]), ("all,!R2", ["R1", "R3"])])
def test_limit_narrows_the_hosts(limit: str, expected: list[str]) -> None:
    result = run(playbook(step("a")), inventory("R1", "R2", "R3"), Lab({}), limit=limit)
    assert [r.host for r in result.steps[0].results] == expected


@pytest.mark.parametrize("strategy", ["pipeline", "lockstep"])
def test_a_no_log_step_is_hidden_in_records_and_journal_but_registered_whole(
    tmp_path: Path, strategy: str
) -> None:
    scripts = {"R1": Script({"show users": "bob Hunter-Pw-22"})}
    book = Playbook(
        "test.yml",
        (
            Play(
                "p",
                ("all",),
                (
                    step("show users", register="users", no_log=True),
                    step("echo", "send", "echo {{ users.output }}"),
                ),
                HERE,
                strategy=strategy,  # type: ignore[arg-type]
            ),
        ),
    )
    lab, journal = Lab(scripts), tmp_path / "run.jsonl"
    result = run(book, inventory("R1"), lab, journal=journal)
    hidden, echoed = result.steps
    assert hidden.results[0].outputs == (HIDDEN,) and hidden.results[0].commands == (HIDDEN,)
    assert hidden.results[0].status is Status.OK
    assert lab.drivers["R1"].sent[-1] == "echo bob Hunter-Pw-22"  # the variable is real
    lines = journal.read_text().splitlines()
    assert "Hunter-Pw-22" not in lines[0] and HIDDEN in lines[0]
    assert echoed.results[0].commands == ("echo bob Hunter-Pw-22",)  # not no_log
