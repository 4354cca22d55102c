"""The netmiko driver: the only module that imports netmiko, and where its errors are translated.

netmiko logs in, enters enable and config mode; this driver reads command output itself.
netmiko's reads poll every few milliseconds and, on a timeout, throw away what the device
did send; here a read blocks on the SSH channel until data arrives, a command ends at the
known prompt (no prompt rediscovery per command), questions are answered as they come,
and a hang or a dropped session is reported with the last text received.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any

import paramiko
from netmiko import (
    ConnectHandler,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)
from netmiko.base_connection import BaseConnection
from netmiko.exceptions import ReadException, WriteException
from netmiko.session_log import SessionLog
from paramiko.ssh_exception import NoValidConnectionsError

from engine.drivers import ConnectionSettings, Reply, error_pattern, find_error
from engine.drivers.channel import ChannelReader
from engine.drivers.configuring import TEXT_MODE, Wait, apply, mode_for, send_lines
from engine.drivers.hostkeys import (
    HostKeyChecker,
    HostKeyRefused,
    changed_message,
    known_hosts,
    known_name,
)
from engine.drivers.transcript import (
    Answer,
    Closed,
    Exchange,
    Stalled,
    compile_answers,
    strip_echo,
    strip_prompt,
    tail,
)
from engine.errors import (
    AuthenticationFailed,
    CommandRejected,
    CommandTimeout,
    DeviceError,
    SessionLost,
    Unreachable,
)
from engine.files import FileWriteError, open_private
from engine.inventory import Host
from engine.platforms import CISCO_CONFIG_PROMPT, lookup
from engine.regex import compile_linear

_ANY_PROMPT = re.compile(r"[>#][ \t]*$")
_PROMPT_SHAPE = re.compile(r"[\w.@/:()-]{1,80}[>#]")
_CONFIG_PROMPT = re.compile(CISCO_CONFIG_PROMPT)  # a generic platform's, as netmiko enters it
_ECHOED = re.compile("")  # a line of text is done once its echo is back
# `write memory` answers at once; `copy running-config startup-config` asks first.
_SAVE_ANSWERS = {r"\[confirm\]\s*$": "", r"Destination filename \[[^\]\n]*\]\?\s*$": ""}

# paramiko's transport thread logs a traceback when a socket it reads is closed under it
# (a connect timeout does that); with no handler configured, Python would print it on
# stderr. A library's loggers get a NullHandler; an application may still add its own.
for _name in ("paramiko", "netmiko"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


class NetmikoDriver:
    """A netmiko session to one host, opened on first use and kept for the run."""

    def __init__(self, host: Host, settings: ConnectionSettings) -> None:
        self.host = host
        self.settings = settings
        self.platform = lookup(host.platform)  # None: a generic netmiko device type
        self._errors = error_pattern(host.platform)
        self._conn: BaseConnection | None = None
        self._reader: ChannelReader | None = None
        self._base_prompt = ""
        self._prompt_re = re.compile(r"[#>][ \t]*$")
        self._config_prompt = re.compile(
            self.platform.config_prompt if self.platform else CISCO_CONFIG_PROMPT
        )
        self._opens = 0
        self.prompt: str | None = None
        self.timings: dict[str, float] = {}  # seconds spent connecting and entering enable

    def open(self) -> None:
        started = time.monotonic()
        with self._translate(opening=True):
            self._conn = self._connect()
            self._reader = ChannelReader(self._conn)
            self._prepare()
            connected = time.monotonic()
            self._enable()
        self.timings = {"connect": connected - started, "enable": time.monotonic() - connected}

    def _prepare(self) -> None:
        """Session set-up: find the prompt, then the platform's terminal settings.

        netmiko's own preparation sleeps and polls (~170 ms a session on an instant
        device); for the platforms of engine.platforms we wait on the channel for each
        prompt instead. Generic ones get netmiko's preparation unchanged.
        """
        conn = self._connection()
        if self.platform is None:
            conn._try_session_preparation()
            self._learn_prompt()
            return
        timeout = self.settings.connect_timeout
        prompt = _last_line(self._exchange("", _ANY_PROMPT, (), timeout).body)
        if _PROMPT_SHAPE.fullmatch(prompt):
            self._adopt_prompt(prompt)
        else:  # a login banner that ends like a prompt: let netmiko find the real one
            self._learn_prompt()
        for command in self.platform.prepare:
            self._exchange(command, self._prompt_re, (), timeout)

    def _enable(self) -> None:
        """Enter enable mode once, taking the new prompt from the answer (no extra trip).

        Without a secret, a device that asks for one gets an empty answer and the session
        stays in user mode."""
        if not self.prompt or not self.prompt.endswith(">"):
            return
        if self.platform is not None and not self.platform.enable:
            return  # Junos: `user@router>` is already the operational mode
        secret = self.host.secret or ""
        answers = compile_answers({r"[Pp]assword:\s*$": secret})
        body = self._exchange(
            "enable", self._prompt_re, answers, self.settings.connect_timeout
        ).body
        self._adopt_prompt(_last_line(body))
        if secret and not self.prompt.endswith("#"):
            raise AuthenticationFailed(self.host.name, "enable mode refused the secret")

    def _connect(self) -> BaseConnection:
        sock = self._tunnel()
        conn = ConnectHandler(**self._params(), sock=sock, auto_connect=False)
        if self.settings.host_key_policy != "off":
            checker = HostKeyChecker(
                known_hosts(self.settings.known_hosts_file()), self.settings.host_key_policy
            )
            conn.key_policy = checker.policy
            # netmiko's hook for its SSH client: ours already knows this host's keys
            hook = partial(checker.client, self.host.address, self.host.port)
            conn._get_ssh_client_instance = hook  # type: ignore[method-assign]
        try:
            # what ConnectHandler does itself, once the hooks are in place; the session
            # preparation is ours (see _prepare)
            conn._modify_connection_params()
            conn.establish_connection()
        except BaseException:
            with suppress(Exception):
                conn.disconnect()  # closes the session log, drops netmiko's log filter
            if sock is not None:
                sock.close()
            raise
        self._opens += 1
        return conn

    def _tunnel(self) -> Any:
        """A channel through the host's jump host, or None to connect directly."""
        jump, tunnels = self.host.jump, self.settings.tunnels
        if jump is None:
            return None
        if tunnels is None:  # a caller that built settings without engine.sessions
            raise Unreachable(self.host.name, f"via bastion {jump.name}: no bastion connections")
        return tunnels.channel(self.host, self.settings.connect_timeout)

    def _params(self) -> dict[str, Any]:
        timeout = self.settings.connect_timeout
        return {
            "device_type": self.host.platform,
            "host": self.host.address,
            "port": self.host.port,
            "username": self.host.username or "",
            "password": self.host.password or "",
            "secret": self.host.secret or "",
            "conn_timeout": timeout,
            "auth_timeout": timeout,
            "banner_timeout": timeout,
            "fast_cli": self.settings.fast_cli,
            "allow_agent": False,
            "use_keys": False,
            "session_log": self._session_log(),
            **self.host.options,
        }

    def _session_log(self) -> SessionLog | None:
        """A session log for this host with every secret masked, if logs were asked for.

        The file is opened here (0600, never through a symbolic link) and handed to
        netmiko as an open file; netmiko masks what it writes, holding back text that
        could be the start of a secret split across two reads."""
        folder = self.settings.session_log_dir
        if folder is None:
            return None
        mask = self.settings.mask.including(*self.host.secrets())
        try:  # the folder asked for, not its parents (the command line checked those)
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise DeviceError(self.host.name, f"session log: {exc.strerror or exc}") from exc
        # a reconnect of this driver appends to the log its first session started
        stream = open_private(session_log_path(folder, self.host.name), append=self._opens > 0)
        return _OwnedSessionLog(
            buffered_io=stream,
            no_log={f"secret{i}": value for i, value in enumerate(mask.ordered)},
        )

    def _learn_prompt(self) -> None:
        self._adopt_prompt(self._connection().find_prompt())

    def _adopt_prompt(self, prompt: str) -> None:
        self.prompt = prompt
        base = prompt[:-1] or prompt
        self._base_prompt = self._connection().base_prompt = base
        self._prompt_re = re.compile(re.escape(base) + r".*?[#>][ \t]*$")

    def send(
        self,
        command: str,
        *,
        timeout: float | None = None,
        expect: str | None = None,
        answers: Mapping[str, str] | None = None,
    ) -> Reply:
        with self._translate():
            until = [self._prompt_re]
            if expect:  # the question, or the prompt if the device did not ask it
                until.insert(0, compile_linear(expect))  # the playbook's: RE2
            exchange = self._exchange(command, until, compile_answers(answers), timeout)
        output = strip_echo(exchange.body)
        if self._prompt_re.search(output):  # ended at the prompt, not at the question
            output = strip_prompt(output, self._base_prompt)
        return Reply(output, find_error(output, self._errors))

    def configure(
        self,
        lines: Sequence[str],
        *,
        timeout: float | None = None,
        error_patterns: Sequence[str] = (),
    ) -> Reply:
        errors = error_pattern(self.host.platform, error_patterns)
        send = partial(self._send_line, timeout=timeout)
        with self._translate():
            if self.platform is None:  # netmiko enters and leaves config mode
                conn = self._connection()
                output = conn.config_mode()
                sent = send_lines(lines, send, errors)
                reply = Reply(output + sent.output + conn.exit_config_mode(), sent.error)
            else:
                mode = mode_for(self.platform, self._session_name())
                reply = apply(mode, lines, send, errors)
            self._after_config(reply.output)
        return reply

    def _session_name(self) -> str | None:
        """A fresh config session's name, when the host asks for sessions (EOS)."""
        return f"netplay-{uuid.uuid4().hex[:8]}" if self.host.config_session else None

    def _send_line(self, line: str, wait: Wait, *, timeout: float | None) -> str:
        """One line typed in config mode, and the device's answer (a `SendLine`)."""
        until: dict[Wait, tuple[re.Pattern[str], ...]] = {
            "line": (self._config_prompt, TEXT_MODE),
            "text": (_ECHOED,),
            "prompt": (_ANY_PROMPT,),
        }
        return self._exchange(line, until[wait], (), timeout).body

    def _after_config(self, output: str) -> None:
        """Take the prompt `end` left (a `hostname` line changes it) without a round trip."""
        last = output.rstrip().rpartition("\n")[2].strip()
        if last.endswith(("#", ">")) and "(config" not in last:
            self._adopt_prompt(last)
        else:
            self._learn_prompt()

    def save(self, *, timeout: float | None = None) -> Reply:
        """The platform's save command; nothing on a platform that commits (a commit is
        already persistent); netmiko's `save_config` on a generic platform."""
        if self.platform is None:
            with self._translate():
                try:
                    return Reply(self._connection().save_config())
                except NotImplementedError as exc:
                    why = f"netmiko cannot save the configuration of {self.host.platform}"
                    raise CommandRejected(self.host.name, why) from exc
        if self.platform.save is None:
            return Reply("")
        return self.send(self.platform.save, timeout=timeout, answers=_SAVE_ANSWERS)

    def _exchange(
        self,
        command: str,
        until: re.Pattern[str] | Sequence[re.Pattern[str]],
        answers: tuple[Answer, ...],
        timeout: float | None,
    ) -> Exchange:
        """Send one line and read until it is finished, answering questions on the way."""
        conn, reader = self._connection(), self._reader
        assert reader is not None  # set with the connection
        limit = timeout or self.settings.command_timeout
        deadline = time.monotonic() + limit
        exchange = Exchange(command, until, answers)
        try:
            conn.write_channel(conn.normalize_cmd(command))
            chunk = conn.read_channel()  # also what netmiko had buffered
            while True:
                reply = exchange.feed(chunk)
                if exchange.finished:
                    return exchange
                if reply is not None:
                    conn.write_channel(conn.normalize_cmd(reply))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Stalled(command.strip(), limit, exchange.received)
                chunk = reader.read(remaining)
        except (EOFError, OSError, WriteException, ReadException):
            raise Closed(command.strip(), exchange.received) from None

    def close(self) -> None:
        """Leave at once, without netmiko's polite goodbye that waits for a prompt (10 s on
        a hung device). Safe from another thread: a command in flight then fails at once."""
        conn, self._conn, self._reader = self._conn, None, None
        if conn is None:
            return
        with suppress(Exception):
            conn.write_channel("exit" + conn.RETURN)  # a courtesy; nothing waits for it
        with suppress(Exception):
            conn.paramiko_cleanup()
        with suppress(Exception):
            conn.disconnect()  # quick now the channel is closed; closes the session log

    def _connection(self) -> BaseConnection:
        if self._conn is None:
            raise SessionLost(self.host.name, "session is not open")
        return self._conn

    @contextmanager
    def _translate(self, *, opening: bool = False) -> Iterator[None]:
        """Map netmiko/paramiko/socket exceptions to netplay's DeviceError tree."""
        name = self.host.name
        try:
            yield
        except DeviceError:
            raise
        except FileWriteError as exc:  # the session log cannot be opened safely
            raise DeviceError(name, f"session log: {exc}") from exc
        except Stalled as exc:
            raise CommandTimeout(name, f"{exc}; last received: {tail(exc.received)}") from exc
        except Closed as exc:
            raise SessionLost(name, f"{exc}; last received: {tail(exc.received)}") from exc
        except NetmikoAuthenticationException as exc:
            user = self.host.username
            raise AuthenticationFailed(name, f"authentication failed for user '{user}'") from exc
        except ReadTimeout as exc:
            raise CommandTimeout(name, "no prompt from the device before the timeout") from exc
        except re.error as exc:
            raise DeviceError(name, f"invalid pattern {exc.pattern!r}: {exc}") from exc
        except (OSError, EOFError, paramiko.SSHException, ReadException, WriteException) as exc:
            kind = Unreachable if opening else SessionLost
            raise kind(name, self._reason(exc)) from exc
        except ValueError as exc:  # netmiko's "Failed to enter enable mode"
            if opening and "enable" in str(exc):
                raise AuthenticationFailed(name, "enable mode refused the secret") from exc
            raise SessionLost(name, _first_line(exc)) from exc

    def _reason(self, exc: BaseException) -> str:
        return connect_failure(exc, self.host.address, self.host.port, self.settings)


def connect_failure(
    exc: BaseException, address: str, port: int, settings: ConnectionSettings
) -> str:
    """Why a connection to address:port failed, from the first cause netmiko or paramiko
    wrapped."""
    where = f"{address}:{port}"
    timeout = f"{settings.connect_timeout:g}s"
    for cause in _chain(exc):
        if isinstance(cause, HostKeyRefused):
            return str(cause)
        if isinstance(cause, paramiko.BadHostKeyException):
            path = settings.known_hosts_file()
            name = known_name(address, port)
            return changed_message(name, cause.key, cause.expected_key, path)
        if isinstance(cause, NoValidConnectionsError):
            cause = next(iter(cause.errors.values()), cause)
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {where}"
        if isinstance(cause, TimeoutError):
            return f"no answer from {where} within {timeout}"
        if "banner" in str(cause) or "No existing session" in str(cause):
            return f"{where} accepted the connection but sent no SSH banner within {timeout}"
    if isinstance(exc, NetmikoTimeoutException):
        return f"cannot connect to {where}: {_first_line(exc)}"
    return _first_line(exc)


class _OwnedSessionLog(SessionLog):
    """netmiko's session log over a file netplay opened: closing the log closes the file
    (netmiko closes only the files it opened itself)."""

    def close(self) -> None:
        stream = self.session_log
        super().close()
        if stream is not None:
            stream.close()
        self.session_log = None


def session_log_path(folder: Path, host: str) -> Path:
    """`FOLDER/HOST.log`, with characters that cannot be in a file name replaced."""
    return folder / (re.sub(r"[^\w.@-]", "_", host).lstrip(".") + ".log")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and the exceptions it was raised from, innermost last (cycles cut)."""
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _last_line(text: str) -> str:
    return text.rstrip().rpartition("\n")[2].strip()


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
