"""What each `netplay` sub-command does, composed from the pipeline's stages."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from itertools import product
from pathlib import Path
from typing import Any

from engine.drivers import ConnectionSettings
from engine.errors import ExitCode, InputError, Location, Problem, UsageError
from engine.executor import Executor, RunSettings
from engine.inventory import Host, Inventory, PatternError, inventory_from_paths
from engine.model import Playbook, adhoc_playbook, load_playbook
from engine.paths import FileScope
from engine.plan import choose_strategy, select_hosts
from engine.report import ConsoleReport, command_blocks, command_json, failures, make_console
from engine.results import Mask, RunResult, write_json_atomic
from engine.schema import suggest
from engine.templating import BUILTIN_NAMES, check_playbook
from engine.vault import secret_values


def run(args: argparse.Namespace) -> int:
    """`netplay run PLAYBOOK`: validate everything, then run it and print each step."""
    scope = FileScope.around(args.playbook, *args.allow_dir)
    playbook = load_playbook(args.playbook, scope)
    inventory = load_inventory_arg(args.inventory)
    extra = parse_extra_vars(args.extra_vars, args.vault_key_file, scope)
    check_playbook(playbook, known_names(inventory, extra))
    check_parsers(playbook, select_hosts(playbook, inventory, args.limit))
    if args.list_steps:
        print(list_steps(playbook, _tag_set(args.tags), _tag_set(args.skip_tags)), end="")
        return int(ExitCode.OK)
    _check_start_at(playbook, args.start_at_step)
    result = execute(playbook, inventory, args, extra, quiet=args.quiet)
    if args.results:
        write_json_atomic(args.results, result.to_json(), secrets_mask(inventory, extra))
    return int(result.exit_code())


def check_parsers(playbook: Playbook, play_hosts: Mapping[int, Sequence[Host]]) -> None:
    """Every `parse` template exists and compiles for the platforms that will use it."""
    from engine.parsing import ParseError, ParseSpec, check

    problems: list[Problem] = []
    for i, play in enumerate(playbook.plays):
        platforms: list[str | None] = [*sorted({h.platform for h in play_hosts[i]})]
        for step in (s for s in play.steps if s.parse is not None):
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


def list_steps(
    playbook: Playbook, tags: frozenset[str] = frozenset(), skip: frozenset[str] = frozenset()
) -> str:
    """`--list-steps`: every play and step with its tags, in run order; steps that the
    tags leave out are marked."""
    lines = []
    for play in playbook.plays:
        lines.append(f"play: {play.name}  (hosts: {', '.join(play.hosts)})")
        for step in play.steps:
            label = f"  [tags: {', '.join(sorted(step.tags))}]" if step.tags else ""
            runs = not step.tags & skip and (not tags or step.tags & tags or "always" in step.tags)
            lines.append(f"  - {step.name}  ({step.action}){label}{'' if runs else '  (not run)'}")
    return "\n".join(lines) + "\n"


def _check_start_at(playbook: Playbook, name: str | None) -> None:
    names = [s.name for p in playbook.plays for s in p.steps]
    if name is not None and name not in names:
        hint = suggest(name, names)
        raise UsageError(
            f"--start-at-step: no step is named {name!r}" + (f"; {hint}" if hint else "")
        )


def validate(args: argparse.Namespace) -> int:
    """`netplay validate PLAYBOOK`: schema, hosts and templates; contacts no device."""
    scope = FileScope.around(args.playbook, *args.allow_dir)
    playbook = load_playbook(args.playbook, scope)
    extra = parse_extra_vars(args.extra_vars, args.vault_key_file, scope)
    known = None
    if args.inventory is not None:
        inventory = load_inventory_arg(args.inventory)
        check_parsers(playbook, select_hosts(playbook, inventory, None))
        known = known_names(inventory, extra)
    else:
        check_parsers(playbook, {i: () for i in range(len(playbook.plays))})
    check_playbook(playbook, known)
    strategies = [choose_strategy(play) for play in playbook.plays]
    steps = sum(len(p.steps) for p in playbook.plays)
    plays = len(playbook.plays)
    print(
        f"ok: {playbook.file}: {plays} play{'s' * (plays > 1)}, {steps} step{'s' * (steps > 1)}"
        f" ({', '.join(strategies)})"
    )
    return int(ExitCode.OK)


def cmd(args: argparse.Namespace) -> int:
    """`netplay cmd COMMAND...`: the classic job, every device in parallel, inventory order."""
    inventory = load_inventory_arg(args.inventory)
    playbook = adhoc_playbook(args.commands)
    result = execute(playbook, inventory, args, {}, quiet=True, silent=True)
    mask = Mask(inventory.secrets())
    if args.output:
        Path(args.output).write_text(command_blocks(result, mask), encoding="utf-8")
    if args.json:
        print(command_json(result, mask))
    elif not args.output:
        print(command_blocks(result, mask), end="")
    for line in failures(result, mask):
        print(line, file=sys.stderr)
    return int(result.exit_code())


def hosts(args: argparse.Namespace) -> int:
    """`netplay hosts`: the selected hosts with their address and groups."""
    inventory = load_inventory_arg(args.inventory)
    selected = select(inventory, args.limit)
    width = max((len(h.name) for h in selected), default=4)
    for host in selected:
        groups = ",".join(host.groups) or "-"
        print(f"{host.name:<{width}}  {host.address}:{host.port}  {host.platform}  {groups}")
    print(f"{len(selected)} host{'s' * (len(selected) != 1)}", file=sys.stderr)
    return int(ExitCode.OK)


def lab_serve(args: argparse.Namespace) -> int:
    """`netplay lab serve`: simulated devices for the inventory's hosts until Ctrl-C."""
    from engine.lab import Lab, serve_forever

    inventory = load_inventory_arg(args.inventory)
    serve_forever(Lab(lab_specs(select(inventory, args.limit)), port=args.port), sys.stdout)
    return int(ExitCode.OK)


def execute(
    playbook: Playbook,
    inventory: Inventory,
    args: argparse.Namespace,
    extra: dict[str, Any],
    *,
    quiet: bool,
    silent: bool = False,
) -> RunResult:
    """Run a playbook with the common options (-l, -f, --lab, timeouts)."""
    if args.forks < 1:
        raise UsageError("--forks must be at least 1")
    if args.ask_pass:
        inventory = with_password(inventory, getpass.getpass("SSH password: "))
    results = getattr(args, "results", None)
    mask = secrets_mask(inventory, extra)
    connection = ConnectionSettings(
        connect_timeout=args.connect_timeout,
        command_timeout=args.command_timeout,
        # The lab makes a new host key at every start: remembering it would only
        # produce false "host key changed" errors on the next run.
        host_key_policy="off" if args.lab else args.host_key_policy,
        known_hosts=Path(args.known_hosts) if args.known_hosts else None,
        session_log_dir=Path(args.session_logs) if args.session_logs else None,
        masked=mask.secrets,
    )
    settings = RunSettings(
        forks=args.forks,
        limit=args.limit,
        only_hosts=_rerun_hosts(getattr(args, "rerun_failed", None)),
        extra_vars=extra,
        connection=connection,
        check=getattr(args, "check", False),
        diff=getattr(args, "diff", False),
        tags=_tag_set(getattr(args, "tags", "")),
        skip_tags=_tag_set(getattr(args, "skip_tags", "")),
        start_at=getattr(args, "start_at_step", None),
        output_dir=Path(getattr(args, "output_dir", ".")),
        host_timeout=args.host_timeout,
        connect_rate=args.connect_rate,
        journal=Path(results).with_suffix(".jsonl") if results else None,
    )
    select(inventory, args.limit)  # an unknown --limit is a usage error, before anything runs
    console = make_console(quiet=silent)
    report = ConsoleReport(console, mask, show_output=not quiet)
    planned = select_hosts(playbook, inventory, args.limit)
    used = {h.name for hs in planned.values() for h in hs}
    with lab_for(inventory, [h for h in inventory.hosts if h.name in used], args.lab) as inv:
        result = Executor(playbook, inv, settings, events=report, mask=mask).run()
    report.recap(result)
    return result


def secrets_mask(inventory: Inventory, extra: Mapping[str, Any]) -> Mask:
    """Every secret a run knows: inventory credentials and secret-named variables."""
    return Mask(inventory.secrets() | frozenset(secret_values(extra)))


def with_password(inventory: Inventory, password: str) -> Inventory:
    """`--ask-pass`: the typed password for every host the inventory gives none."""
    hosts = tuple(h if h.password else replace(h, password=password) for h in inventory.hosts)
    return replace(inventory, hosts=hosts)


def vault(args: argparse.Namespace) -> int:
    """`netplay vault keygen|encrypt|decrypt`: manage encrypted vars files."""
    from engine import vault as vaults

    if args.vault_command == "keygen":
        print(vaults.generate_key().decode())
        return int(ExitCode.OK)
    key = vaults.load_key(args.vault_key_file)
    if args.vault_command == "encrypt":
        vaults.encrypt_file(args.file, key)
    else:
        vaults.decrypt_file(args.file, key)
    print(f"{args.vault_command}ed {args.file}", file=sys.stderr)
    return int(ExitCode.OK)


def _tag_set(text: str) -> frozenset[str]:
    return frozenset(t.strip() for t in text.split(",") if t.strip())


def _rerun_hosts(path: str | None) -> frozenset[str] | None:
    """Hosts that failed or were unreachable in an earlier `--results` file."""
    if path is None:
        return None
    try:
        recap = json.loads(Path(path).read_text(encoding="utf-8"))["recap"]
        return frozenset(h for h, c in recap.items() if c["failed"] or c["unreachable"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"--rerun-failed: {path} is not a netplay results file ({exc})") from exc


def known_names(inventory: Inventory, extra: dict[str, Any]) -> set[str]:
    """Variable names a template may use: every host's vars, extra vars and built-ins."""
    return {name for h in inventory.hosts for name in h.vars} | set(extra) | set(BUILTIN_NAMES)


def parse_extra_vars(
    items: Sequence[str], vault_key_file: str | None = None, scope: FileScope | None = None
) -> dict[str, Any]:
    """`-e KEY=VALUE` (a string) and `-e @vars.yml` (a YAML mapping, possibly a vault).

    A vars file is named relative to the current directory and must lie under it or
    inside `scope` (the playbook's tree and `--allow-dir` folders).
    """
    from engine.vault import load_key, load_vars

    merged: dict[str, Any] = {}
    files = (scope or FileScope(())).widened(Path.cwd())
    for item in items:
        if item.startswith("@"):
            key = load_key(vault_key_file) if vault_key_file else None
            path = files.resolve(item[1:], base=Path.cwd(), what="-e vars file")
            doc = load_vars(os.path.relpath(path), key=key)
            if not isinstance(doc.data, dict):
                raise InputError([doc.problem((), "an extra vars file must hold a mapping")])
            merged.update(doc.data)
        elif "=" in item and item.split("=", 1)[0].isidentifier():
            key_name, value = item.split("=", 1)
            merged[key_name] = value
        else:
            raise UsageError(f"-e takes KEY=VALUE or @FILE, not {item!r}")
    return merged


def select(inventory: Inventory, limit: str | None) -> tuple[Host, ...]:
    """Hosts for `--limit` (all when absent); an unknown name is a usage error."""
    try:
        return inventory.select(limit or "all")
    except PatternError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        raise UsageError(f"--limit: {exc}{hint}") from exc


def load_inventory_arg(path: str | None) -> Inventory:
    if path is not None and not Path(path).exists():
        raise UsageError(f"inventory {path} does not exist")
    return inventory_from_paths(path)


def lab_specs(hosts: Sequence[Host]) -> list[Any]:
    """Simulated devices for these hosts, with their credentials and `lab:` knobs."""
    from engine.lab import DeviceSpec, LabKnobs

    return [
        DeviceSpec(
            name=h.name,
            username=h.username or "",
            password=h.password or "",
            secret=h.secret,
            address=h.address,
            knobs=LabKnobs.from_mapping(h.lab),
        )
        for h in hosts
    ]


@contextmanager
def lab_for(inventory: Inventory, hosts: Sequence[Host], enabled: bool) -> Iterator[Inventory]:
    """With `--lab`, serve `hosts` as simulated devices and point the inventory at them.

    The inventory's own addresses are never contacted: each host is reached at its lab
    endpoint on 127.0.0.0/8 instead.
    """
    if not enabled:
        yield inventory
        return
    from engine.lab import Lab

    with Lab(lab_specs(hosts)) as lab:
        names = {h.name for h in hosts}
        moved = tuple(
            h.at(*lab.endpoint(h.name)) if h.name in names else h for h in inventory.hosts
        )
        yield replace(inventory, hosts=moved)
