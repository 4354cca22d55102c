"""Rolling plays: batch sizes, the rules that stop a rollout, and runs over replayed devices."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from engine.drivers import ConnectionSettings, Reply
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import Location
from engine.executor import Executor, NotRun, RunSettings
from engine.inventory import Host, Inventory
from engine.model import BatchSize, Play, Playbook, Rollout, Step
from engine.plan import build_plan
from engine.results import BatchRecord, RunResult, Status
from engine.rollout import Batch, Halt, split, too_many_failed
from engine.runner import Stop
from engine.schema import load_schema

HERE = Location("test.yml")
REFUSED = "% Invalid input detected at '^' marker."
SIX = ("R1", "R2", "R3", "R4", "R5", "R6")


def inventory(*names: str) -> Inventory:
    hosts = tuple(Host(n, f"10.0.0.{i}") for i, n in enumerate(names, 1))
    return Inventory("inv.yml", hosts, {"routers": tuple(names)})


def step(name: str, **keys: Any) -> Step:
    return Step(name=name, action="send", commands=(name,), location=HERE, **keys)


def play(*steps: Step, name: str = "p", hosts: str = "all", **keys: Any) -> Play:
    strategy = keys.pop("strategy", None)
    return Play(name, (hosts,), steps, HERE, strategy=strategy, rollout=Rollout(**keys))


class Lab:
    """Replayed devices, remembered by host; `log` holds every (host, command) in the
    order the devices received them."""

    def __init__(self, scripts: Mapping[str, Script] | None = None) -> None:
        self.scripts = scripts or {}
        self.drivers: dict[str, ReplayDriver] = {}
        self.log: list[tuple[str, str]] = []

    def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
        driver = ReplayDriver(host, settings, self.scripts.get(host.name, Script()))
        send = driver.send

        def sending(command: str, **kwargs: Any) -> Reply:
            self.log.append((host.name, command))
            return send(command, **kwargs)

        driver.send = sending  # type: ignore[method-assign]
        self.drivers[host.name] = driver
        return driver


def failing(host: str, command: str) -> dict[str, Script]:
    return {host: Script({command: REFUSED})}


def run(
    plays: Sequence[Play], lab: Lab, names: Sequence[str] = SIX, **settings: Any
) -> tuple[Executor, RunResult]:
    plan = build_plan(Playbook("test.yml", tuple(plays)), inventory(*names))
    executor = Executor(plan, RunSettings(**settings), driver_factory=lab)
    return executor, executor.run()


def statuses(result: RunResult, step: int = 0) -> dict[str, tuple[Status, str | None]]:
    return {r.host: (r.status, r.kind) for r in result.steps[step].results}


# --- batch sizes --------------------------------------------------------------------------


def sizes(count: int, serial: Sequence[BatchSize]) -> list[int]:
    return [len(batch) for batch in split(list(range(count)), serial)]


def test_serial_two_splits_six_hosts_into_three_batches_in_inventory_order() -> None:
    assert split(SIX, (2,)) == (("R1", "R2"), ("R3", "R4"), ("R5", "R6"))


@pytest.mark.parametrize(
    ("count", "size", "expected"),
    [
        (6, "25%", [1, 1, 1, 1, 1, 1]),
        (5, "50%", [2, 2, 1]),
        (10, "1%", [1] * 10),
        (10, "33%", [3, 3, 3, 1]),
        (4, "100%", [4]),
        (3, 5, [3]),
    ],
)
def test_a_percentage_of_the_play_rounds_down_with_at_least_one_host(
    count: int, size: BatchSize, expected: list[int]
) -> None:
    assert sizes(count, (size,)) == expected


def test_a_list_of_sizes_repeats_its_last_size() -> None:
    assert sizes(20, (1, 5, "50%")) == [1, 5, 10, 4]


def test_without_serial_a_play_is_one_batch_and_a_play_without_hosts_has_none() -> None:
    assert sizes(4, ()) == [4]
    assert split([], (2,)) == ()


# --- the rules that stop a rollout --------------------------------------------------------


def batch(number: int, *names: str) -> Batch:
    return Batch(number, 3, tuple(Host(n, "a") for n in names))


@pytest.mark.parametrize(
    ("failed", "size", "limit", "stops"),
    [
        (1, 2, 0, True),
        (0, 2, 0, False),
        (1, 4, 25, False),  # exactly the limit: not more than it
        (2, 4, 25, True),
        (1, 2, 50, False),
        (2, 2, 99.5, True),
    ],
)
def test_max_fail_percentage_stops_after_a_batch_whose_failure_share_exceeds_it(
    failed: int, size: int, limit: float, stops: bool
) -> None:
    names = [f"R{i}" for i in range(1, size + 1)]
    rollout = Rollout(serial=(size,), max_fail_percentage=limit)
    stop = too_many_failed("p", rollout, batch(2, *names), names[:failed])
    assert (stop is not None) == stops


def test_the_reason_says_how_many_hosts_of_which_batch_failed_and_the_limit() -> None:
    rollout = Rollout(serial=(2,), max_fail_percentage=0)
    stop = too_many_failed("p", rollout, batch(2, "R3", "R4"), ["R4"])
    assert stop is not None and (stop.play, stop.batch) == ("p", 2)
    assert stop.reason == "rollout stopped: 1 of 2 hosts in batch 2 failed (max_fail_percentage 0)"
    whole = too_many_failed("p", Rollout(max_fail_percentage=10), batch(1, "R1", "R2"), ["R1"])
    assert whole is not None
    assert whole.reason == "rollout stopped: 1 of 2 hosts failed (max_fail_percentage 10)"


def test_without_max_fail_percentage_a_batch_never_stops_the_rollout() -> None:
    assert too_many_failed("p", Rollout(serial=(2,)), batch(1, "R1", "R2"), ["R1", "R2"]) is None


def test_the_first_stop_wins() -> None:
    halt = Halt()
    first = too_many_failed("p", Rollout(max_fail_percentage=0), batch(1, "R1"), ["R1"])
    halt.trip(None)
    assert not halt.is_set()
    halt.trip(first)
    halt.trip(too_many_failed("q", Rollout(max_fail_percentage=0), batch(2, "R2"), ["R2"]))
    assert halt.stop == first


# --- rolling runs -------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["lockstep", "pipeline"])
def test_each_batch_runs_the_whole_play_before_the_next_batch_starts(strategy: str) -> None:
    lab = Lab()
    _, result = run([play(step("s1"), step("s2"), serial=(2,), strategy=strategy)], lab)
    batches = [{h for h, _ in lab.log[i : i + 4]} for i in range(0, len(lab.log), 4)]
    assert batches == [{"R1", "R2"}, {"R3", "R4"}, {"R5", "R6"}]
    assert [(b.number, b.total, b.hosts, b.ran) for b in result.batches] == [
        (1, 3, ("R1", "R2"), True),
        (2, 3, ("R3", "R4"), True),
        (3, 3, ("R5", "R6"), True),
    ]
    assert result.exit_code() == 0 and result.stopped is None


@pytest.mark.parametrize("strategy", ["lockstep", "pipeline"])
def test_a_batch_with_too_many_failures_stops_the_rollout_and_skips_the_later_batches(
    strategy: str,
) -> None:
    book = play(step("s1"), step("s2"), serial=(2,), max_fail_percentage=0, strategy=strategy)
    lab = Lab(failing("R4", "s1"))
    executor, result = run([book], lab)
    reason = "rollout stopped: 1 of 2 hosts in batch 2 failed (max_fail_percentage 0)"
    skipped = (Status.SKIPPED, "stopped")
    assert statuses(result) == {
        "R1": (Status.OK, None),
        "R2": (Status.OK, None),
        "R3": (Status.OK, None),
        "R4": (Status.FAILED, "rejected"),
        "R5": skipped,
        "R6": skipped,
    }
    assert statuses(result, 1)["R5"] == statuses(result, 1)["R6"] == skipped
    assert {r.message for r in result.steps[1].results if r.host in ("R5", "R6")} == {reason}
    assert set(lab.drivers) == {"R1", "R2", "R3", "R4"}  # batch 3 was never contacted
    assert lab.drivers["R3"].sent == ["s1", "s2"]  # the rest of batch 2 finished its play
    assert result.stopped is not None and result.stopped.reason == reason
    assert result.batches[1:] == (
        BatchRecord("p", 2, 3, ("R3", "R4"), ("R4",)),
        BatchRecord("p", 3, 3, ("R5", "R6"), ran=False),
    )
    assert result.exit_code() == 2
    assert executor.not_run() == []  # every step has a result: nothing left to list


def test_a_failure_share_within_max_fail_percentage_lets_the_rollout_go_on() -> None:
    lab = Lab(failing("R4", "s1"))
    _, result = run([play(step("s1"), serial=(2,), max_fail_percentage=50)], lab)
    assert result.stopped is None
    assert set(lab.drivers) == set(SIX)
    assert [b.failed for b in result.batches] == [(), ("R4",), ()]


def test_a_host_failing_in_an_earlier_play_is_left_out_of_the_batches_of_later_ones() -> None:
    first = play(step("s1"), name="first")
    second = play(step("s2"), name="second", serial=(2,))
    _, result = run([first, second], Lab(failing("R2", "s1")), names=SIX[:4])
    assert [b.hosts for b in result.batches] == [("R1", "R3"), ("R4",)]


def test_run_once_runs_once_in_each_batch() -> None:
    lab = Lab()
    run([play(step("s1", run_once=True), serial=(2,))], lab, names=SIX[:4])
    assert [host for host, _ in lab.log] == ["R1", "R3"]


def test_a_later_batch_reads_what_an_earlier_batch_registered() -> None:
    reader = Step("peer", "send", ("echo {{ hostvars['R1'].ver.output }}",), HERE)
    lab = Lab({"R1": Script({"show ver": "15.9"})})
    run([play(step("show ver", register="ver"), reader, serial=(1,))], lab, names=SIX[:3])
    assert lab.drivers["R3"].sent[-1] == "echo 15.9"


def test_any_errors_fatal_in_lockstep_finishes_the_step_and_starts_no_other() -> None:
    book = play(step("s1"), step("s2"), any_errors_fatal=True, strategy="lockstep")
    lab = Lab(failing("R2", "s1"))
    _, result = run([book], lab, names=SIX[:3])
    assert [r.status for r in result.steps[0].results] == [Status.OK, Status.FAILED, Status.OK]
    assert statuses(result, 1) == {h: (Status.SKIPPED, "stopped") for h in ("R1", "R3")}
    assert lab.drivers["R1"].sent == lab.drivers["R3"].sent == ["s1"]
    assert result.stopped is not None
    assert result.stopped.reason == "rollout stopped: R2 failed 's1' (any_errors_fatal)"
    assert result.exit_code() == 2


def test_any_errors_fatal_in_a_pipeline_lets_steps_under_way_finish_and_starts_no_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tripped, under_way = threading.Event(), threading.Event()
    trip = Halt.trip

    def tripping(self: Halt, stop: Any) -> None:
        trip(self, stop)
        if self.is_set():
            tripped.set()

    monkeypatch.setattr(Halt, "trip", tripping)

    class Waiting(Lab):
        def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
            driver = super().__call__(host, settings)
            send = driver.send

            def sending(command: str, **kwargs: Any) -> Reply:
                if host.name == "R1":  # R1 fails while R2's first step is under way
                    assert under_way.wait(10)
                else:
                    under_way.set()
                    assert tripped.wait(10)
                return send(command, **kwargs)

            driver.send = sending  # type: ignore[method-assign]
            return driver

    book = play(step("s1"), step("s2"), any_errors_fatal=True, strategy="pipeline")
    lab = Waiting(failing("R1", "s1"))
    _, result = run([book], lab, names=SIX[:2], forks=2)
    assert statuses(result) == {"R1": (Status.FAILED, "rejected"), "R2": (Status.OK, None)}
    assert statuses(result, 1) == {"R2": (Status.SKIPPED, "stopped")}
    assert lab.drivers["R2"].sent == ["s1"]


def test_a_stopped_rollout_skips_its_later_batches_and_every_later_play() -> None:
    first = play(step("s1"), step("s2"), name="first", serial=(1,), any_errors_fatal=True)
    second = play(step("s3"), name="second", serial=(2,))
    lab = Lab(failing("R2", "s1"))
    _, result = run([first, second], lab, names=SIX[:3])
    assert set(lab.drivers) == {"R1", "R2"}
    by_step = {record.step: statuses(result, i) for i, record in enumerate(result.steps)}
    stopped = (Status.SKIPPED, "stopped")
    assert by_step["s2"] == {"R1": (Status.OK, None), "R3": stopped}
    assert by_step["s3"] == {"R1": stopped, "R3": stopped}  # R2 failed: it is out
    assert result.stopped is not None
    assert result.stopped.reason == "rollout stopped: R2 failed 's1' in batch 2 (any_errors_fatal)"
    assert [(b.play, b.number, b.hosts, b.ran) for b in result.batches] == [
        ("first", 1, ("R1",), True),
        ("first", 2, ("R2",), True),
        ("first", 3, ("R3",), False),
        ("second", 1, ("R1", "R3"), False),
    ]


def test_ctrl_c_during_a_rollout_lists_the_later_batches_as_not_run_and_skips_nothing() -> None:
    stop = Stop()

    class Interrupting(Lab):
        def __call__(self, host: Host, settings: ConnectionSettings) -> ReplayDriver:
            driver = super().__call__(host, settings)
            send = driver.send

            def sending(command: str, **kwargs: Any) -> Reply:
                if host.name == "R2":
                    stop.set()
                return send(command, **kwargs)

            driver.send = sending  # type: ignore[method-assign]
            return driver

    book = play(step("s1"), step("s2"), serial=(2,), max_fail_percentage=0, strategy="lockstep")
    plan = build_plan(Playbook("test.yml", (book,)), inventory(*SIX[:4]))
    executor = Executor(plan, RunSettings(forks=1), driver_factory=Interrupting(), stop=stop)
    result = executor.run()
    assert result.interrupted and result.stopped is None
    assert all(r.kind != "stopped" for record in result.steps for r in record.results)
    assert executor.not_run() == [
        NotRun("p", "s1", ("R3", "R4")),
        NotRun("p", "s2", ("R1", "R2", "R3", "R4")),
    ]


def test_the_results_of_a_stopped_rollout_match_the_results_schema(tmp_path: Path) -> None:
    book = play(step("s1"), serial=("50%",), max_fail_percentage=0)
    _, result = run([book], Lab(failing("R1", "s1")), names=SIX[:4])
    data = result.to_json()
    jsonschema.validate(data, load_schema("results"))
    assert data["stopped"] == {
        "play": "p",
        "batch": 1,
        "reason": "rollout stopped: 1 of 2 hosts in batch 1 failed (max_fail_percentage 0)",
    }
    assert data["batches"][1] == {
        "play": "p",
        "batch": 2,
        "of": 2,
        "hosts": ["R3", "R4"],
        "failed": [],
        "ran": False,
    }
