"""Before anything runs: which hosts and steps each play runs, and with which strategy.

`build_plan` is the one place that selects: the play's `hosts`, `--limit`,
`--rerun-failed`, each step's `hosts`, `--tags`/`--skip-tags` and `--start-at-step`.
Every mistake in them is reported here, before any device is contacted; the executor,
`--list-steps` and the `--lab` set-up all read the same `Plan`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from engine.errors import InputError, Problem, UsageError
from engine.inventory import Host, Inventory, PatternError
from engine.model import Play, Playbook, Step, Strategy
from engine.platforms import hier_config_platform
from engine.schema import suggest
from engine.templating import reads_hostvars, step_templates


@dataclass(frozen=True)
class Selection:
    """What the command line narrows a run to."""

    limit: str | None = None
    only_hosts: frozenset[str] | None = None  # --rerun-failed
    tags: frozenset[str] = frozenset()
    skip_tags: frozenset[str] = frozenset()
    start_at: str | None = None


@dataclass(frozen=True)
class PlayPlan:
    """One play as it will run: its hosts, the steps chosen, and each step's hosts."""

    play: Play
    hosts: tuple[Host, ...]
    steps: tuple[Step, ...]
    step_hosts: tuple[tuple[Host, ...], ...]  # per chosen step, narrowed by its `hosts`
    strategy: Strategy
    _names: tuple[frozenset[str], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        names = tuple(frozenset(h.name for h in hosts) for hosts in self.step_hosts)
        object.__setattr__(self, "_names", names)

    def runs_on(self, index: int, host: str) -> bool:
        """Whether chosen step `index` runs on `host` (before any failure)."""
        return host in self._names[index]


@dataclass(frozen=True)
class Plan:
    """The whole run, decided before it starts."""

    playbook: Playbook
    inventory: Inventory
    plays: tuple[PlayPlan, ...]

    @property
    def hosts(self) -> tuple[Host, ...]:
        """Every host some play runs on, in inventory order."""
        used = {h.name for play in self.plays for h in play.hosts}
        return tuple(h for h in self.inventory.hosts if h.name in used)

    def relocated(self, inventory: Inventory) -> Plan:
        """The same plan with each host taken from `inventory` (`--lab` moves them)."""
        by_name = {h.name: h for h in inventory.hosts}

        def moved(hosts: Iterable[Host]) -> tuple[Host, ...]:
            return tuple(by_name[h.name] for h in hosts)

        plays = tuple(
            replace(
                p,
                hosts=moved(p.hosts),
                step_hosts=tuple(moved(hosts) for hosts in p.step_hosts),
            )
            for p in self.plays
        )
        return replace(self, inventory=inventory, plays=plays)


def build_plan(
    playbook: Playbook, inventory: Inventory, selection: Selection = Selection()
) -> Plan:
    """Select hosts and steps for every play; any mistake is an error before the run."""
    limited = _limit(inventory, selection.limit)
    _check_tags(playbook, selection)
    _check_start_at(playbook, selection.start_at)
    started = selection.start_at is None
    plays = []
    for play in playbook.plays:
        hosts = _select(playbook, inventory, play.hosts, (*play.location.path, "hosts"))
        hosts = tuple(h for h in hosts if _kept(h, limited, selection.only_hosts))
        steps, step_hosts = [], []
        for step in play.steps:
            narrowed = _step_hosts(playbook, inventory, step, hosts)
            _check_rollback(playbook, step, narrowed)
            started = started or step.name == selection.start_at
            if started and _tagged(step, selection):
                steps.append(step)
                step_hosts.append(narrowed)
        strategy = choose_strategy(play)
        plays.append(PlayPlan(play, hosts, tuple(steps), tuple(step_hosts), strategy))
    return Plan(playbook, inventory, tuple(plays))


def _kept(host: Host, limited: set[str] | None, only: frozenset[str] | None) -> bool:
    return (limited is None or host.name in limited) and (only is None or host.name in only)


def _limit(inventory: Inventory, limit: str | None) -> set[str] | None:
    """Hosts `--limit` allows (None: all); an unknown name is a usage error."""
    if limit is None:
        return None
    try:
        return {h.name for h in inventory.select(limit)}
    except PatternError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        raise UsageError(f"--limit: {exc}{hint}") from exc


def select_limit(inventory: Inventory, limit: str | None) -> tuple[Host, ...]:
    """The hosts of `--limit` (all when absent), in inventory order: `hosts`, `lab serve`."""
    names = _limit(inventory, limit)
    return tuple(h for h in inventory.hosts if names is None or h.name in names)


def _tagged(step: Step, selection: Selection) -> bool:
    """`--skip-tags` wins; `--tags` keeps its tags' steps and those tagged `always`."""
    if step.tags & selection.skip_tags:
        return False
    return not selection.tags or bool(step.tags & selection.tags) or "always" in step.tags


def _check_tags(playbook: Playbook, selection: Selection) -> None:
    """A tag no step carries is a typo that would silently run (or skip) the wrong steps."""
    known = sorted({t for play in playbook.plays for s in play.steps for t in s.tags})
    for option, tags in (("--tags", selection.tags), ("--skip-tags", selection.skip_tags)):
        for tag in sorted(tags - set(known)):
            hint = suggest(tag, known)
            where = f"tags: {', '.join(known)}" if known else "no step has tags"
            raise UsageError(
                f"{option}: no step is tagged {tag!r} ({hint or where})",
            )


def _check_start_at(playbook: Playbook, name: str | None) -> None:
    names = [s.name for p in playbook.plays for s in p.steps]
    if name is not None and name not in names:
        hint = suggest(name, names)
        raise UsageError(
            f"--start-at-step: no step is named {name!r}" + (f"; {hint}" if hint else "")
        )


def _step_hosts(
    playbook: Playbook, inventory: Inventory, step: Step, hosts: tuple[Host, ...]
) -> tuple[Host, ...]:
    if not step.hosts:
        return hosts
    narrowed = _select(playbook, inventory, step.hosts, (*step.path, "hosts"), step)
    return tuple(h for h in hosts if h in narrowed)


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


def _check_rollback(playbook: Playbook, step: Step, hosts: Sequence[Host]) -> None:
    """`rollback_on_failure` needs a platform whose archive and restore netplay knows;
    `ensure` one whose configuration hier_config can compare."""
    from engine.rollback import PLATFORMS

    if step.rollback_on_failure:
        other = next((h for h in hosts if h.platform not in PLATFORMS), None)
        if other is not None:
            message = (
                f"rollback_on_failure: netplay cannot archive and restore the running-config"
                f" of {other.name} (platform {other.platform}); it can on"
                f" {', '.join(sorted(PLATFORMS))}"
            )
            _refuse(playbook, step, "rollback_on_failure", message)
    if step.action == "ensure":
        other = next((h for h in hosts if hier_config_platform(h.platform) is None), None)
        if other is not None:
            message = (
                f"ensure: netplay cannot compare the configuration of {other.name}"
                f" (platform {other.platform}, generic): use a config step"
            )
            _refuse(playbook, step, "ensure", message)


def _refuse(playbook: Playbook, step: Step, key: str, message: str) -> None:
    hint = "leave such hosts out of the step with its 'hosts' key"
    path = (*step.path, key)
    if step.document is not None:
        raise InputError([step.document.problem(path, message, hint=hint)])
    raise InputError.at(playbook.file, message, path=path, hint=hint)


def choose_strategy(play: Play) -> Strategy:
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
