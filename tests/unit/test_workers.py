"""Where device work runs: the executor `auto` chooses, and hosts partitioned across workers."""

from __future__ import annotations

from collections import Counter

import pytest

from engine.errors import Location, UsageError
from engine.inventory import Host, Inventory
from engine.model import Play, Playbook, Step
from engine.options import ExecutorSpec
from engine.plan import Plan, build_plan
from engine.steps import Item, Work
from engine.workers import PROCESSES_FROM, choose, partition, slim

HERE = Location("test.yml")
WORKERS = ("tcp://127.0.0.1:1", "tcp://127.0.0.1:2")


def host(name: str, **vars: str) -> Host:
    return Host(name=name, address="127.0.0.1", vars=vars)


def plan_of(count: int, *, rollback: bool = False) -> Plan:
    hosts = tuple(host(f"r{i}") for i in range(count))
    step = Step(
        name="s", action="config", commands=("x",), location=HERE, rollback_on_failure=rollback
    )
    book = Playbook("test.yml", (Play("p", ("all",), (step,), HERE),))
    return build_plan(book, Inventory("inv.yml", hosts, {}))


def test_hosts_of_one_site_stay_on_one_worker_largest_site_first() -> None:
    hosts = [host(f"a{i}", site="A") for i in range(3)] + [host("b0", site="B"), host("c0")]
    placed = partition(hosts, WORKERS)
    assert len({placed[f"a{i}"] for i in range(3)}) == 1
    assert placed["b0"] != placed["a0"] and placed["c0"] != placed["a0"]


def test_a_jump_host_groups_hosts_before_their_site() -> None:
    hosts = [host("x", site="A", jump_host="j1"), host("y", site="B", jump_host="j1")]
    hosts += [host("z", site="A", jump_host="j2")]
    placed = partition(hosts, WORKERS)
    assert placed["x"] == placed["y"] != placed["z"]


def test_hosts_without_a_place_are_spread_evenly() -> None:
    placed = partition([host(f"r{i}") for i in range(7)], WORKERS)
    assert sorted(Counter(placed.values()).values()) == [3, 4]


def test_auto_uses_threads_below_the_host_threshold_and_a_process_a_core_from_it() -> None:
    assert choose(ExecutorSpec(), plan_of(PROCESSES_FROM - 1), 4).spec.kind == "threads"
    chosen = choose(ExecutorSpec(), plan_of(PROCESSES_FROM), 4)
    assert (chosen.spec.kind, chosen.spec.workers) == ("processes", 4)
    assert chosen.why == f"{PROCESSES_FROM} hosts, 4 cores"


def test_auto_uses_threads_on_one_core_however_many_hosts() -> None:
    assert choose(ExecutorSpec(), plan_of(PROCESSES_FROM * 2), 1).spec.kind == "threads"


@pytest.mark.parametrize("asked", ["processes", "dask-local"])
def test_auto_keeps_rollback_plays_on_threads_and_an_explicit_process_executor_is_refused(
    asked: str,
) -> None:
    guarded = plan_of(PROCESSES_FROM, rollback=True)
    assert choose(ExecutorSpec(), guarded, 4).spec.kind == "threads"
    with pytest.raises(UsageError, match="rollback_on_failure"):
        choose(ExecutorSpec(asked, workers=2), plan_of(3, rollback=True), 2)


def test_an_executor_asked_for_is_used_as_it_is() -> None:
    spec = ExecutorSpec("dask", address="127.0.0.1:8786")
    assert choose(spec, plan_of(1), 1).spec == spec


def work(until: str | None) -> Work:
    step = Step(name="s", action="send", commands=("x",), location=HERE, until=until)
    variables = {"hostvars": object(), "site": "A"}
    return Work(host("r1"), step, variables, (Item(None, ("x",)),), looped=False)


def test_work_travels_without_hostvars_and_with_variables_only_for_until() -> None:
    assert slim(work(None)).variables == {}
    assert slim(work("result.ok")).variables == {"site": "A"}
