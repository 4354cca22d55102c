"""The `netplay` command: parse arguments, call the library, map errors to exit codes."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from types import FrameType
from typing import NoReturn

from engine import __version__
from engine.errors import ExitCode, NetplayError, UsageError

EPILOG = "exit codes: 0 ok, 2 a host failed, 3 a host unreachable, 4 invalid input, 5 bad options"


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 5) instead of exiting with 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().strip()}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="netplay", description="Playbooks for network devices.", epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"netplay {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a playbook")
    run.add_argument("playbook")
    _common(run)
    run.add_argument("-e", "--extra-vars", action="append", default=[], metavar="KEY=VALUE|@FILE")
    _allow_dir(run)
    run.add_argument(
        "--results",
        metavar="FILE.json",
        help="write the whole run as JSON (and FILE.jsonl as it goes)",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="statuses only, no outputs")
    run.add_argument("-C", "--check", action="store_true", help="send no configuration")
    run.add_argument("-D", "--diff", action="store_true", help="show running-config changes")
    run.add_argument("-t", "--tags", default="", help="only steps with these tags (a,b)")
    run.add_argument("--skip-tags", default="", help="skip steps with these tags")
    run.add_argument("--list-steps", action="store_true", help="list the steps and stop")
    run.add_argument("--start-at-step", metavar="NAME", help="skip the steps before NAME")
    run.add_argument("--output-dir", default=".", metavar="DIR", help="where save_to writes")
    run.add_argument(
        "--rerun-failed",
        metavar="RESULTS.json",
        help="run only the hosts that failed or were unreachable in that results file",
    )

    validate = sub.add_parser("validate", help="validate a playbook; touches no device")
    validate.add_argument("playbook")
    validate.add_argument("-i", "--inventory")
    validate.add_argument("-e", "--extra-vars", action="append", default=[])
    validate.add_argument("--vault-key-file", metavar="FILE")
    _allow_dir(validate)

    cmd = sub.add_parser("cmd", help="send show commands to every selected device")
    cmd.add_argument("commands", nargs="+", metavar="COMMAND")
    _common(cmd)
    cmd.add_argument("--json", action="store_true", help='print [{"HOST": "OUTPUT"}, ...]')
    cmd.add_argument("--output", metavar="FILE", help="write HOST#COMMAND blocks to FILE")

    hosts = sub.add_parser("hosts", help="list the selected hosts")
    hosts.add_argument("-i", "--inventory")
    hosts.add_argument("-l", "--limit", metavar="PATTERN")

    vault = sub.add_parser("vault", help="encrypted vars files")
    vault_sub = vault.add_subparsers(dest="vault_command", required=True, parser_class=_Parser)
    vault_sub.add_parser("keygen", help="print a new vault key")
    for action in ("encrypt", "decrypt"):
        one = vault_sub.add_parser(action, help=f"{action} a vars file in place")
        one.add_argument("file")
        one.add_argument("--vault-key-file", metavar="FILE")

    lab = sub.add_parser("lab", help="the simulated device lab")
    lab_sub = lab.add_subparsers(dest="lab_command", required=True, parser_class=_Parser)
    serve = lab_sub.add_parser("serve", help="serve the inventory's hosts as simulated devices")
    serve.add_argument("-i", "--inventory")
    serve.add_argument("-l", "--limit", metavar="PATTERN")
    serve.add_argument("--port", type=int, default=2222, help="port on every address")
    return parser


def _allow_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="also let the playbook read files (includes, templates, -e @FILE) under DIR",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-i", "--inventory")
    parser.add_argument("-l", "--limit", metavar="PATTERN")
    parser.add_argument("-f", "--forks", type=int, default=20, help="hosts at once (20)")
    parser.add_argument("--lab", action="store_true", help="run against simulated devices")
    parser.add_argument("--connect-timeout", type=float, default=10.0, metavar="SECONDS")
    parser.add_argument("--command-timeout", type=float, default=30.0, metavar="SECONDS")
    parser.add_argument(
        "--host-timeout",
        type=float,
        metavar="SECONDS",
        help="wall-clock budget per host for the whole run",
    )
    parser.add_argument(
        "--connect-rate",
        type=float,
        metavar="PER_SECOND",
        help="start at most this many connections a second (with jitter)",
    )
    parser.add_argument(
        "--host-key-policy",
        choices=("accept-new", "strict", "off"),
        default="accept-new",
        help="unknown host keys: accept and remember (default), refuse, or do not check",
    )
    parser.add_argument("--known-hosts", metavar="FILE", help="default: ~/.ssh/known_hosts")
    parser.add_argument("--session-logs", metavar="DIR", help="one session log per host")
    parser.add_argument(
        "--vault-key-file", metavar="FILE", help="key for -e @vault files ($NETPLAY_VAULT_KEY)"
    )
    parser.add_argument(
        "-k", "--ask-pass", action="store_true", help="ask for the SSH password once"
    )


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops a run the way Ctrl-C does: results are kept


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    try:
        args = _parser().parse_args(argv)
        return int(_dispatch(args))
    except NetplayError as exc:
        print(exc.render(), file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        if os.environ.get("NETPLAY_DEBUG"):
            traceback.print_exc()
        print("interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)


def console() -> NoReturn:
    """The `netplay` executable. After an interrupted run (results already written), leave
    at once instead of waiting for abandoned device sessions to time out."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    if code == ExitCode.INTERRUPTED:
        os._exit(code)
    sys.exit(code)


def _dispatch(args: argparse.Namespace) -> int:
    from engine import commands

    handler = {
        "run": commands.run,
        "validate": commands.validate,
        "cmd": commands.cmd,
        "hosts": commands.hosts,
        "lab": commands.lab_serve,
        "vault": commands.vault,
    }[args.command]
    return handler(args)
