"""Before anything runs: which hosts each play and step selects, and which strategy a play
can use (pipeline unless a step needs every host at a barrier)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.errors import InputError, Problem
from engine.inventory import Host, Inventory, PatternError
from engine.model import Play, Playbook, Step
from engine.templating import reads_hostvars, step_templates


def select_hosts(
    playbook: Playbook, inventory: Inventory, limit: str | None
) -> dict[int, tuple[Host, ...]]:
    """Hosts of each play (by index), narrowed by `--limit`; errors before any connection."""
    limited = {h.name for h in inventory.select(limit)} if limit else None
    chosen: dict[int, tuple[Host, ...]] = {}
    for i, play in enumerate(playbook.plays):
        hosts = _select(playbook, inventory, play.hosts, (*play.location.path, "hosts"))
        chosen[i] = tuple(h for h in hosts if limited is None or h.name in limited)
        for step in play.steps:
            if step.hosts:
                _select(playbook, inventory, step.hosts, (*step.path, "hosts"), step)
    return chosen


def _select(
    playbook: Playbook,
    inventory: Inventory,
    patterns: Sequence[str],
    path: Any,
    step: Step | None = None,
) -> tuple[Host, ...]:
    try:
        return inventory.select(patterns)
    except PatternError as exc:
        document = step.document if step is not None else playbook.document
        if document is not None:
            raise InputError([document.problem(path, str(exc), hint=exc.hint)]) from exc
        raise InputError.at(playbook.file, str(exc), path=path, hint=exc.hint) from exc


def choose_strategy(play: Play) -> str:
    """Pipeline unless a step needs every host's previous step: `hostvars` or `run_once`."""
    needy = next((s for s in play.steps if _needs_lockstep(s)), None)
    if play.strategy == "pipeline" and needy is not None:
        message = (
            f"step '{needy.name}' needs every host to finish each step first"
            " (it reads hostvars, or uses run_once or save_to)"
        )
        problem = Problem(
            play.location,
            f"strategy: pipeline cannot run this play: {message}",
            hint="remove `strategy: pipeline` (netplay picks the fastest safe one)",
        )
        raise InputError([problem])
    if play.strategy is not None:
        return play.strategy
    return "lockstep" if needy is not None else "pipeline"


def _needs_lockstep(step: Step) -> bool:
    """Cross-host reads and `run_once` need every host at the barrier; so does `save_to`,
    whose combined file is written once the step has finished everywhere."""
    return (
        step.run_once
        or bool(step.save_to)
        or any(reads_hostvars(s, expression=e) for _, s, e in step_templates(step))
    )
