"""What each `netplay` sub-command does, composed from the pipeline's stages.

The command line (engine.cli) parses and checks the options; these functions take them as
plain values (`RunOptions` for `run` and `cmd`) and never see argparse.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from itertools import product
from pathlib import Path
from typing import Any

from engine.drivers import DriverFactory, netmiko_factory
from engine.errors import ExitCode, InputError, Location, NetplayError, Problem, UsageError
from engine.executor import NotRun
from engine.files import atomic_write, refuse_link
from engine.inventory import Inventory, inventory_from_paths
from engine.model import Playbook, adhoc_playbook, load_playbook
from engine.options import RunOptions
from engine.paths import FileScope
from engine.plan import Plan, PlayPlan, Selection, build_plan, choose_strategy, select_limit
from engine.report import command_blocks, command_json, failures
from engine.results import RunResult, write_json_atomic
from engine.rollout import split
from engine.runner import Stop
from engine.runs import Run, ask_password, lab_specs, with_password
from engine.secrets import Mask, leaf_values, secret_values
from engine.templating import BUILTIN_NAMES, check_playbook
from engine.terminal import printable


def run(
    playbook_file: str,
    options: RunOptions,
    *,
    stop: Stop | None = None,
    driver_factory: DriverFactory = netmiko_factory,
) -> int:
    """`netplay run PLAYBOOK`: validate everything, then run it and print each step."""
    scope = FileScope.around(playbook_file, *options.allow_dirs)
    playbook = load_playbook(playbook_file, scope)
    inventory = load_inventory_arg(options.inventory)
    extra, vaulted = read_extra_vars(options.extra_vars, options.vault_key_file, scope)
    check_playbook(playbook, known_names(inventory, extra))
    plan = build_plan(playbook, inventory, _selection(options))
    check_parsers(playbook, plan)
    if options.list_steps:
        print(printable(list_steps(plan)), end="")
        return int(ExitCode.OK)
    results = options.results
    for path in (results, *(file for _, file in options.reports)):
        if path is not None:
            refuse_link(path)
    inventory, mask = with_secrets(inventory, options.ask_pass, extra, vaulted)
    plan = plan.relocated(inventory)
    targets = [t for t in (results, _history_file(playbook_file, options)) if t is not None]
    if targets and results is None:  # the journal goes with the history's copy
        options = replace(options, results=targets[0])

    def keep(result: RunResult, not_run: Sequence[NotRun]) -> None:
        data = result.to_json()
        if not_run:  # what --rerun-failed runs again, besides failed hosts
            data["not_run"] = [asdict(n) for n in not_run]
        for target in targets:
            write_json_atomic(target, data, mask)
        if options.reports:
            from engine.reports import write_reports

            write_reports(options.reports, data, mask)

    run = Run(options, extra, mask, stop or Stop(), driver_factory)
    return int(run.execute(plan, quiet=options.quiet, keep=keep).exit_code())


def _selection(options: RunOptions) -> Selection:
    return Selection(
        limit=options.limit,
        only_hosts=_rerun_hosts(options.rerun_failed),
        tags=options.tags,
        skip_tags=options.skip_tags,
        start_at=options.start_at_step,
    )


def check_parsers(playbook: Playbook, plan: Plan | None) -> None:
    """Every `parse` template exists and compiles for the platforms that will use it
    (without a plan — `validate` with no inventory — template files are still checked)."""
    from engine.parsing import ParseError, ParseSpec, check

    problems: list[Problem] = []
    plays = (
        [(p.steps, sorted({h.platform for h in p.hosts})) for p in plan.plays]
        if plan is not None
        else [(p.steps, []) for p in playbook.plays]
    )
    for steps, found in plays:
        platforms: list[str | None] = [*found]
        for step in (s for s in steps if s.parse is not None):
            assert step.parse is not None
            spec = ParseSpec(step.parse.kind, step.parse.template, step.base_dir, step.parse.file)
            try:
                # Without hosts (`validate` with no inventory) template files are still checked.
                for platform, command in product(platforms or [None], step.commands):
                    check(spec, platform=platform, command=command)
            except ParseError as exc:
                where = (*step.path, "parse")
                doc = step.document
                problems.append(
                    doc.problem(where, str(exc))
                    if doc
                    else Problem(Location(playbook.file, path=where), str(exc))
                )
    if problems:
        raise InputError(problems)


def list_steps(plan: Plan) -> str:
    """`--list-steps`: every play and step with its tags, in run order; steps that the
    tags or `--start-at-step` leave out are marked."""
    lines = []
    for play in plan.plays:
        chosen = {id(step) for step in play.steps}
        lines.append(f"play: {play.play.name}  (hosts: {', '.join(play.play.hosts)})")
        lines += _rollout_lines(play)
        for step in play.play.steps:
            label = f"  [tags: {', '.join(sorted(step.tags))}]" if step.tags else ""
            runs = "" if id(step) in chosen else "  (not run)"
            lines.append(f"  - {step.name}  ({step.action}){label}{runs}")
    return "\n".join(lines) + "\n"


def _rollout_lines(play: PlayPlan) -> list[str]:
    """`--list-steps`: a rolling play's batches and stop rules."""
    rollout = play.play.rollout
    lines = []
    if rollout.serial:
        sizes = ", ".join(str(size) for size in rollout.serial)
        parts = [", ".join(h.name for h in batch) for batch in split(play.hosts, rollout.serial)]
        lines.append(f"  serial: {sizes}  (batches: {' | '.join(parts) or 'none'})")
    if rollout.max_fail_percentage is not None:
        lines.append(f"  max_fail_percentage: {rollout.max_fail_percentage:g}")
    if rollout.any_errors_fatal:
        lines.append("  any_errors_fatal: true")
    return lines


def validate(
    playbook_file: str,
    inventory_file: Path | None = None,
    extra_vars: Sequence[str] = (),
    vault_key_file: Path | None = None,
    allow_dirs: Sequence[Path] = (),
) -> int:
    """`netplay validate PLAYBOOK`: schema, hosts and templates; contacts no device."""
    scope = FileScope.around(playbook_file, *allow_dirs)
    playbook = load_playbook(playbook_file, scope)
    extra = read_extra_vars(extra_vars, vault_key_file, scope)[0]
    inventory = load_inventory_arg(inventory_file) if inventory_file is not None else None
    check_playbook(playbook, known_names(inventory, extra) if inventory else None)
    check_parsers(playbook, build_plan(playbook, inventory) if inventory is not None else None)
    strategies = [choose_strategy(play) for play in playbook.plays]
    steps = sum(len(p.steps) for p in playbook.plays)
    plays = len(playbook.plays)
    print(
        f"ok: {playbook.file}: {plays} play{'s' * (plays > 1)}, {steps} step{'s' * (steps > 1)}"
        f" ({', '.join(strategies)})"
    )
    return int(ExitCode.OK)


def cmd(
    commands: Sequence[str],
    options: RunOptions,
    *,
    as_json: bool = False,
    output: Path | None = None,
    stop: Stop | None = None,
    driver_factory: DriverFactory = netmiko_factory,
) -> int:
    """`netplay cmd COMMAND...`: the classic job, every device in parallel, inventory order."""
    inventory = load_inventory_arg(options.inventory)
    plan = build_plan(adhoc_playbook(list(commands)), inventory, Selection(limit=options.limit))
    if output is not None:
        refuse_link(output)
    inventory, mask = with_secrets(inventory, options.ask_pass, {}, frozenset())
    run = Run(options, {}, mask, stop or Stop(), driver_factory)
    result = run.execute(plan.relocated(inventory), quiet=True, silent=True)
    if output is not None:
        atomic_write(output, command_blocks(result, mask))
    if as_json:
        print(command_json(result, mask))
    elif output is None:
        print(for_stdout(command_blocks(result, mask)), end="")
    for line in failures(result, mask):
        print(printable(line), file=sys.stderr)
    return int(result.exit_code())


def for_stdout(text: str) -> str:
    """Device text for stdout: made printable on a terminal, kept raw when piped (the same
    bytes as `--output` writes, for tools that read it)."""
    return printable(text) if sys.stdout.isatty() else text


def report(kind: str, source: Path, out: Path) -> int:
    """`netplay report junit|html --from RESULTS.json --out FILE`: a report of a past run."""
    from engine.reports import load_results, write_reports

    refuse_link(out)
    write_reports([(kind, out)], load_results(source), Mask())
    print(f"wrote {out}", file=sys.stderr)
    return int(ExitCode.OK)


def hosts(inventory_file: Path | None, limit: str | None) -> int:
    """`netplay hosts`: the selected hosts with their address, groups and jump host."""
    selected = select_limit(load_inventory_arg(inventory_file), limit)
    width = max((len(h.name) for h in selected), default=4)
    for host in selected:
        groups = ",".join(host.groups) or "-"
        line = f"{host.name:<{width}}  {host.address}:{host.port}  {host.platform}  {groups}"
        line += f"  via {host.jump.name}" if host.jump is not None else ""
        print(printable(line))
    print(f"{len(selected)} host{'s' * (len(selected) != 1)}", file=sys.stderr)
    return int(ExitCode.OK)


def lab_serve(
    inventory_file: Path | None, limit: str | None, port: int, host_key: Path | None = None
) -> int:
    """`netplay lab serve`: simulated devices for the inventory's hosts until Ctrl-C, with
    one host key kept across restarts (the user's state folder unless `host_key`)."""
    from engine.lab import Lab, serve_forever
    from engine.lab.hostkey import default_path

    selected = select_limit(load_inventory_arg(inventory_file), limit)
    lab = Lab(lab_specs(selected), port=port, host_key=host_key or default_path())
    serve_forever(lab, sys.stdout)
    return int(ExitCode.OK)


def with_secrets(
    inventory: Inventory, ask_pass: bool, extra: Mapping[str, Any], vaulted: frozenset[str]
) -> tuple[Inventory, Mask]:
    """The inventory with the `-k` password, and the run's one mask over every secret it
    knows: inventory credentials, secret-named extra vars, vault values, the typed password.
    Built once, before anything runs, and used by everything that writes or prints."""
    typed = ask_password() if ask_pass else None
    if typed is not None:
        inventory = with_password(inventory, typed)
    return inventory, Mask.of(inventory.secrets(), secret_values(extra), vaulted, [typed])


def vault(
    action: str, file: str | None = None, key_file: Path | None = None, out: Path | None = None
) -> int:
    """`netplay vault keygen|encrypt|decrypt`: manage encrypted vars files."""
    from engine import vault as vaults

    if action == "keygen" or file is None:
        return keygen(out)
    key = vaults.load_key(key_file)
    if action == "encrypt":
        vaults.encrypt_file(file, key)
    else:
        vaults.decrypt_file(file, key)
    print(f"{action}ed {file}", file=sys.stderr)
    return int(ExitCode.OK)


def keygen(out: Path | None) -> int:
    """`netplay vault keygen [--out FILE]`: a new key, in a new private file or printed."""
    from engine import vault as vaults

    if out is not None:
        vaults.write_key_file(out)
        print(f"wrote a new vault key to {out} (readable by you only)", file=sys.stderr)
        return int(ExitCode.OK)
    if not sys.stdout.isatty():
        print(
            "warning: stdout is not a terminal; a file the key is redirected to gets the "
            "default mode, often readable by others: `netplay vault keygen --out FILE` "
            "writes a private (0600) file",
            file=sys.stderr,
        )
    print(vaults.generate_key().decode())
    return int(ExitCode.OK)


def _rerun_hosts(path: Path | None) -> frozenset[str] | None:
    """Hosts that failed or were unreachable in an earlier `--results` file, those an
    interrupted run did not get to (its `not_run`), and those a stopped rollout skipped."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        failed = {h for h, c in data["recap"].items() if c["failed"] or c["unreachable"]}
        stopped = {
            r["host"] for s in data["steps"] for r in s["results"] if r.get("kind") == "stopped"
        }
        not_run = (s["hosts"] for s in data.get("not_run", ()))
        return frozenset(failed.union(stopped, *not_run))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"--rerun-failed: {path} is not a netplay results file ({exc})") from exc


def known_names(inventory: Inventory, extra: dict[str, Any]) -> set[str]:
    """Variable names a template may use: every host's vars, extra vars and built-ins."""
    return {name for h in inventory.hosts for name in h.vars} | set(extra) | set(BUILTIN_NAMES)


def parse_extra_vars(
    items: Sequence[str], vault_key_file: Path | None = None, scope: FileScope | None = None
) -> dict[str, Any]:
    """`-e KEY=VALUE` (a string) and `-e @vars.yml` (a YAML mapping, possibly a vault)."""
    return read_extra_vars(items, vault_key_file, scope)[0]


def read_extra_vars(
    items: Sequence[str], vault_key_file: Path | None = None, scope: FileScope | None = None
) -> tuple[dict[str, Any], frozenset[str]]:
    """The extra vars, and every value read from a vault file (each one a secret).

    A vars file is named relative to the current directory and must lie under it or
    inside `scope` (the playbook's tree and `--allow-dir` folders).
    """
    from engine.vault import is_vault_file, load_key, load_vars

    merged: dict[str, Any] = {}
    vaulted: set[str] = set()
    files = (scope or FileScope(())).widened(Path.cwd())
    for item in items:
        if item.startswith("@"):
            key = load_key(vault_key_file) if vault_key_file else None
            path = files.resolve(item[1:], base=Path.cwd(), what="-e vars file")
            doc = load_vars(os.path.relpath(path), key=key)
            if not isinstance(doc.data, dict):
                raise InputError([doc.problem((), "an extra vars file must hold a mapping")])
            merged.update(doc.data)
            if is_vault_file(path):
                vaulted.update(leaf_values(doc.data))
        elif "=" in item and item.split("=", 1)[0].isidentifier():
            key_name, value = item.split("=", 1)
            merged[key_name] = value
        else:
            raise UsageError(f"-e takes KEY=VALUE or @FILE, not {item!r}")
    return merged, frozenset(vaulted)


# -- operator tools: run history, drift, schemas, a new runbook repository, completion ------


def _history_file(playbook_file: str, options: RunOptions) -> Path | None:
    """Where this run keeps its results in the history, or None (`--no-history`)."""
    from engine import history as runs

    if not runs.wanted(options.history):
        return None
    return runs.begin(playbook_file, options.keep_runs).results


def validate_each(
    playbooks: Sequence[str],
    inventory_file: Path | None = None,
    extra_vars: Sequence[str] = (),
    vault_key_file: Path | None = None,
    allow_dirs: Sequence[Path] = (),
) -> int:
    """`netplay validate PLAYBOOK...`: each playbook in turn, every problem of each shown
    (a pre-commit hook passes many files); the exit code is the worst one."""
    if len(playbooks) == 1:
        return validate(playbooks[0], inventory_file, extra_vars, vault_key_file, allow_dirs)
    worst = int(ExitCode.OK)
    for playbook in playbooks:
        try:
            code = validate(playbook, inventory_file, extra_vars, vault_key_file, allow_dirs)
        except NetplayError as exc:
            print(printable(exc.render()), file=sys.stderr)
            code = int(exc.exit_code)
        worst = max(worst, code)
    return worst


def history(where: str) -> int:
    """`netplay history [PLAYBOOK_OR_FOLDER]`: the runs kept there, oldest first."""
    from engine import history as runs

    root = runs.root_for(where)
    found = runs.summaries(root, Path(where).name if Path(where).is_file() else None)
    if not found:
        print(f"no runs kept in {root}", file=sys.stderr)
        return int(ExitCode.OK)
    print(printable(runs.table(found)), end="")
    return int(ExitCode.OK)


def diff(
    before: str | None,
    after: str | None,
    where: str = ".",
    ignore: Sequence[str] = (),
    ignore_fields: Sequence[str] = (),
    *,
    exact: bool = False,
) -> int:
    """`netplay diff [A [B]]`: drift between two runs (ids or results files), per host and
    step; exit 1 when something differs, 0 when nothing does."""
    from engine import drift
    from engine import history as runs

    kinds = drift.Ignore.of(ignore, ignore_fields, exact=exact)
    root = runs.root_for(where)
    named = [r for r in (before, after) if r is not None]
    references = [*named, *runs.latest(root, 2 - len(named))] if len(named) < 2 else named
    (label_a, file_a), (label_b, file_b) = (runs.resolve(r, root) for r in references)
    data_a, data_b = runs.load_results(file_a), runs.load_results(file_b)
    found = drift.compare(data_a, data_b, kinds)
    heads = runs.heading(label_a, data_a), runs.heading(label_b, data_b)
    print(printable(drift.render(found, *heads, kinds)), end="")
    return drift.DIFFERS if found.found else int(ExitCode.OK)


def schema(name: str, *, markdown: bool = False) -> int:
    """`netplay schema NAME`: a JSON Schema as the package holds it, or its key reference."""
    from engine import keyref

    print(keyref.markdown(name) if markdown else keyref.schema_text(name), end="")
    return int(ExitCode.OK)


def init(folder: Path, *, force: bool = False) -> int:
    """`netplay init DIR`: a runbook repository that validates and runs with `--lab`."""
    from engine import scaffold

    print(printable(scaffold.create(folder, force=force)), end="")
    return int(ExitCode.OK)


def completion(shell: str, parser: Any) -> int:
    """`netplay completion SHELL`: a completion script made from the command line parser."""
    from engine import completion as scripts

    print(scripts.script(shell, parser), end="")
    return int(ExitCode.OK)


def load_inventory_arg(path: Path | None) -> Inventory:
    if path is not None and not path.exists():
        raise UsageError(f"inventory {path} does not exist")
    return inventory_from_paths(str(path) if path is not None else None)
