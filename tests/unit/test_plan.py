"""The plan: hosts and steps are selected once, before the run, and every mistake in the
selection is an error that names it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.errors import InputError, Location, UsageError
from engine.inventory import Host, Inventory
from engine.model import Play, Playbook, Step
from engine.plan import Selection, build_plan

HERE = Location("test.yml")
INVENTORY = Inventory(
    "inv.yml",
    tuple(Host(n, f"10.0.0.{i}") for i, n in enumerate(("R1", "R2", "R3", "S1"), 1)),
    {"routers": ("R1", "R2", "R3"), "core": ("R1", "R2")},
)


def step(name: str, **keys: object) -> Step:
    return Step(name=name, action="send", commands=(name,), location=HERE, **keys)  # type: ignore[arg-type]


def book(*plays: tuple[str, tuple[Step, ...]]) -> Playbook:
    return Playbook(
        "test.yml", tuple(Play(f"p{i}", (h,), s, HERE) for i, (h, s) in enumerate(plays))
    )


def names(hosts: tuple[Host, ...]) -> list[str]:
    return [h.name for h in hosts]


def test_limit_and_rerun_narrow_every_plays_hosts_in_inventory_order() -> None:
    playbook = book(("routers", (step("a"),)), ("all", (step("b"),)))
    plan = build_plan(
        playbook, INVENTORY, Selection(limit="all,!R2", only_hosts=frozenset({"R3", "S1", "R1"}))
    )
    assert [names(p.hosts) for p in plan.plays] == [["R1", "R3"], ["R1", "R3", "S1"]]
    assert names(plan.hosts) == ["R1", "R3", "S1"]


def test_a_steps_hosts_narrow_the_plays_hosts() -> None:
    plan = build_plan(book(("routers", (step("a"), step("b", hosts=("core", "!R1"))))), INVENTORY)
    [play] = plan.plays
    assert [names(h) for h in play.step_hosts] == [["R1", "R2", "R3"], ["R2"]]
    assert play.runs_on(1, "R2") and not play.runs_on(1, "R3")


def test_tags_skip_tags_and_start_at_step_choose_the_steps_across_plays() -> None:
    playbook = book(
        ("all", (step("a", tags=frozenset({"x"})), step("b"))),
        ("all", (step("c", tags=frozenset({"x", "y"})), step("d", tags=frozenset({"always"})))),
    )

    def chosen(**selection: frozenset[str] | str) -> list[str]:
        plan = build_plan(playbook, INVENTORY, Selection(**selection))  # type: ignore[arg-type]
        return [s.name for p in plan.plays for s in p.steps]

    assert chosen(tags=frozenset({"x"})) == ["a", "c", "d"]
    assert chosen(tags=frozenset({"x"}), skip_tags=frozenset({"y"})) == ["a", "d"]
    assert chosen(start_at="b") == ["b", "c", "d"]


def test_an_unknown_limit_is_a_usage_error_with_a_suggestion() -> None:
    with pytest.raises(UsageError, match=r"--limit: 'rooters' .*did you mean 'routers'"):
        build_plan(book(("all", (step("a"),))), INVENTORY, Selection(limit="rooters"))


def test_an_unknown_start_at_step_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no step is named 'z'"):
        build_plan(book(("all", (step("a"),))), INVENTORY, Selection(start_at="z"))


@pytest.mark.parametrize("option", ["tags", "skip_tags"])
def test_a_tag_no_step_carries_is_a_usage_error(option: str) -> None:
    playbook = book(("all", (step("a", tags=frozenset({"save"})),)))
    with pytest.raises(UsageError, match=r"no step is tagged 'sav' \(did you mean 'save'\?\)"):
        build_plan(playbook, INVENTORY, Selection(**{option: frozenset({"sav"})}))  # type: ignore[arg-type]


def test_an_unknown_host_in_a_play_is_an_input_error_naming_the_key() -> None:
    with pytest.raises(InputError) as caught:
        build_plan(book(("nowhere", (step("a"),))), INVENTORY)
    assert caught.value.exit_code == 4
    assert "hosts" in caught.value.render()


def test_relocated_points_every_selected_host_at_the_new_inventory() -> None:
    plan = build_plan(book(("core", (step("a"), step("b", hosts=("R2",))))), INVENTORY)
    moved = tuple(h.at("127.0.1.9", 2222) for h in INVENTORY.hosts)
    again = plan.relocated(replace(INVENTORY, hosts=moved))
    assert {h.address for p in again.plays for hs in (p.hosts, *p.step_hosts) for h in hs} == {
        "127.0.1.9"
    }
    assert names(again.plays[0].step_hosts[1]) == ["R2"]


def test_rollback_on_failure_on_a_platform_without_configure_replace_is_an_input_error() -> None:
    junos = Host("J1", "10.0.0.9", platform="juniper_junos")
    inventory = replace(INVENTORY, hosts=(*INVENTORY.hosts, junos))
    guarded = Step("Change", "config", ("set system ntp",), HERE, rollback_on_failure=True)
    with pytest.raises(InputError) as caught:
        build_plan(book(("all", (guarded,))), inventory)
    [problem] = caught.value.problems
    assert problem.location.path[-1] == "rollback_on_failure"
    assert problem.message == (
        "rollback_on_failure: netplay cannot archive and restore the running-config of J1 "
        "(platform juniper_junos); it can on cisco_ios, cisco_xe"
    )
    build_plan(book(("routers", (guarded,))), inventory)  # the IOS routers alone are fine
