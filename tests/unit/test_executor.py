"""The executor over replayed devices: ordering, registering, conditions and failures."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from engine.drivers import ConnectionSettings, Reply
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import AuthenticationFailed, Location, Unreachable
from engine.executor import Executor, NotRun, RunSettings
from engine.inventory import Host, Inventory
from engine.model import Play, Playbook, Step
from engine.plan import Selection, build_plan
from engine.results import HIDDEN, RunResult, Status, write_json_atomic
from engine.runner import Stop
from engine.secrets import Mask

HERE = Location("test.yml")
HOSTS = ("R1", "R2", "R3")


def inventory(*names: str) -> Inventory:
    hosts = tuple(
        Host(name=n, address=f"10.0.0.{i}", vars={"site": f"s{i}"}) for i, n in enumerate(names, 1)
    )
    return Inventory("inv.yml", hosts, {"routers": tuple(names)})


def step(name: str, action: str = "send", *commands: str, **keys: object) -> Step:
    return Step(name=name, action=action, commands=commands or (name,), location=HERE, **keys)  # type: ignore[arg-type]


def playbook(
    *steps: Step,
    hosts: str = "all",
    vars: Mapping[str, object] | None = None,
    strategy: str | None = None,
) -> Playbook:
    play = Play("p", (hosts,), steps, HERE, vars=vars or {}, strategy=strategy)  # type: ignore[arg-type]
    return Playbook("test.yml", (play,))


class Lab:
    """Replay drivers per host, remembered so tests can inspect what was sent."""

    def __init__(self, scripts: Mapping[str, Script]) -> None:
        self.scripts = scripts
        self.drivers: dict[str, ReplayDriver] = {}

    def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
        driver = ReplayDriver(host, settings, self.scripts.get(host.name, Script()))
        self.drivers[host.name] = driver
        return driver


def run(book: Playbook, inv: Inventory, lab: Lab, *, limit: str | None = None, **settings: Any):  # type: ignore[no-untyped-def]
    plan = build_plan(book, inv, Selection(limit=limit))
    return Executor(plan, RunSettings(**settings), driver_factory=lab).run()


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


class Timeline(Lab):
    """Replay drivers whose commands and closes go on one shared timeline."""

    def __init__(self) -> None:
        super().__init__({})
        self.events: list[tuple[str, str]] = []

    def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
        driver = super().__call__(host, settings)
        send, close = driver.send, driver.close

        def logged_send(command: str, **options: Any) -> Reply:
            self.events.append((host.name, command))
            return send(command, **options)

        def logged_close() -> None:
            self.events.append((host.name, "closed"))
            close()

        driver.send, driver.close = logged_send, logged_close  # type: ignore[method-assign]
        return driver


@pytest.mark.parametrize("strategy", ["pipeline", "lockstep"])
def test_a_host_no_later_play_has_is_let_go_before_the_others_go_on(strategy: str) -> None:
    first = Play("both", ("all",), (step("a"),), HERE, strategy=strategy)  # type: ignore[arg-type]
    second = Play("R1 only", ("R1",), (step("b"),), HERE)
    lab = Timeline()
    run(Playbook("test.yml", (first, second)), inventory("R1", "R2"), lab)
    assert lab.events.index(("R2", "closed")) < lab.events.index(("R1", "b"))
    assert lab.events[-1] == ("R1", "closed")
    assert {n: (d.opened, d.closed) for n, d in lab.drivers.items()} == {"R1": (1, 1), "R2": (1, 1)}


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


# --- a template that fails for one host fails that host only -----------------------------


@pytest.mark.parametrize("strategy", ["lockstep", "pipeline"])
def test_a_play_vars_template_failing_on_one_host_fails_that_host_and_the_others_go_on(
    strategy: str,
) -> None:
    book = playbook(
        step("first", "send", "show {{ v }}"),
        step("second"),
        vars={"v": "{{ only_r1 }}"},
        strategy=strategy,
    )
    hosts = (Host("R1", "a", vars={"only_r1": "clock"}), Host("R2", "b"))
    lab = Lab({})
    result = run(book, Inventory("inv", hosts, {}), lab)
    r1, r2 = result.steps[0].results
    assert r1.status is Status.OK and lab.drivers["R1"].sent == ["show clock", "second"]
    assert (r2.status, r2.kind) == (Status.FAILED, "template")
    assert (r2.error or "").startswith("test.yml: vars.v: undefined variable")
    assert [r.host for r in result.steps[1].results] == ["R1"]


@pytest.mark.parametrize("strategy", ["lockstep", "pipeline"])
def test_a_step_vars_template_failing_on_one_host_fails_that_host_with_the_steps_place(
    strategy: str,
) -> None:
    book = playbook(
        step("x", "send", "show {{ v }}", vars={"v": "{{ only_r2 }}"}, ignore_errors=True),
        strategy=strategy,
    )
    hosts = (Host("R1", "a"), Host("R2", "b", vars={"only_r2": "ver"}))
    result = run(book, Inventory("inv", hosts, {}), Lab({}))
    r1, r2 = result.steps[0].results
    assert (r1.status, r1.kind, r1.ignored) == (Status.FAILED, "template", True)
    assert (r1.error or "").startswith("test.yml: vars.v: undefined variable")
    assert r2.status is Status.OK and r2.commands == ("show ver",)


# --- what a run keeps is plain data ---------------------------------------------------------


def test_setting_hostvars_keeps_plain_data_that_later_steps_and_the_results_file_can_use(
    tmp_path: Path,
) -> None:
    book = playbook(
        step("all vars", "set", values={"hv": "{{ hostvars }}"}),
        step("again", "set", values={"hv2": "{{ hostvars }}"}),
        step("peer", "send", "echo {{ hv2['R2'].hv['R1'].inventory_hostname }}"),
    )
    lab = Lab({})
    result = run(book, inventory("R1", "R2"), lab)
    assert result.exit_code() == 0
    assert lab.drivers["R1"].sent == ["echo R1"]
    facts = result.steps[0].results[0].facts
    assert facts["hv"]["R2"]["site"] == "s2"
    write_json_atomic(tmp_path / "r.json", result.to_json(), Mask())
    assert json.loads((tmp_path / "r.json").read_text())["steps"][1]["results"][0]["facts"]


def test_a_set_value_that_is_not_data_fails_that_host_as_a_template_error() -> None:
    book = playbook(step("bad", "set", values={"f": "{{ range }}"}))
    [r1] = run(book, inventory("R1"), Lab({})).steps[0].results
    assert (r1.status, r1.kind) == (Status.FAILED, "template")
    assert "must be data" in (r1.error or "")


# --- the host's budget (--host-timeout) -------------------------------------------------------


class Timed(Lab):
    """Replayed devices that remember the timeout each command was sent with."""

    def __init__(self, scripts: Mapping[str, Script]) -> None:
        super().__init__(scripts)
        self.timeouts: list[float | None] = []

    def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
        driver = super().__call__(host, settings)
        send = driver.send

        def sending(command: str, *, timeout: float | None = None, **kwargs: Any) -> Reply:
            self.timeouts.append(timeout)
            return send(command, timeout=timeout, **kwargs)

        driver.send = sending  # type: ignore[method-assign]
        return driver


def test_the_host_budget_bounds_the_waits_and_retries_of_an_until_step() -> None:
    until = step("poll", until="false", retries=3, delay=2.0)
    lab = Timed({})
    result = run(playbook(until, step("after")), inventory("R1"), lab, host_timeout=1.0)
    [r1] = result.steps[0].results
    assert (r1.status, r1.kind, r1.attempts) == (Status.FAILED, "timeout", 1)
    assert r1.error == "host budget (--host-timeout) used up"
    assert lab.drivers["R1"].sent == ["poll"]  # no second try, and the host sits out


def test_a_step_timeout_never_outlasts_the_host_budget() -> None:
    lab = Timed({})
    run(playbook(step("slow", timeout=120.0)), inventory("R1"), lab, host_timeout=5.0)
    [timeout] = lab.timeouts
    assert timeout is not None and 0 < timeout <= 5.0


# --- interrupts: nothing new starts, what ran is kept and journaled ---------------------------


class Interrupting(Lab):
    """Replayed devices where Ctrl-C comes while `host` runs `command`."""

    def __init__(self, stop: Stop, host: str, command: str, **scripts: Script) -> None:
        super().__init__(scripts)
        self.stop, self.host, self.command = stop, host, command

    def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
        driver = super().__call__(host, settings)
        send = driver.send

        def sending(command: str, **kwargs: Any) -> Reply:
            if (host.name, command) == (self.host, self.command):
                self.stop.set()
            return send(command, **kwargs)

        driver.send = sending  # type: ignore[method-assign]
        return driver


def stopped_run(
    book: Playbook, lab: Interrupting, journal: Path, *, forks: int = 1, grace: float = 3.0
) -> tuple[Executor, RunResult]:
    plan = build_plan(book, inventory("R1", "R2", "R3"))
    settings = RunSettings(forks=forks, journal=journal, grace=grace)
    executor = Executor(plan, settings, driver_factory=lab, stop=lab.stop)
    return executor, executor.run()


def pairs(result: RunResult) -> list[tuple[str, str]]:
    return sorted((r.step, r.host) for record in result.steps for r in record.results)


def journaled(journal: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in journal.read_text().splitlines()]
    return sorted((row["step"], row["host"]) for row in rows)


def test_interrupting_lockstep_mid_step_keeps_every_journaled_result_and_starts_nothing_new(
    tmp_path: Path,
) -> None:
    lab = Interrupting(Stop(), "R2", "s1")
    book = playbook(step("s1"), step("s2"), strategy="lockstep")
    executor, result = stopped_run(book, lab, tmp_path / "run.jsonl")
    assert result.interrupted and result.exit_code() == 99
    assert pairs(result) == journaled(tmp_path / "run.jsonl") == [("s1", "R1"), ("s1", "R2")]
    assert "R3" not in lab.drivers  # never even connected
    assert executor.not_run() == [NotRun("p", "s1", ("R3",)), NotRun("p", "s2", HOSTS)]


def test_interrupting_a_pipeline_mid_play_stops_every_host_from_starting_its_next_step(
    tmp_path: Path,
) -> None:
    lab = Interrupting(Stop(), "R1", "s2")
    book = playbook(step("s1"), step("s2"), step("s3"), strategy="pipeline")
    executor, result = stopped_run(book, lab, tmp_path / "run.jsonl")
    assert pairs(result) == journaled(tmp_path / "run.jsonl") == [("s1", "R1"), ("s2", "R1")]
    assert lab.drivers["R1"].sent == ["s1", "s2"]
    assert set(lab.drivers) == {"R1"}
    assert executor.not_run()[0] == NotRun("p", "s1", ("R2", "R3"))


def test_a_step_stopped_between_its_commands_keeps_what_was_sent_and_says_so(
    tmp_path: Path,
) -> None:
    lab = Interrupting(Stop(), "R1", "c1", R1=Script({"c1": "one"}))
    book = playbook(step("two", "send", "c1", "c2"), hosts="R1")
    _, result = stopped_run(book, lab, tmp_path / "run.jsonl")
    [r1] = result.steps[0].results
    assert (r1.status, r1.kind, r1.outputs) == (Status.FAILED, "interrupted", ("one",))
    assert r1.error == "interrupted before sending 'c2'"
    assert lab.drivers["R1"].sent == ["c1"]


class Holding(Interrupting):
    """Like Interrupting, and `held` (host, command) is sent, then gets no answer until
    `release`; the other hosts send nothing before it is in flight."""

    def __init__(self, stop: Stop, at: tuple[str, str], held: tuple[str, str]) -> None:
        super().__init__(stop, *at)
        self.held, self.inside, self.release = held, threading.Event(), threading.Event()

    def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
        driver = super().__call__(host, settings)
        send = driver.send

        def sending(command: str, **kwargs: Any) -> Reply:
            if (host.name, command) == self.held:
                self.inside.set()
                assert self.release.wait(10)
            elif host.name != self.held[0]:
                assert self.inside.wait(10)
            return send(command, **kwargs)

        driver.send = sending  # type: ignore[method-assign]
        return driver


def test_a_command_still_running_after_the_grace_period_is_reported_and_its_answer_never_kept(
    tmp_path: Path,
) -> None:
    lab = Holding(Stop(), at=("R1", "s1"), held=("R2", "s1"))  # Ctrl-C once R2's s1 is sent
    book = playbook(step("s1"), step("s2"), hosts="R1,R2", strategy="pipeline")
    _, result = stopped_run(book, lab, tmp_path / "run.jsonl", forks=2, grace=0.05)
    lab.release.set()
    for worker in [t for t in threading.enumerate() if t.name.startswith("netplay")]:
        worker.join(10)  # R2's late answer arrives after the run's results are final
    assert pairs(result) == journaled(tmp_path / "run.jsonl") == [("s1", "R1"), ("s1", "R2")]
    r2 = result.steps[0].results[1]
    assert (r2.status, r2.kind, r2.commands, r2.outputs) == (
        Status.FAILED,
        "interrupted",
        ("s1",),
        (),
    )
    assert r2.error == "interrupted before the step finished; last sent: 's1'"


def test_a_config_step_cut_short_by_the_stop_is_reported_with_its_lines_not_as_not_run(
    tmp_path: Path,
) -> None:
    lines = ("interface Lo5", "description x")  # R2's lines are sent; no answer comes
    lab = Holding(Stop(), at=("R1", "interface Lo5"), held=("R2", "description x"))
    book = playbook(step("c1", "config", *lines), step("s2"), hosts="R1,R2", strategy="lockstep")
    executor, result = stopped_run(book, lab, tmp_path / "run.jsonl", forks=2, grace=0.05)
    lab.release.set()
    assert pairs(result) == journaled(tmp_path / "run.jsonl") == [("c1", "R1"), ("c1", "R2")]
    r2 = result.steps[0].results[1]
    assert (r2.status, r2.kind, r2.commands) == (Status.FAILED, "interrupted", lines)
    assert r2.error == (
        "interrupted before the step finished; the configuration it sent may have been applied"
    )
    assert executor.not_run() == [NotRun("p", "s2", ("R1",))]


def test_a_second_interrupt_leaves_at_once_and_keeps_what_was_collected(
    tmp_path: Path, interrupts: Callable[[Stop], Callable[[], None]]
) -> None:
    stop, inside, release = Stop(), threading.Event(), threading.Event()
    interrupt = interrupts(stop)

    class Twice(Lab):
        def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
            driver = super().__call__(host, settings)
            send = driver.send

            def sending(command: str, **kwargs: Any) -> Reply:
                if (host.name, command) == ("R2", "s2"):
                    inside.set()
                    release.wait(10)  # well within the grace of 60 s
                elif (host.name, command) == ("R1", "s2"):
                    assert inside.wait(10)
                    interrupt()
                    interrupt()
                return send(command, **kwargs)

            driver.send = sending  # type: ignore[method-assign]
            return driver

    plan = build_plan(playbook(step("s1"), step("s2"), hosts="R1,R2"), inventory("R1", "R2"))
    settings = RunSettings(forks=2, journal=tmp_path / "run.jsonl", grace=60)
    executor = Executor(plan, settings, driver_factory=Twice({}), stop=stop)
    try:
        result = executor.run()
    finally:
        release.set()
    assert result.interrupted
    r2 = result.steps[1].results[-1]  # sent, then abandoned: not waited for
    assert (r2.host, r2.status, r2.kind) == ("R2", Status.FAILED, "interrupted")
    assert pairs(result) == journaled(tmp_path / "run.jsonl")


class Heard:
    """Events as the reporter hears them, with the thread each came from."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[str, str, Any, str]] = []

    def _note(self, name: str, step: str, value: Any) -> None:
        with self.lock:
            self.events.append((name, step, value, threading.current_thread().name))

    def play_started(self, play: Play, hosts: Any, strategy: str) -> None:
        self._note("play", "", strategy)

    def batch_started(self, play: Play, batch: Any) -> None:
        self._note("batch", "", batch.label)

    def step_started(self, play: Play, step: Step, hosts: Any) -> None:
        self._note("started", step.name, tuple(hosts))

    def host_finished(self, play: Play, step: Step, result: Any) -> None:
        self._note("host", step.name, result)

    def step_finished(self, play: Play, step: Step, record: Any) -> None:
        self._note("finished", step.name, record)

    def rollout_stopped(self, stop: Any, hosts: Any) -> None:
        self._note("stopped", "", tuple(hosts))


@pytest.mark.parametrize("strategy", ["pipeline", "lockstep"])
def test_the_reporter_hears_each_hosts_result_as_it_is_kept_with_when_it_started(
    strategy: str,
) -> None:
    scripts = {"R2": Script(fail_on_open=AuthenticationFailed("R2", "authentication failed"))}
    book = playbook(step("a"), step("b", no_log=True), strategy=strategy)
    heard = Heard()
    plan = build_plan(book, inventory(*HOSTS), Selection())
    result = Executor(plan, RunSettings(), driver_factory=Lab(scripts), events=heard).run()
    events = [(name, step, value) for name, step, value, _ in heard.events]
    started = {step: value for name, step, value in events if name == "started"}
    told = [(step, value.host) for name, step, value in events if name == "host"]
    assert started == {"a": HOSTS, "b": HOSTS if strategy == "pipeline" else ("R1", "R3")}
    assert sorted(told) == [("a", "R1"), ("a", "R2"), ("a", "R3"), ("b", "R1"), ("b", "R3")]
    for name in ("a", "b"):  # every host's result before the step's record
        last_host = max(i for i, e in enumerate(events) if e[0] == "host" and e[1] == name)
        assert last_host < next(i for i, e in enumerate(events) if e[:2] == ("finished", name))
    hidden = [value for name, step, value in events if name == "host" and step == "b"]
    assert {r.outputs for r in hidden} == {(HIDDEN,)}
    results = [r for record in result.steps for r in record.results]
    assert all(r.started is not None and 0 <= r.started <= result.elapsed for r in results)
    threads = {thread for name, _, _, thread in heard.events if name == "host"}
    if strategy == "pipeline":  # from the workers, as each host finishes its step
        assert all(thread.startswith("netplay") for thread in threads)
    else:
        assert threads == {threading.current_thread().name}


def test_results_json_says_when_each_host_began_each_step() -> None:
    result = run(playbook(step("a"), step("b")), inventory("R1"), Lab({}))
    steps = result.to_json()["steps"]
    first, second = (s["results"][0]["started"] for s in steps)
    assert 0 <= first <= second
