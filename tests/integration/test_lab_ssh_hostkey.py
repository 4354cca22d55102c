"""A lab keeps its host key across restarts, so clients that remember keys keep working."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import paramiko
import pytest

from engine.lab import DeviceSpec, Lab, LabError

pytestmark = pytest.mark.lab

SERVER = """
import sys
from pathlib import Path
from engine.lab import DeviceSpec, Lab, serve_forever
lab = Lab([DeviceSpec("R1", "admin", "pw")], first_address="127.0.3.9", host_key=Path(sys.argv[1]))
serve_forever(lab, sys.stdout)
"""


def presented_key(lab: Lab) -> str:
    """The SHA256 fingerprint of the key a client sees when it connects to R1."""
    host, port = lab.endpoint("R1")
    with paramiko.Transport((host, port)) as transport:
        transport.start_client(timeout=10)
        key = transport.get_remote_server_key()
    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


def test_a_restarted_lab_presents_the_same_host_key(tmp_path: Path) -> None:
    key = tmp_path / "lab_host_key"
    seen = []
    for _ in range(2):
        with Lab([DeviceSpec("R1", "admin", "pw")], host_key=key) as lab:
            seen.append((lab.fingerprint, presented_key(lab)))
    assert seen[0] == seen[1]
    assert seen[0][0] == seen[0][1]


def test_without_a_key_file_every_start_makes_a_new_key() -> None:
    prints = []
    for _ in range(2):
        with Lab([DeviceSpec("R1", "admin", "pw")]) as lab:
            prints.append(presented_key(lab))
    assert prints[0] != prints[1]


def test_an_unusable_key_file_is_a_lab_error_naming_it(tmp_path: Path) -> None:
    key = tmp_path / "lab_host_key"
    key.write_text("garbage\n")
    with pytest.raises(LabError, match="lab_host_key"):
        Lab([DeviceSpec("R1", "admin", "pw")], host_key=key).start()


def test_serve_prints_the_same_fingerprint_after_a_restart(tmp_path: Path) -> None:
    printed = []
    for _ in range(2):
        command = [sys.executable, "-c", SERVER, str(tmp_path / "key")]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
            try:
                assert server.stdout is not None
                lines = [server.stdout.readline().strip() for _ in range(2)]
                assert lines[1].startswith("host key SHA256:")
                printed.append(lines[1])
            finally:
                server.terminate()
                server.wait(timeout=10)
    assert printed[0] == printed[1]


def free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
        return port


def test_netplay_lab_serve_keeps_its_key_in_the_users_state_folder(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.yml"
    inventory.write_text("hosts:\n  R1: {host: 192.0.2.1, username: a, password: b}\n")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    command = [sys.executable, "-m", "engine", "lab", "serve", "-i", str(inventory)]
    printed = []
    for _ in range(2):
        port = str(free_port("127.0.1.1"))
        with subprocess.Popen(
            [*command, "--port", port], stdout=subprocess.PIPE, text=True, env=env
        ) as server:
            try:
                assert server.stdout is not None
                printed.append([server.stdout.readline().strip() for _ in range(2)][1])
            finally:
                server.send_signal(signal.SIGINT)
                server.wait(timeout=10)
    assert printed[0] == printed[1]
    assert printed[0].startswith("host key SHA256:")
    assert (tmp_path / "state" / "netplay" / "lab_host_key").is_file()
