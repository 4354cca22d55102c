"""One error root for netplay; every error knows its exit code and how to print itself.

    NetplayError                 exit 1   anything unexpected
    ├── UsageError               exit 5   bad command-line options
    ├── InputError               exit 4   playbook, inventory or vars file invalid
    │                                     (carries one or more located Problems)
    ├── TemplateError            exit 4   a template fails to compile or render
    │                                     (engine.templating)
    ├── PatternError             exit 4   a host pattern names nothing (engine.inventory)
    ├── Interrupted              exit 99  Ctrl-C / SIGTERM during a run
    ├── InternalError            exit 1   a bug, shown as one line
    └── DeviceError              per-host failures raised by drivers, turned into
        ├── Unreachable                   result data by the executor
        ├── AuthenticationFailed
        ├── CommandTimeout
        │   └── HostBudgetUsedUp          the host's --host-timeout ran out
        ├── CommandRejected
        ├── SessionLost
        └── StepInterrupted               a step stopped by Ctrl-C between commands

Run-time failures of one host never stop the run: the executor catches DeviceError and
TemplateError and records them in that host's result, with a `FailureKind`. Anything
else that escapes is a bug: the command line prints it as one line, exits 1 and still
writes the results collected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from engine.secrets import is_secret_name, masked_excerpt

KeyPath = tuple[str | int, ...]


class ExitCode(IntEnum):
    """The process exit codes promised in the README."""

    OK = 0
    ERROR = 1
    HOST_FAILED = 2
    HOST_UNREACHABLE = 3
    INVALID_INPUT = 4
    USAGE = 5
    INTERRUPTED = 99


class FailureKind(StrEnum):
    """What made a host's step fail: `kind` in its result (and in the results schema);
    for a skipped step, `stopped` says the rollout stopped before it."""

    UNREACHABLE = "unreachable"
    AUTH = "auth"
    TIMEOUT = "timeout"
    REJECTED = "rejected"  # device error text
    SESSION = "session"  # the device dropped the session
    DEVICE = "device"
    TEMPLATE = "template"
    PARSE = "parse"
    ASSERT = "assert"
    FAILED_WHEN = "failed_when"
    UNTIL = "until"
    ENSURE = "ensure"  # an ensure block that cannot be compared (engine.ensure)
    SAVE_TO = "save_to"
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM stopped the step between commands
    ROLLBACK = "rollback"  # rollback_on_failure could not archive the running-config first
    STOPPED = "stopped"  # (skipped) the rollout stopped before the step (engine.rollout)
    INTERNAL = "internal"


def format_path(path: KeyPath) -> str:
    """Render a key path the way users write it: ``steps[0].send``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


@dataclass(frozen=True)
class Location:
    """Where in which file something is: 1-based line and column, plus the key path."""

    file: str
    line: int | None = None
    column: int | None = None
    path: KeyPath = ()

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, at one place."""

    location: Location
    message: str
    hint: str | None = None
    source_line: str | None = field(default=None, compare=False)

    def render(self) -> str:
        head = f"{self.location}: {format_path(self.location.path)}: {self.message}"
        lines = [head]
        if self.source_line is not None and self.location.line is not None:
            secret = any(isinstance(p, str) and is_secret_name(p) for p in self.location.path)
            text, column = masked_excerpt(self.source_line, self.location.column, secret=secret)
            lines.append(f"  {self.location.line:>4} | {text.rstrip()}")
            if column is not None:
                lines.append("       | " + " " * (column - 1) + "^")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class NetplayError(Exception):
    """Root of every error netplay raises on purpose."""

    exit_code: ExitCode = ExitCode.ERROR

    def render(self) -> str:
        """The one-screen text shown to the user (no traceback)."""
        return f"error: {self}"


class UsageError(NetplayError):
    """The command line asks for something impossible."""

    exit_code = ExitCode.USAGE


class InputError(NetplayError):
    """A playbook, inventory or vars file is invalid; carries every problem found."""

    exit_code = ExitCode.INVALID_INPUT
    max_shown = 10

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = tuple(problems)
        super().__init__(problems[0].render())

    @classmethod
    def at(
        cls,
        file: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        path: KeyPath = (),
        hint: str | None = None,
        source_line: str | None = None,
    ) -> InputError:
        """Shorthand for an error with a single problem."""
        location = Location(file, line, column, path)
        return cls([Problem(location, message, hint, source_line)])

    def render(self) -> str:
        shown = [p.render() for p in self.problems[: self.max_shown]]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            shown.append(f"... and {rest} more problem{'s' if rest > 1 else ''}")
        count = len(self.problems)
        title = f"error: {count} problem{'s' if count > 1 else ''} found"
        return "\n".join([title, *shown])


class Interrupted(NetplayError):
    """The run was stopped by SIGINT or SIGTERM; what ran is saved."""

    exit_code = ExitCode.INTERRUPTED


class DeviceError(NetplayError):
    """A failure talking to one host; becomes that host's result, never stops the run."""

    status = "failed"
    kind = FailureKind.DEVICE

    def __init__(self, host: str, message: str) -> None:
        self.host = host
        self.message = message
        super().__init__(f"{host}: {message}")


class Unreachable(DeviceError):
    """No SSH session could be opened: refused, no route, or connect timeout."""

    kind = FailureKind.UNREACHABLE

    status = "unreachable"


class AuthenticationFailed(DeviceError):
    """The device rejected the username/password or the enable secret."""

    kind = FailureKind.AUTH


class CommandTimeout(DeviceError):
    """The device stopped answering in the middle of a command."""

    kind = FailureKind.TIMEOUT


HOST_BUDGET_USED_UP = "host budget (--host-timeout) used up"


class HostBudgetUsedUp(CommandTimeout):
    """The host's `--host-timeout` budget ran out before its run did."""

    def __init__(self, host: str) -> None:
        super().__init__(host, HOST_BUDGET_USED_UP)


class CommandRejected(DeviceError):
    """The device answered a command with an error (``% Invalid input`` ...)."""

    kind = FailureKind.REJECTED


class SessionLost(DeviceError):
    """The device closed the session while netplay was still using it."""

    kind = FailureKind.SESSION


class StepInterrupted(DeviceError):
    """Ctrl-C or SIGTERM came while a step was running: its next command was not sent."""

    kind = FailureKind.INTERRUPTED


class InternalError(NetplayError):
    """Something netplay did not expect (a bug): one line for the user, exit 1."""

    max_length = 300

    @classmethod
    def of(cls, exc: BaseException, mask: Callable[[str], str] | None = None) -> InternalError:
        """The exception as one printable line, secrets masked; the original is the cause."""
        text = f"{type(exc).__name__}: {exc}".strip().splitlines()[0]
        text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
        if len(text) > cls.max_length:
            text = text[: cls.max_length] + "…"
        return cls(mask(text) if mask else text)

    def render(self) -> str:
        return f"error: internal error: {self}\n  hint: NETPLAY_DEBUG=1 shows the traceback"
