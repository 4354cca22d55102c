"""The step language on replayed devices: loops, retries, conditions, set, assert, check mode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.drivers import ConnectionSettings
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import Location
from engine.executor import Executor, RunSettings
from engine.inventory import Host, Inventory
from engine.model import Parse, Play, Playbook, Step
from engine.plan import Selection, build_plan, choose_strategy
from engine.results import RunResult, Status, StepResult

HERE = Location("test.yml")
HOSTS = Inventory("inv.yml", (Host("R1", "a"), Host("R2", "b")), {"routers": ("R1", "R2")})


def step(name: str, action: str = "send", *commands: str, **keys: Any) -> Step:
    if action in ("send", "config") and not commands:
        commands = (name,)
    return Step(name=name, action=action, commands=commands, location=HERE, **keys)  # type: ignore[arg-type]


class Devices:
    def __init__(self, scripts: Mapping[str, Script] | None = None) -> None:
        self.scripts = scripts or {}
        self.drivers: dict[str, ReplayDriver] = {}

    def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
        self.drivers[host.name] = ReplayDriver(
            host, settings, self.scripts.get(host.name, Script())
        )
        return self.drivers[host.name]


def run(
    *steps: Step, devices: Devices | None = None, strategy: str | None = None, **settings: Any
) -> RunResult:
    play = Play("p", ("all",), steps, HERE, strategy=strategy)  # type: ignore[arg-type]
    plan = build_plan(Playbook("test.yml", (play,)), HOSTS, Selection(**selection(settings)))
    return Executor(plan, RunSettings(**settings), driver_factory=devices or Devices()).run()


def selection(settings: dict[str, Any]) -> dict[str, Any]:
    """Take the host and step selection out of a test's keyword arguments."""
    names = Selection.__dataclass_fields__
    return {name: settings.pop(name) for name in list(settings) if name in names}


def results(run_result: RunResult, index: int = 0) -> tuple[StepResult, ...]:
    return run_result.steps[index].results


def test_a_loop_sends_once_per_item_and_registers_one_result_per_item() -> None:
    devices = Devices()
    out = run(
        step("ping", "send", "ping {{ item }}", loop=["10.0.0.1", "10.0.0.2"], register="pings"),
        devices=devices,
    )
    assert devices.drivers["R1"].sent == ["ping 10.0.0.1", "ping 10.0.0.2"]
    first = results(out)[0]
    assert [i.item for i in first.items or ()] == ["10.0.0.1", "10.0.0.2"]
    assert [r["item"] for r in first.to_vars()["results"]] == ["10.0.0.1", "10.0.0.2"]


def test_loop_var_renames_the_item_and_a_loop_may_be_an_expression() -> None:
    devices = Devices()
    run(
        step("set", "set", loop=None, values={"vlans": [10, 20]}),
        step("v", "send", "show vlan id {{ vlan }}", loop="vlans", loop_var="vlan"),
        devices=devices,
    )
    assert devices.drivers["R2"].sent == ["show vlan id 10", "show vlan id 20"]


def test_until_repeats_the_step_until_the_condition_holds() -> None:
    devices = Devices(
        {"R1": Script({"show clock": "*10:00"}), "R2": Script({"show clock": "*10:00"})}
    )
    out = run(
        step("show clock", until="'11:' in result.output", retries=3, delay=0.0), devices=devices
    )
    r1 = results(out)[0]
    assert r1.status is Status.FAILED and r1.attempts == 3 and r1.kind == "until"
    assert devices.drivers["R1"].sent == ["show clock"] * 3


def test_failed_when_and_changed_when_judge_the_result() -> None:
    devices = Devices(
        {"R1": Script({"show log": "%LINK-3-UPDOWN"}), "R2": Script({"show log": ""})}
    )
    out = run(
        step("show log", failed_when=("'UPDOWN' in result.output",), changed_when=(True,)),
        devices=devices,
    )
    r1, r2 = results(out)
    assert (r1.status, r1.kind, r1.changed) == (Status.FAILED, "failed_when", True)
    assert (r2.status, r2.changed) == (Status.OK, True)


def test_ignore_errors_keeps_the_host_going_and_the_run_green() -> None:
    bad = "% Invalid input detected at '^' marker."
    devices = Devices({"R1": Script({"show foo": bad})})
    out = run(step("show foo", ignore_errors=True), step("show clock"), devices=devices)
    assert results(out)[0].ignored
    assert [r.host for r in results(out, 1)] == ["R1", "R2"]
    assert out.exit_code() == 0 and out.recap()["R1"].ignored == 1


def test_run_once_runs_on_the_first_host_and_registers_for_all() -> None:
    devices = Devices({"R1": Script({"show clock": "noon"})})
    out = run(
        step("show clock", run_once=True, register="clock"),
        step("echo", "send", "echo {{ clock.output }}"),
        devices=devices,
    )
    assert [r.host for r in results(out)] == ["R1"]
    assert devices.drivers["R2"].sent == ["echo noon"]


def test_step_hosts_narrow_the_plays_hosts() -> None:
    out = run(step("a", hosts=("R2",)), step("b"))
    assert [r.host for r in results(out)] == ["R2"]
    assert [r.host for r in results(out, 1)] == ["R1", "R2"]


def test_set_computes_per_host_variables_for_later_steps() -> None:
    devices = Devices()
    run(
        step("s", "set", values={"mgmt": "{{ inventory_hostname | lower }}-mgmt"}),
        step("t", "send", "show run | include {{ mgmt }}"),
        devices=devices,
    )
    assert devices.drivers["R1"].sent == ["show run | include r1-mgmt"]


def test_assert_fails_hosts_with_the_message_and_passes_the_others() -> None:
    out = run(
        step(
            "a",
            "assert",
            values={
                "that": ("inventory_hostname == 'R1'",),
                "fail_msg": "{{ inventory_hostname }} is not R1",
                "success_msg": "fine",
            },
        )
    )
    r1, r2 = results(out)
    assert (r1.status, r1.message) == (Status.OK, "fine")
    assert (r2.status, r2.error, r2.kind) == (Status.FAILED, "R2 is not R1", "assert")


def test_check_mode_sends_no_configuration_but_runs_show_commands() -> None:
    devices = Devices()
    out = run(step("show ver"), step("cfg", "config", "hostname X"), devices=devices, check=True)
    assert devices.drivers["R1"].sent == ["show ver"]
    cfg = results(out, 1)[0]
    assert cfg.changed and cfg.commands == ("hostname X",) and cfg.outputs == ()


def test_diff_in_check_mode_lists_the_lines_that_would_be_added() -> None:
    devices = Devices({"R1": Script({"show running-config": "hostname R1\nntp server 1.1.1.1"})})
    out = run(
        step("cfg", "config", "ntp server 1.1.1.1", "ntp server 2.2.2.2"),
        devices=devices,
        check=True,
        diff=True,
    )
    assert results(out)[0].diff == "+ntp server 2.2.2.2"


def test_tags_and_skip_tags_choose_steps() -> None:
    a, b = step("a", tags=frozenset({"show"})), step("b", tags=frozenset({"change"}))
    assert [r.step for r in run(a, b, tags=frozenset({"show"})).steps] == ["a"]
    assert [r.step for r in run(a, b, skip_tags=frozenset({"show"})).steps] == ["b"]


def test_start_at_step_skips_the_steps_before_it() -> None:
    assert [r.step for r in run(step("a"), step("b"), step("c"), start_at="b").steps] == ["b", "c"]


def test_plays_without_cross_host_reads_are_pipelined() -> None:
    plain = Play("p", ("all",), (step("a"), step("b")), HERE)
    cross = Play("p", ("all",), (step("a"), step("b", "send", "{{ hostvars['R1'] }}")), HERE)
    assert choose_strategy(plain) == "pipeline"
    assert choose_strategy(cross) == "lockstep"
    assert choose_strategy(Play("p", ("all",), (step("a", run_once=True),), HERE)) == "lockstep"


def test_pipeline_and_lockstep_give_the_same_results() -> None:
    steps = (step("a", register="x"), step("b", "send", "echo {{ x.status }}"))
    fast, slow = run(*steps, strategy="pipeline"), run(*steps, strategy="lockstep")
    assert [(r.step, [x.commands for x in r.results]) for r in fast.steps] == [
        (r.step, [x.commands for x in r.results]) for r in slow.steps
    ]
    assert fast.mode == {"p": "pipeline"}


def test_a_parse_failure_fails_the_step_and_never_falls_back_to_text() -> None:
    devices = Devices({"R1": Script({"show nothing-known": "text"})})
    out = run(step("show nothing-known", parse=Parse("textfsm")), devices=devices)
    r1 = results(out)[0]
    assert r1.status is Status.FAILED and r1.kind == "parse" and r1.parsed is None


def test_a_config_template_whose_value_is_a_list_sends_one_line_per_item() -> None:
    devices = Devices()
    lines = ["ntp server 192.0.2.1", "ntp server 192.0.2.2"]
    out = run(step("ntp", "config", "{{ ntp_lines }}", vars={"ntp_lines": lines}), devices=devices)
    assert devices.drivers["R1"].sent == lines
    assert results(out)[0].commands == tuple(lines)


def test_a_multi_line_config_text_is_sent_line_by_line_without_blank_lines() -> None:
    devices = Devices()
    text = "interface Loopback9\n description lab\n\nntp server 192.0.2.1\n"
    run(step("block", "config", text), devices=devices)
    assert devices.drivers["R1"].sent == [
        "interface Loopback9",
        " description lab",
        "ntp server 192.0.2.1",
    ]


def test_a_send_template_whose_value_is_a_list_sends_each_command() -> None:
    devices = Devices()
    run(
        step("shows", "send", "{{ shows }}", vars={"shows": ["show clock", "show arp"]}),
        devices=devices,
    )
    assert devices.drivers["R2"].sent == ["show clock", "show arp"]
