"""The netmiko driver: the only module that imports netmiko, and where its errors are translated.

Round trips are the cost of a run, so this driver avoids netmiko's optional ones: it waits
on the known prompt instead of rediscovering it before every command, and enters enable
mode once per session.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import paramiko
from netmiko import (
    ConnectHandler,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)
from netmiko.base_connection import BaseConnection

from engine.drivers import ConnectionSettings, Reply, error_pattern, find_error
from engine.errors import (
    AuthenticationFailed,
    CommandTimeout,
    DeviceError,
    SessionLost,
    Unreachable,
)
from engine.inventory import Host

# A config-mode prompt, or the exec prompt after a line such as `end`.
_CONFIG_PROMPT = r"(?:\(config[^)\n]*\)#|[\w.:/-]+#)[ \t]*$"


class NetmikoDriver:
    """A netmiko session to one host, opened on first use and kept for the run."""

    def __init__(self, host: Host, settings: ConnectionSettings) -> None:
        self.host = host
        self.settings = settings
        self._errors = error_pattern(host.platform)
        self._conn: BaseConnection | None = None
        self._prompt_pattern = ""
        self.prompt: str | None = None

    def open(self) -> None:
        with self._translate(opening=True):
            self._conn = ConnectHandler(**self._params())
            if self.host.secret:
                self._conn.enable()
            self._learn_prompt()

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
            **self.host.options,
        }

    def _learn_prompt(self) -> None:
        conn = self._connection()
        self.prompt = conn.find_prompt()
        self._prompt_pattern = re.escape(conn.base_prompt) + r".*?[#>][ \t]*$"

    def send(self, command: str, *, timeout: float | None = None) -> Reply:
        with self._translate():
            output = self._send(
                command,
                expect_string=self._prompt_pattern,
                read_timeout=timeout or self.settings.command_timeout,
            )
        return Reply(output, find_error(output, self._errors))

    def configure(self, lines: Sequence[str], *, timeout: float | None = None) -> Reply:
        conn = self._connection()
        read_timeout = timeout or self.settings.command_timeout
        with self._translate():
            output = conn.config_mode()
            error = None
            for line in lines:
                answer = self._send(
                    line,
                    expect_string=_CONFIG_PROMPT,
                    read_timeout=read_timeout,
                    strip_prompt=False,
                    strip_command=False,
                )
                output += answer
                error = find_error(answer, self._errors)
                if error is not None:
                    break
            output += conn.exit_config_mode()
            self._learn_prompt()  # a `hostname` line changes the prompt
        return Reply(output, error)

    def _send(self, command: str, **options: Any) -> str:
        # Without a parser, netmiko always returns text.
        return str(self._connection().send_command(command, **options))

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(Exception):
                conn.disconnect()

    def _connection(self) -> BaseConnection:
        if self._conn is None:
            raise SessionLost(self.host.name, "session is not open")
        return self._conn

    @contextmanager
    def _translate(self, *, opening: bool = False) -> Iterator[None]:
        """Map netmiko/paramiko/socket exceptions to netplay's DeviceError tree."""
        name, user = self.host.name, self.host.username
        try:
            yield
        except DeviceError:
            raise
        except NetmikoAuthenticationException as exc:
            raise AuthenticationFailed(name, f"authentication failed for user '{user}'") from exc
        except NetmikoTimeoutException as exc:
            raise Unreachable(name, _first_line(exc)) from exc
        except ReadTimeout as exc:
            raise CommandTimeout(name, "no prompt from the device before the timeout") from exc
        except (OSError, EOFError, paramiko.SSHException) as exc:
            kind = Unreachable if opening else SessionLost
            raise kind(name, _first_line(exc) or type(exc).__name__) from exc
        except ValueError as exc:  # netmiko's "Failed to enter enable mode"
            if opening and "enable" in str(exc):
                raise AuthenticationFailed(name, "enable mode refused the secret") from exc
            raise SessionLost(name, _first_line(exc)) from exc


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
