"""A login on a simulated EOS or NX-OS switch, driven by the platform's tables.

Everything that differs between the two operating systems is data in a `Platform`
(engine.lab.switch_editor); this module only walks modes: exec, configuration (through a
`ConfigEditor`), and EOS's configuration sessions, whose changes wait apart until `commit`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import replace

from engine.lab.cli import DropAfter, Reply
from engine.lab.commands import Match
from engine.lab.device import Device
from engine.lab.filters import apply_filter, parse_filter
from engine.lab.switch_config import SwitchConfig, render
from engine.lab.switch_editor import EXEC, ConfigEditor, Platform, switch_state
from engine.lab.switch_grammar import Failure, Parsed, Rule, offered, parse, word_column
from engine.lab.switch_view import SwitchView
from engine.lab.terminal import TerminalSettings

_SECRET_TRIES = 3


class SwitchSession:
    """One login on a switch: exec mode, configuration, a pending password."""

    def __init__(self, platform: Platform, device: Device, username: str | None) -> None:
        self.platform = platform
        self.device = device
        self.username = username or ""
        self.state = switch_state(device, platform)
        self.privileged = platform.start_privileged
        self.editor: ConfigEditor | None = None
        self.session_name: str | None = None
        self._secret_tries = 0
        self._closed = False
        self._drop = DropAfter(device.knobs.drop_after)
        self.terminal = TerminalSettings()
        self._rejected = [self._knob(text) for text in device.knobs.reject]
        hang_on = device.knobs.hang_on
        self._hang_on = self._knob(hang_on) if hang_on else None

    # -- what the server asks ---------------------------------------------------------------

    @property
    def prompt(self) -> str:
        if self._closed or self._secret_tries:
            return ""
        # A config session's hostname shows only once committed.
        hostname = self.state.running.value(None, "hostname") or self.device.identity.hostname
        editor = self.editor
        mode = editor.mode if editor is not None else ("exec" if self.privileged else "user")
        scope = editor.scope if editor is not None and editor.scope else ""
        target = scope.split()[-1] if scope else ""
        session = f"-s-{self.session_name[:6]}" if self.session_name else ""
        return self.platform.prompts[mode].format(
            host=hostname, session=session, target=target, short=self.platform.short(target)
        )

    @property
    def configuring(self) -> bool:
        return self.editor is not None

    @property
    def asking(self) -> bool:
        return bool(self._secret_tries)

    @property
    def config(self) -> SwitchConfig:
        """The configuration commands change: the session's copy inside `configure session`."""
        if self.session_name is not None:
            return self.state.sessions[self.session_name]
        return self.state.running

    def greeting(self) -> str:
        return self.platform.messages.get("banner", "") + "\n" + self.prompt

    def interrupt(self) -> None:
        self._secret_tries = 0
        self._leave()

    def help(self, text: str) -> str:
        words = offered(text, self._rules())
        return "".join(f"  {word}\n" for word in words) or "% Unrecognized command\n"

    def complete(self, text: str) -> str | None:
        if not text or text[-1].isspace():
            return None
        words = [w for w in offered(text, self._rules()) if not w.startswith("<")]
        if len(words) != 1:
            return None
        return text[: len(text) - len(text.split()[-1])] + words[0] + " "

    def _rules(self) -> tuple[Rule, ...]:
        if self.editor is None:
            return self.platform.exec_rules
        return self.platform.config_rules[self.editor.mode] + self.platform.exec_rules

    # -- one line ---------------------------------------------------------------------------

    def handle(self, line: str) -> Reply:
        return self._drop.count(self._answer(line))

    def _answer(self, line: str) -> Reply:
        if self._secret_tries:
            return self._check_secret(line)
        if not line.strip():
            return Reply(counted=False)
        if self.editor is not None:
            return self._configure(line)
        return self._exec(line, 0)

    def _exec(self, line: str, offset: int) -> Reply:
        command, bar, filter_text = line.partition("|")
        parsed = parse(command, self.platform.exec_rules, self.platform.args)
        if isinstance(parsed, Failure):
            return Reply(self._error(parsed, line, offset))
        if parsed.rule.privileged and not self.privileged:
            return Reply(self.platform.errors["privileged"])
        refused = self._refused(tuple(w.lower() for w in parsed.words), line, offset)
        if refused is not None:
            return refused
        reply = self._run(parsed)
        if bar:
            pipe = parse_filter(filter_text)
            if not isinstance(pipe, Match):
                index = len(command.split())
                return Reply(self._error(Failure("invalid", index), line, offset))
            reply = replace(reply, output=apply_filter(reply.output, pipe))
        return self._maybe_hang(parsed, reply)

    def _run(self, parsed: Parsed) -> Reply:
        kind, _, name = parsed.rule.action.partition(":")
        if kind == "show":
            state, platform = self.state, self.platform
            view = SwitchView(
                self.device, state.running, state.startup, platform.ports, platform.short
            )
            return Reply(self.platform.shows[name](view))
        return _EXEC_ACTIONS[kind](self, parsed)

    def _configure(self, line: str) -> Reply:
        editor = self.editor
        assert editor is not None
        rules = (self.platform.config_rules[editor.mode], self.platform.config_rules["config"])
        refused = self._refused(self._knob(line, rules), line, 0)
        if refused is not None:
            return refused
        result = editor.apply(line)
        if isinstance(result, Failure) and "|" in line:
            piped = editor.apply(line.partition("|")[0])  # `show ... | include` is no config
            result = piped if isinstance(piped, Parsed) and piped.rule is EXEC else result
        if isinstance(result, Failure):
            return Reply(self._error(result, line, 0))
        if result.rule is EXEC:
            return self._exec(line, 0)
        kind = result.rule.action.partition(":")[0]
        action = _CONFIG_ACTIONS.get(kind)
        return self._maybe_hang(result, action(self, result) if action else Reply())

    def _error(self, failure: Failure, line: str, offset: int) -> str:
        words = line.split()
        word = words[failure.index] if failure.index < len(words) else ""
        text = self.platform.errors[failure.kind].format(index=failure.index, word=word)
        if not self.platform.caret:
            return text
        column = len(self.prompt) + offset + word_column(line, failure.index)
        return " " * column + "^\n" + text

    # -- knobs ------------------------------------------------------------------------------

    def _knob(self, text: str, vocabularies: tuple[tuple[Rule, ...], ...] = ()) -> tuple[str, ...]:
        """A command in canonical words, so the knob `sh ver` names `show version`."""
        vocabularies = vocabularies or (
            self.platform.exec_rules,
            self.platform.config_rules["config"],
        )
        for rules in vocabularies:
            parsed = parse(text, rules, self.platform.args)
            if isinstance(parsed, Parsed):
                return tuple(w.lower() for w in parsed.words)
        return tuple(text.lower().split())

    def _refused(self, words: tuple[str, ...], line: str, offset: int) -> Reply | None:
        """The `reject` knob: answer a listed command as if the device did not know it."""
        for rejected in self._rejected:
            if words[: len(rejected)] == rejected:
                failure = Failure("invalid", len(rejected) - 1)
                return Reply(self._error(failure, line, offset))
        return None

    def _maybe_hang(self, parsed: Parsed, reply: Reply) -> Reply:
        hang_on = self._hang_on
        if hang_on is None or tuple(w.lower() for w in parsed.words[: len(hang_on)]) != hang_on:
            return reply
        first, newline, _rest = reply.output.partition("\n")
        return replace(reply, output=first + newline, hang=True)

    # -- exec actions -----------------------------------------------------------------------

    def _enable(self, parsed: Parsed) -> Reply:
        if not self.privileged and self.device.spec.secret is not None:
            self._secret_tries = 1
            return Reply("Password: ")
        self.privileged = True
        return Reply()

    def _check_secret(self, line: str) -> Reply:
        # The secret is compared, never echoed nor repeated in any output.
        if line == self.device.spec.secret:
            self._secret_tries, self.privileged = 0, True
            return Reply("\n", echo=False, counted=False)
        if self._secret_tries < _SECRET_TRIES:
            self._secret_tries += 1
            return Reply("\nPassword: ", echo=False, counted=False)
        self._secret_tries = 0
        return Reply("\n" + self.platform.errors["secret"], echo=False, counted=False)

    def _disable(self, parsed: Parsed) -> Reply:
        self.privileged = False
        return Reply()

    def _exit(self, parsed: Parsed) -> Reply:
        self._closed = True
        return Reply(close=True)

    def _terminal(self, parsed: Parsed) -> Reply:
        setting, value = parsed.words[1], int(parsed.args[0])
        self.terminal.set(("terminal", setting), (str(value),))
        key = f"terminal {setting} 0" if value == 0 else f"terminal {setting}"
        return Reply(self.platform.messages.get(key, "").format(n=value), counted=False)

    def _configure_terminal(self, parsed: Parsed) -> Reply:
        self.editor = ConfigEditor(self.platform, self.config)
        return Reply(self.platform.messages.get("configure", ""))

    def _configure_session(self, parsed: Parsed) -> Reply:
        name = parsed.args[0]
        self.state.sessions.setdefault(name, self.state.running.copy())
        self.session_name = name
        return self._configure_terminal(parsed)

    def _save(self, parsed: Parsed) -> Reply:
        self.state.startup = self.state.running.copy()
        return Reply(self.platform.messages["save"])

    def _diffs(self, parsed: Parsed) -> Reply:
        """`show session-config diffs`: what `commit` would change, as a unified diff."""
        if self.session_name is None:
            return Reply(self.platform.errors["no session"])
        layout = self.platform.layout
        before = render(self.state.running, layout)
        after = render(self.config, layout)
        diff = difflib.unified_diff(
            before,
            after,
            "system:/running-config",
            f"session:/{self.session_name}-session-config",
            lineterm="",
        )
        return Reply("".join(f"{line}\n" for line in diff))

    # -- configuration actions --------------------------------------------------------------

    def _end(self, parsed: Parsed) -> Reply:
        self._leave()
        return Reply()

    def _leave(self) -> None:
        """Back to exec mode; a config session stays pending (EOS keeps it by name)."""
        self.editor, self.session_name = None, None

    def _config_exit(self, parsed: Parsed) -> Reply:
        self._leave()
        return Reply()

    def _commit(self, parsed: Parsed) -> Reply:
        if self.session_name is None:
            return Reply(self.platform.errors["no session"])
        self.state.running = self.state.sessions.pop(self.session_name)
        self._leave()
        return Reply()

    def _abort(self, parsed: Parsed) -> Reply:
        if self.session_name is None:
            return Reply(self.platform.errors["no session"])
        del self.state.sessions[self.session_name]
        self._leave()
        return Reply()

    def _do(self, parsed: Parsed) -> Reply:
        return self._exec(parsed.args[0], len("do "))


_EXEC_ACTIONS: dict[str, Callable[[SwitchSession, Parsed], Reply]] = {
    "enable": SwitchSession._enable,
    "disable": SwitchSession._disable,
    "exit": SwitchSession._exit,
    "terminal": SwitchSession._terminal,
    "configure": SwitchSession._configure_terminal,
    "session": SwitchSession._configure_session,
    "save": SwitchSession._save,
    "diffs": SwitchSession._diffs,
}
_CONFIG_ACTIONS: dict[str, Callable[[SwitchSession, Parsed], Reply]] = {
    "end": SwitchSession._end,
    "exit": SwitchSession._config_exit,
    "commit": SwitchSession._commit,
    "abort": SwitchSession._abort,
    "do": SwitchSession._do,
}
