"""`serve_forever`: prints where each device listens, serves, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from netmiko import ConnectHandler

pytestmark = pytest.mark.lab

SERVER = """
import sys
from engine.lab import DeviceSpec, Lab, serve_forever
specs = [DeviceSpec(name, "admin", "pw") for name in ("core-1", "R2")]
serve_forever(Lab(specs, first_address="127.0.3.1"), sys.stdout)
"""


def test_serve_forever_lists_endpoints_serves_and_stops_on_sigterm() -> None:
    command = [sys.executable, "-c", SERVER]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            lines = [server.stdout.readline().rstrip("\n") for _ in range(2)]
            assert [line.split()[0] for line in lines] == ["core-1", "R2"]
            address, port = lines[0].split()[1].split(":")
            assert address == "127.0.3.1"
            conn = ConnectHandler(
                device_type="cisco_ios",
                host=address,
                port=int(port),
                username="admin",
                password="pw",
            )
            assert conn.find_prompt() == "core-1>"
            server.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert server.wait(timeout=5) == 0
            assert time.monotonic() - started < 2
            conn.remote_conn_pre.close()
        finally:
            if server.poll() is None:
                server.kill()


def test_serve_forever_shows_control_characters_in_device_names_instead_of_obeying_them() -> None:
    server_code = SERVER.replace('("core-1", "R2")', '("R1\\x1b]0;TITLE\\x07\\x1b[2J",)')
    with subprocess.Popen([sys.executable, "-c", server_code], stdout=subprocess.PIPE) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            assert line.startswith(b"R1^[]0;TITLE^G^[[2J  127.0.3.1:")
            assert b"\x1b" not in line and b"\x07" not in line
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=5) == 0
        finally:
            if server.poll() is None:
                server.kill()
