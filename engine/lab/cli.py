"""One CLI session on a simulated device: prompts, enable, exec commands, config mode.

Pure logic: a line goes in, a `Reply` comes out; the SSH server only moves bytes and
applies delays. The behaviour knobs that concern commands (`reject`, `hang_on`,
`drop_after`) are decided here, after abbreviations are expanded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar

from engine.lab import config, config_replace, dialogs, files, trees
from engine.lab.commands import Failure, Match, parse
from engine.lab.device import Device
from engine.lab.exec_commands import is_show, run_show
from engine.lab.filters import apply_filter, parse_filter
from engine.lab.grammar import Outcome
from engine.lab.modes import Command, Context, Mode, Question, word_column
from engine.lab.render_show import show_privilege
from engine.lab.terminal import TerminalSettings

_INVALID = "% Invalid input detected at '^' marker.\n\n"
_ENTERED = "Enter configuration commands, one per line.  End with CNTL/Z.\n"
_SECRET_TRIES = 3


@dataclass(frozen=True)
class Reply:
    """What the device sends back for one line, and what the session does next."""

    output: str = ""
    echo: bool = True  # False for secrets, which IOS never echoes
    hang: bool = False  # the command never completes
    close: bool = False  # the device closes the session after the output
    counted: bool = (
        True  # counts towards `drop_after` (not blank lines, terminal settings, secrets)
    )


class DropAfter:
    """The `drop_after` knob, for every personality: the device closes the session with
    the answer to the Nth counted command."""

    def __init__(self, limit: int | None) -> None:
        self._limit = limit
        self._count = 0

    def count(self, reply: Reply) -> Reply:
        if not reply.counted:
            return reply
        self._count += 1
        if self._limit is not None and self._count >= self._limit:
            return replace(reply, close=True)
        return reply


def knob_words(text: str) -> tuple[str, ...]:
    """A knob's command with abbreviations expanded, so `sh tech` names `show tech-support`."""
    for root in (trees.EXEC, config.tree_for(Mode.CONFIG)):
        parsed = parse(text, root)
        if isinstance(parsed, Match):
            return tuple(word.lower() for word in parsed.words)
    return tuple(text.lower().split())


class Session:
    """The state of one login: mode, pending questions, commands run so far."""

    def __init__(self, device: Device, username: str | None = None) -> None:
        self.device = device
        self.username = username or ""
        # As on IOS with `login local`, a privilege-15 user starts in privileged exec mode.
        privileged = device.state.user_privilege(self.username) == 15
        self.context = Context(Mode.PRIVILEGED if privileged else Mode.USER)
        self._pending: Callable[[str], Reply] | None = None
        self._rejected = tuple(knob_words(text) for text in device.knobs.reject)
        self._hang_on = knob_words(device.knobs.hang_on) if device.knobs.hang_on else None
        self._drop = DropAfter(device.knobs.drop_after)
        self._closed = False
        self.terminal = TerminalSettings()

    @property
    def prompt(self) -> str:
        """The prompt to show now; empty while the device waits for an answer to a question."""
        if self._pending is not None or self._closed:
            return ""
        return self.context.prompt(self.device.state.hostname)

    @property
    def privilege(self) -> int:
        return 1 if self.context.mode is Mode.USER else 15

    def greeting(self) -> str:
        """What the device prints when the session opens."""
        return "\n" + self.prompt

    def handle(self, line: str) -> Reply:
        """Answer one line of input."""
        return self._drop.count(self._answer(line))

    def _answer(self, line: str) -> Reply:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            return pending(line)
        if not line.strip():
            return Reply(counted=False)
        prompt = self.prompt
        if self.context.mode.configuring:
            return self._configure(line, prompt)
        return self._exec(line, prompt, 0)

    def _exec(self, line: str, prompt: str, offset: int) -> Reply:
        command_text, bar, filter_text = line.partition("|")
        result = parse(command_text, trees.EXEC, privileged=self.privilege == 15)
        if isinstance(result, Failure):
            return Reply(self._failure(result, line, prompt, offset))
        pipe = parse_filter(filter_text) if bar else None
        if isinstance(pipe, Failure):
            return Reply(self._failure(pipe, line, prompt, offset + len(command_text) + 1))
        refused = self._refused(result.words, line, prompt, offset)
        if refused is not None:
            return refused
        reply = self._run_exec(Command(result, line), prompt, offset)
        if isinstance(pipe, Match):
            reply = replace(reply, output=apply_filter(reply.output, pipe))
        return self._maybe_hang(result.words, reply)

    def _run_exec(self, command: Command, prompt: str, offset: int) -> Reply:
        action = command.match.action
        if is_show(action):
            output = run_show(self.device, command)
            if isinstance(output, Failure):
                return Reply(self._failure(output, command.line, prompt, offset))
            return Reply(output)
        if action in files.ACTIONS:
            return self._ask(files.run(self.device, command), command.line, prompt, offset)
        if action in config_replace.ACTIONS:
            reply = config_replace.run(self.device, command)
            return self._ask(reply, command.line, prompt, offset)
        step = self._SESSION_ACTIONS[action](self, command)
        return step if isinstance(step, Reply) else self._ask(step, command.line, prompt, offset)

    def _ask(self, step: Outcome, line: str, prompt: str, offset: int) -> Reply:
        """A command's output, or its question (the next line answers it)."""
        if isinstance(step, Failure):
            return Reply(self._failure(step, line, prompt, offset))
        if isinstance(step, str):
            return Reply(step, close=self._closed)
        question = step
        self._pending = lambda text: replace(
            self._ask(question.answer(text), line, prompt, offset), counted=False
        )
        return Reply(question.text)

    def interrupt(self) -> None:
        """Ctrl-C or Ctrl-Z: drop a pending question and leave configuration mode."""
        self._pending = None
        if self.context.mode.configuring:
            self.context.enter(Mode.PRIVILEGED)

    @property
    def configuring(self) -> bool:
        """Whether the session is in a configuration mode (Ctrl-Z means `end` there)."""
        return self.context.mode.configuring

    @property
    def asking(self) -> bool:
        """Whether the next line answers a question (a file name, a confirmation)."""
        return self._pending is not None

    def _configure(self, line: str, prompt: str) -> Reply:
        if "\x1a" in line:  # Ctrl-Z ends configuration like `end`
            return self._leave("end")
        result, leaves = config.resolve(self.context.mode, line)
        words = result.words if isinstance(result, Match) else tuple(line.split())
        refused = self._refused(words, line, prompt, 0)
        if refused is not None:
            return refused
        if isinstance(result, Failure):
            return Reply(self._failure(result, line, prompt, 0))
        command = Command(result, line)
        if result.action == "do":
            return self._exec(result.args[0], prompt, command.column(1))
        if result.action in ("end", "exit"):
            return self._leave(result.action)
        if leaves:
            self.context.enter(Mode.CONFIG)
        outcome = config.apply(self.context, self.device, command)
        return self._maybe_hang(words, self._ask(outcome, line, prompt, 0))

    def _leave(self, action: str) -> Reply:
        config.leave(self.context, action)
        if not self.context.mode.configuring:
            self.device.log.add(
                f"%SYS-5-CONFIG_I: Configured from console by {self.username or 'console'} on vty0"
            )
        return Reply()

    def _refused(self, words: tuple[str, ...], line: str, prompt: str, offset: int) -> Reply | None:
        """The `reject` knob: answer a listed command as if the device did not know it."""
        lowered = tuple(word.lower() for word in words)
        for rejected in self._rejected:
            if lowered[: len(rejected)] == rejected:
                column = word_column(line, len(rejected) - 1)
                return Reply(" " * (len(prompt) + offset + column) + "^\n" + _INVALID)
        return None

    def _maybe_hang(self, words: tuple[str, ...], reply: Reply) -> Reply:
        """The `hang_on` knob: print the first line of the output, then never finish."""
        hang_on = self._hang_on
        if hang_on is None or tuple(w.lower() for w in words[: len(hang_on)]) != hang_on:
            return reply
        first, newline, _rest = reply.output.partition("\n")
        return replace(reply, output=first + newline, hang=True)

    @staticmethod
    def _failure(failure: Failure, line: str, prompt: str, offset: int) -> str:
        if failure.kind == "ambiguous":
            return f'% Ambiguous command:  "{line.strip()}"\n'
        if failure.kind == "incomplete":
            return "% Incomplete command.\n\n"
        return " " * (len(prompt) + offset + failure.column) + "^\n" + _INVALID

    # -- session commands ------------------------------------------------------------------

    def _enable(self, command: Command) -> Reply:
        if self.context.mode is Mode.USER:
            if not self.device.state.enable_required:
                self.context.enter(Mode.PRIVILEGED)
            else:
                self._pending = lambda line: self._check_secret(line, 1)
                return Reply("Password: ")
        return Reply()

    def _check_secret(self, line: str, attempt: int) -> Reply:
        # The secret is compared, never echoed nor repeated in any output.
        if self.device.state.check_enable(line):
            self.context.enter(Mode.PRIVILEGED)
            return Reply("\n", echo=False, counted=False)
        if attempt < _SECRET_TRIES:
            self._pending = lambda again: self._check_secret(again, attempt + 1)
            return Reply("\nPassword: ", echo=False, counted=False)
        return Reply("\n% Bad secrets\n\n", echo=False, counted=False)

    def _disable(self, command: Command) -> Reply:
        self.context.enter(Mode.USER)
        return Reply()

    def _exit(self, command: Command) -> Reply:
        self._closed = True
        return Reply(close=True)

    def _terminal(self, command: Command) -> Reply:
        self.terminal.set(command.match.words, command.args)
        return Reply(counted=False)

    def _show_privilege(self, command: Command) -> Reply:
        return Reply(show_privilege(self.privilege))

    def _configure_terminal(self, command: Command) -> Reply:
        self.context.enter(Mode.CONFIG)
        return Reply(_ENTERED)

    def _configure_ask(self, command: Command) -> Question:
        def terminal() -> str:
            self.context.enter(Mode.CONFIG)
            return _ENTERED

        return dialogs.configure(terminal, lambda: dialogs.copy_startup_running(self.device, False))

    def _write_memory(self, command: Command) -> Reply:
        return Reply(dialogs.save(self.device))

    def _copy_running_startup(self, command: Command) -> Question:
        def answer(line: str) -> str:
            name = line.strip()
            if name not in ("", "startup-config"):
                return f"%Error opening nvram:/{name} (No such file or directory)\n"
            return dialogs.save(self.device)

        return Question("Destination filename [startup-config]? ", answer)

    def _reload(self, command: Command) -> dialogs.Step:
        def restart() -> None:
            self._closed = True
            self.device.reload()

        return dialogs.reload(self.device, restart)

    def _ping_extended(self, command: Command) -> dialogs.Step:
        if self.privilege != 15:  # extended ping is for privileged mode only
            return "% Incomplete command.\n\n"
        return dialogs.extended_ping(self.device)

    def _clear_arp(self, command: Command) -> Reply:
        return Reply()

    def _clear_logging(self, command: Command) -> Question:
        def clear() -> str:
            self.device.log.clear()
            return ""

        return dialogs.confirm("Clear logging buffer [confirm]", clear)

    _SESSION_ACTIONS: ClassVar[dict[str, Callable[[Session, Command], Reply | dialogs.Step]]] = {
        "enable": _enable,
        "disable": _disable,
        "exit": _exit,
        "terminal": _terminal,
        "show_privilege": _show_privilege,
        "configure": _configure_terminal,
        "configure_ask": _configure_ask,
        "write_memory": _write_memory,
        "copy_running_startup": _copy_running_startup,
        "copy_startup_running": lambda s, c: dialogs.copy_startup_running(s.device),
        "configure_memory": lambda s, c: dialogs.copy_startup_running(s.device, ask=False),
        "reload": _reload,
        "ping_extended": _ping_extended,
        "clear_counters": lambda s, c: dialogs.clear_counters(s.device, (c.args or (None,))[0]),
        "clear_arp": _clear_arp,
        "clear_logging": _clear_logging,
        "erase_startup": lambda s, c: dialogs.erase_startup(s.device),
    }
