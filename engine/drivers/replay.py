"""A driver that answers from a script instead of a device: for offline tests of the executor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from engine.drivers import ConnectionSettings, Reply, error_pattern, find_error
from engine.drivers.configuring import Wait, apply, mode_for
from engine.errors import DeviceError
from engine.inventory import Host
from engine.platforms import lookup


@dataclass(frozen=True)
class Script:
    """What a replayed device answers: command → output, and an optional failure.

    `replies` answer the commands `answers` does not know, in turn (starting over at the
    end): an output, or a failure to raise (a timeout, a dropped session ...).
    """

    answers: Mapping[str, str] = field(default_factory=dict)
    fail_on_open: DeviceError | None = None
    fail_on: Mapping[str, DeviceError] = field(default_factory=dict)
    replies: tuple[str | DeviceError, ...] = ()


class ReplayDriver:
    """Answers commands from a `Script`; records what it was sent."""

    def __init__(self, host: Host, settings: ConnectionSettings, script: Script) -> None:
        self.host = host
        self.script = script
        self.sent: list[str] = []
        self.opened = 0
        self.closed = 0
        self.prompt: str | None = None
        self._errors = error_pattern(host.platform)
        self._turn = 0

    def open(self) -> None:
        self.opened += 1
        if self.script.fail_on_open is not None:
            raise self.script.fail_on_open
        self.prompt = f"{self.host.name}#"

    def send(
        self,
        command: str,
        *,
        timeout: float | None = None,
        expect: str | None = None,
        answers: Mapping[str, str] | None = None,
    ) -> Reply:
        self.sent.append(command)
        if command in self.script.fail_on:
            raise self.script.fail_on[command]
        output = self.script.answers.get(command)
        if output is None:
            output = self._next_reply()
        return Reply(output, find_error(output, self._errors))

    def _next_reply(self) -> str:
        replies = self.script.replies
        if not replies:
            return ""
        reply = replies[self._turn % len(replies)]
        self._turn += 1
        if isinstance(reply, DeviceError):
            raise reply
        return reply

    def configure(
        self,
        lines: Sequence[str],
        *,
        timeout: float | None = None,
        error_patterns: Sequence[str] = (),
    ) -> Reply:
        platform = lookup(self.host.platform)
        session = "netplay-replay" if self.host.config_session else None
        mode = mode_for(platform, session) if platform is not None else None
        if mode is not None and mode.commit is not None:  # typed as to a device
            errors = error_pattern(self.host.platform, error_patterns)
            return apply(mode, lines, self._typed, errors)
        transcript = []
        for line in lines:
            reply = self.send(line)
            transcript.append(f"{self.host.name}(config)#{line}\n{reply.output}".rstrip())
            if reply.error is not None:
                return Reply("\n".join(transcript), reply.error)
        return Reply("\n".join(transcript))

    def _typed(self, line: str, wait: Wait) -> str:
        """A line and its answer, as a session shows them (a `SendLine`)."""
        return f"{line}\n{self.send(line).output}\n{self.prompt}"

    def save(self, *, timeout: float | None = None) -> Reply:
        platform = lookup(self.host.platform)
        command = platform.save if platform is not None else "write memory"
        return Reply("") if command is None else self.send(command)  # None: commits persist

    def close(self) -> None:
        self.closed += 1
