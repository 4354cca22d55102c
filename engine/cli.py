"""The `netplay` command: parse and check arguments, call the library, map errors to exit codes.

Every option is checked here by its argparse type, before any file is read or device
contacted; a bad value is a usage error (exit 5). The library receives plain values (a
frozen `RunOptions` for `run` and `cmd`), never argparse's namespace.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from engine import __version__
from engine.argtypes import (
    MAX_FORKS,
    MAX_RUNS_KEPT,
    MIN_CONNECT_RATE,
    ReportTarget,
    executor,
    existing_file,
    existing_folder,
    folder,
    forks,
    new_file,
    port,
    rate,
    runs_kept,
    seconds,
    tags,
)
from engine.errors import ExitCode, InternalError, NetplayError, UsageError
from engine.options import (
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_FORKS,
    DEFAULT_KEEP_RUNS,
    ExecutorSpec,
    RunOptions,
)
from engine.reports import FORMATS
from engine.runner import Stop
from engine.terminal import printable

EPILOG = (
    "exit codes: 0 ok, 1 other error, 2 a host failed, 3 a host unreachable, 4 invalid input,"
    " 5 bad options, 99 interrupted"
)


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 5) instead of exiting with 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().strip()}")


# -- the parser -----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="netplay", description="Playbooks for network devices.", epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"netplay {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _run_parser(sub.add_parser("run", help="run a playbook", epilog=EPILOG))

    validate = sub.add_parser("validate", help="validate playbooks; touches no device")
    validate.add_argument("playbook", nargs="+", help="the playbook files")
    _inventory(validate)
    _extra_vars(validate)
    _vault_key_file(validate)
    _allow_dir(validate)

    cmd = sub.add_parser("cmd", help="send show commands to every selected device", epilog=EPILOG)
    cmd.add_argument("commands", nargs="+", metavar="COMMAND", help="exec-mode commands")
    _common(cmd)
    cmd.add_argument("--json", action="store_true", help='print [{"HOST": "OUTPUT"}, ...]')
    cmd.add_argument(
        "--output",
        type=new_file,
        metavar="FILE",
        help="write HOST#COMMAND blocks to FILE (its folder must exist)",
    )

    _report_parser(sub.add_parser("report", help="make a JUnit or HTML report of a results file"))

    hosts = sub.add_parser("hosts", help="list the selected hosts")
    _inventory(hosts)
    _limit(hosts)
    hosts.add_argument("--names", action="store_true", help=argparse.SUPPRESS)  # completion

    vault = sub.add_parser("vault", help="encrypted vars files")
    vault_sub = vault.add_subparsers(dest="vault_command", required=True, parser_class=_Parser)
    keygen = vault_sub.add_parser("keygen", help="make a new vault key")
    keygen.add_argument(
        "--out",
        type=new_file,
        metavar="FILE",
        help="write the key to a new file, private to you (0600)",
    )
    for action in ("encrypt", "decrypt"):
        one = vault_sub.add_parser(action, help=f"{action} a vars file in place")
        one.add_argument("file", type=existing_file, help="the vars file")
        _vault_key_file(one)

    lab = sub.add_parser("lab", help="the simulated device lab")
    lab_sub = lab.add_subparsers(dest="lab_command", required=True, parser_class=_Parser)
    serve = lab_sub.add_parser("serve", help="serve the inventory's hosts as simulated devices")
    _inventory(serve)
    _limit(serve)
    serve.add_argument(
        "--port", type=port, default=2222, help="port on every address, 1-65535 (2222)"
    )
    serve.add_argument(
        "--host-key",
        type=Path,
        metavar="FILE",
        help="the lab's SSH host key, kept across restarts (default: in your state folder)",
    )
    _tool_parsers(sub)
    return parser


def _run_parser(run: argparse.ArgumentParser) -> None:
    run.add_argument("playbook", help="the playbook file")
    _common(run)
    _extra_vars(run)
    _allow_dir(run)
    run.add_argument(
        "--results",
        type=new_file,
        metavar="FILE.json",
        help="write the whole run as JSON (and FILE.jsonl as it goes); the folder must exist",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="statuses only, no outputs")
    run.add_argument("-C", "--check", action="store_true", help="send no configuration")
    run.add_argument("-D", "--diff", action="store_true", help="show running-config changes")
    run.add_argument(
        "-t", "--tags", type=tags, default=frozenset(), help="only steps with these tags (a,b)"
    )
    run.add_argument(
        "--skip-tags", type=tags, default=frozenset(), help="skip steps with these tags (a,b)"
    )
    run.add_argument("--list-steps", action="store_true", help="list the steps and stop")
    run.add_argument("--start-at-step", metavar="NAME", help="skip the steps before NAME")
    run.add_argument(
        "--output-dir",
        type=folder,
        default=Path(),
        metavar="DIR",
        help="where save_to writes (created if missing; its parent must exist)",
    )
    run.add_argument(
        "--rerun-failed",
        type=existing_file,
        metavar="RESULTS.json",
        help="run only the hosts that failed or were unreachable in that results file",
    )
    _history_options(run)
    _console_and_reports(run)


def _console_and_reports(run: argparse.ArgumentParser) -> None:
    """What `run` shows while it goes, and the reports it writes at the end."""
    run.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="every host's output as it finishes, on a terminal too (-vv: as device exchanges)",
    )
    run.add_argument(
        "--no-progress",
        action="store_true",
        help="plain lines, step by step, even on a terminal (also: NO_COLOR, or not a terminal)",
    )
    run.add_argument(
        "--report",
        dest="reports",
        nargs=2,
        action=ReportTarget,
        default=(),
        metavar=("FORMAT", "FILE"),
        help="also write a report, junit or html, when the run ends (repeatable)",
    )


def _report_parser(report: argparse.ArgumentParser) -> None:
    """`netplay report junit|html --from RESULTS.json --out FILE`."""
    report.add_argument("format", choices=FORMATS, help="the report's format")
    report.add_argument(
        "--from",
        dest="source",
        type=existing_file,
        required=True,
        metavar="RESULTS.json",
        help="a results file written by `run --results`",
    )
    report.add_argument(
        "--out", type=new_file, required=True, metavar="FILE", help="the report file to write"
    )


def _inventory(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-i",
        "--inventory",
        type=existing_file,
        metavar="INVENTORY",
        help="inventory file (default: inventory.yml or devices.yaml here)",
    )


def _limit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-l", "--limit", metavar="PATTERN", help="only these hosts: R1,routers,!R2,&core,core-*"
    )


def _extra_vars(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-e",
        "--extra-vars",
        action="append",
        default=[],
        metavar="KEY=VALUE|@FILE",
        help="variables that beat every other (repeatable; @FILE for a YAML or vault file)",
    )


def _vault_key_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vault-key-file",
        type=existing_file,
        metavar="FILE",
        help="key for vault files (default: $NETPLAY_VAULT_KEY)",
    )


def _allow_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-dir",
        dest="allow_dirs",
        action="append",
        type=existing_folder,
        default=[],
        metavar="DIR",
        help="also let the playbook read files (includes, templates, -e @FILE) under DIR",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    _inventory(parser)
    _limit(parser)
    parser.add_argument(
        "-f",
        "--forks",
        type=forks,
        default=DEFAULT_FORKS,
        help=f"hosts at once, 1-{MAX_FORKS} ({DEFAULT_FORKS})",
    )
    parser.add_argument(
        "--executor",
        type=executor,
        default=ExecutorSpec(),
        metavar="KIND",
        help="where device work runs: auto (default), threads, processes:N (N forked"
        " worker processes), dask-local:N (a Dask LocalCluster), dask://HOST:PORT (a"
        " running Dask scheduler)",
    )
    parser.add_argument(
        "--lab",
        action="store_true",
        help="run against simulated devices on 127.0.0.0/8 (the inventory's addresses and"
        " connection options are ignored)",
    )
    parser.add_argument(
        "--connect-timeout",
        type=seconds,
        default=DEFAULT_CONNECT_TIMEOUT,
        metavar="SECONDS",
        help=f"to open a session ({DEFAULT_CONNECT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--command-timeout",
        type=seconds,
        default=DEFAULT_COMMAND_TIMEOUT,
        metavar="SECONDS",
        help=f"for each command's output ({DEFAULT_COMMAND_TIMEOUT:g})",
    )
    parser.add_argument(
        "--host-timeout",
        type=seconds,
        metavar="SECONDS",
        help="wall-clock budget per host for the whole run",
    )
    parser.add_argument(
        "--connect-rate",
        type=rate,
        metavar="PER_SECOND",
        help=f"start at most this many connections a second, with jitter; at least"
        f" {MIN_CONNECT_RATE:g}",
    )
    parser.add_argument(
        "--host-key-policy",
        choices=("accept-new", "strict", "off"),
        default="accept-new",
        help="unknown host keys: accept and remember (default), refuse, or do not check",
    )
    parser.add_argument(
        "--known-hosts",
        type=new_file,
        metavar="FILE",
        help="host keys file (default: ~/.ssh/known_hosts); its folder must exist",
    )
    parser.add_argument(
        "--session-logs",
        type=folder,
        metavar="DIR",
        help="one session log per host in DIR (created if missing; its parent must exist)",
    )
    _vault_key_file(parser)
    parser.add_argument(
        "-k", "--ask-pass", action="store_true", help="ask for the SSH password once"
    )


# -- operator tools: run history, drift, schemas, a new runbook repository, completion ------

TOOLS = ("history", "diff", "schema", "init", "completion")
SHELLS = ("bash", "zsh", "fish")
SCHEMAS = ("playbook", "inventory", "results")
_WHERE = "PLAYBOOK_OR_FOLDER"


def _history_options(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "--no-history",
        dest="history",
        action="store_false",
        help="keep no copy of the results in .netplay/runs/ beside the playbook",
    )
    run.add_argument(
        "--keep-runs",
        type=runs_kept,
        default=DEFAULT_KEEP_RUNS,
        metavar="N",
        help=f"runs the history keeps, the oldest removed first; 1-{MAX_RUNS_KEPT}"
        f" ({DEFAULT_KEEP_RUNS})",
    )


def _tool_parsers(sub: Any) -> None:
    history = sub.add_parser("history", help="list the runs kept beside a playbook")
    history.add_argument(
        "where",
        nargs="?",
        default=".",
        metavar=_WHERE,
        help="a playbook (only its runs) or a folder: where the runs are kept (default: here)",
    )
    _diff_parser(sub.add_parser("diff", help="what changed between two runs (exit 1: drift)"))
    schema = sub.add_parser("schema", help="print a JSON Schema, for editors and other tools")
    schema.add_argument("name", choices=SCHEMAS, help="which schema")
    schema.add_argument(
        "--markdown", action="store_true", help="print a reference of its keys in Markdown"
    )
    init = sub.add_parser("init", help="start a runbook repository in DIR")
    init.add_argument(
        "folder", type=folder, metavar="DIR", help="a new or empty folder (its parent must exist)"
    )
    init.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that is not empty, keeping every file already there",
    )
    completion = sub.add_parser("completion", help="print a shell completion script")
    completion.add_argument("shell", choices=SHELLS, help="for which shell")


def _diff_parser(diff: argparse.ArgumentParser) -> None:
    diff.add_argument(
        "before",
        nargs="?",
        metavar="A",
        help="a run id (or its start) or a results file (default: the run before B)",
    )
    diff.add_argument(
        "after", nargs="?", metavar="B", help="a run id or a results file (default: the latest)"
    )
    diff.add_argument(
        "-p",
        "--playbook",
        dest="where",
        default=".",
        metavar=_WHERE,
        help="where the runs are kept: beside this playbook, or in this folder (default: here)",
    )
    diff.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="REGEX",
        help="also leave out of output lines what this RE2 pattern (or its groups) matches",
    )
    diff.add_argument(
        "--ignore-field",
        action="append",
        default=[],
        metavar="REGEX",
        help="also leave out parsed fields whose name this RE2 pattern matches",
    )
    diff.add_argument(
        "--exact", action="store_true", help="compare uptime, clock, counters and timers too"
    )


def _tool(args: argparse.Namespace) -> int:
    if args.command == "hosts":  # `--names`, asked by completion as you type: kept light
        from engine.completion import print_names

        return print_names(args.inventory)
    from engine import commands

    if args.command == "history":
        return commands.history(args.where)
    if args.command == "diff":
        patterns = (args.ignore, args.ignore_field)
        return commands.diff(args.before, args.after, args.where, *patterns, exact=args.exact)
    if args.command == "schema":
        return commands.schema(args.name, markdown=args.markdown)
    if args.command == "init":
        return commands.init(args.folder, force=args.force)
    return commands.completion(args.shell, _parser())


# -- running --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, *, stop: Stop | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""

    def dispatch() -> int:
        return _dispatch(_parser().parse_args(argv), stop or Stop())

    return guarded(dispatch)


def guarded(action: Callable[[], int]) -> int:
    """Run a command and turn whatever it raises into a message and an exit code: a
    NetplayError prints itself, anything else is one line (the traceback with
    NETPLAY_DEBUG=1) and exit 1."""
    try:
        return int(action())
    except NetplayError as exc:
        _debug(exc)
        print(printable(exc.render()), file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt as exc:
        _debug(exc)
        print("interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except OSError as exc:  # the machine said no (disk full, permissions): not a bug
        _debug(exc)
        where = f": {exc.filename}" if exc.filename else ""
        print(printable(f"error: {exc.strerror or exc}{where}"), file=sys.stderr)
        return int(ExitCode.ERROR)
    except Exception as exc:  # the last resort: never a traceback for the user
        _debug(exc)
        print(printable(InternalError.of(exc).render()), file=sys.stderr)
        return int(ExitCode.ERROR)


def _debug(exc: BaseException) -> None:
    if os.environ.get("NETPLAY_DEBUG"):
        traceback.print_exception(exc)


def console() -> NoReturn:
    """The `netplay` executable. Ctrl-C and SIGTERM stop a run gently (see `Stop`), even
    when SIGINT was inherited as ignored. After an interrupted run (results already
    written), leave at once instead of waiting for abandoned device sessions."""
    stop = Stop()
    # netplay never gives paramiko an SSH config (an inventory cannot name one), so
    # paramiko's optional `invoke`, there only to run `Match exec` commands, stays out:
    # ~50 ms less at every start, and no path to a command runner.
    sys.modules.setdefault("invoke", None)  # type: ignore[arg-type]

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.request()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    code = main(stop=stop)
    sys.stdout.flush()
    sys.stderr.flush()
    if code == ExitCode.INTERRUPTED:
        os._exit(code)
    sys.exit(code)


def _dispatch(args: argparse.Namespace, stop: Stop) -> int:
    if args.command in TOOLS or (args.command == "hosts" and args.names):
        return _tool(args)
    from engine import commands

    if args.command == "run":
        return commands.run(args.playbook, _run_options(args), stop=stop)
    if args.command == "cmd":
        options = _run_options(args)
        return commands.cmd(
            args.commands, options, as_json=args.json, output=args.output, stop=stop
        )
    if args.command == "validate":
        return commands.validate_each(
            args.playbook, args.inventory, args.extra_vars, args.vault_key_file, args.allow_dirs
        )
    if args.command == "report":
        return commands.report(args.format, args.source, args.out)
    if args.command == "hosts":
        return commands.hosts(args.inventory, args.limit)
    if args.command == "lab":
        return commands.lab_serve(args.inventory, args.limit, args.port, args.host_key)
    file = getattr(args, "file", None)  # `vault keygen` takes no file
    key_file = getattr(args, "vault_key_file", None)
    return commands.vault(args.vault_command, file, key_file, getattr(args, "out", None))


def _run_options(args: argparse.Namespace) -> RunOptions:
    """The options `run` or `cmd` was given; argparse's types already checked each one."""
    given: dict[str, Any] = {
        f.name: getattr(args, f.name) for f in fields(RunOptions) if hasattr(args, f.name)
    }
    given["extra_vars"] = tuple(given.get("extra_vars", ()))
    given["allow_dirs"] = tuple(given.get("allow_dirs", ()))
    return RunOptions(**given)
