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
