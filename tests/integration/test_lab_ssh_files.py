"""Files on a simulated device over real SSH: netmiko's SCP file transfer, SCP and SFTP."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import paramiko
import pytest
from netmiko import ConnectHandler, file_transfer
from scp import SCPClient

from engine.lab import DeviceSpec, Lab

pytestmark = pytest.mark.lab

LabFactory = Callable[..., Lab]
CONTENT = b"no logging console\n"


def ssh(lab: Lab) -> paramiko.SSHClient:
    host, port = lab.endpoint("R1")
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        host,
        port=port,
        username="admin",
        password="pw",
        look_for_keys=False,
        allow_agent=False,
        timeout=10,
    )
    return client


@pytest.fixture
def lab(lab_factory: LabFactory) -> Lab:
    return lab_factory([DeviceSpec("R1", "admin", "pw", secret="en")])


def test_netmiko_file_transfer_puts_verifies_and_gets_back(lab: Lab, tmp_path: Path) -> None:
    source = tmp_path / "test9.txt"
    source.write_bytes(CONTENT)
    host, port = lab.endpoint("R1")
    conn = ConnectHandler(
        device_type="cisco_ios",
        host=host,
        port=port,
        username="admin",
        password="pw",
        secret="en",
        allow_agent=False,
        use_keys=False,
    )
    try:
        conn.enable()
        put = file_transfer(
            conn,
            source_file=str(source),
            dest_file="test9.txt",
            file_system="flash:",
            direction="put",
            overwrite_file=True,
        )
        assert put == {"file_exists": True, "file_transferred": True, "file_verified": True}
        again = file_transfer(
            conn,
            source_file=str(source),
            dest_file="test9.txt",
            file_system="flash:",
            direction="put",
            overwrite_file=True,
        )
        assert again["file_verified"] and not again["file_transferred"]
        back = tmp_path / "back.txt"
        got = file_transfer(
            conn,
            source_file="test9.txt",
            dest_file=str(back),
            file_system="flash:",
            direction="get",
            overwrite_file=True,
        )
        assert got["file_transferred"] and got["file_verified"]
        assert back.read_bytes() == CONTENT
        digest = hashlib.md5(CONTENT).hexdigest()
        assert f"= {digest}" in conn.send_command("verify /md5 flash:/test9.txt")
    finally:
        conn.disconnect()


def test_scp_reads_the_startup_config_from_nvram(lab: Lab, tmp_path: Path) -> None:
    client = ssh(lab)
    try:
        transport = client.get_transport()
        assert transport is not None
        with SCPClient(transport) as scp:
            scp.get("nvram:startup-config", str(tmp_path / "startup"))
    finally:
        client.close()
    assert "hostname R1\n" in (tmp_path / "startup").read_text()


def test_sftp_puts_lists_gets_and_removes_flash_files(lab: Lab) -> None:
    client = ssh(lab)
    try:
        sftp = client.open_sftp()
        with sftp.open("flash:/notes.txt", "wb") as handle:
            handle.write(b"hello\n")
        assert "notes.txt" in sftp.listdir("flash:")
        assert sftp.stat("flash:/notes.txt").st_size == 6
        with sftp.open("flash:/notes.txt", "rb") as handle:
            assert handle.read() == b"hello\n"
        sftp.remove("flash:/notes.txt")
        assert "notes.txt" not in sftp.listdir("flash:")
    finally:
        client.close()


def test_sftp_never_reaches_the_hosts_own_files(lab: Lab) -> None:
    client = ssh(lab)
    try:
        sftp = client.open_sftp()
        for path in ("/etc/passwd", "flash:/../../etc/passwd", "/tmp"):
            with pytest.raises(OSError):
                sftp.stat(path)
        with pytest.raises(OSError):
            sftp.mkdir("/tmp/netplay-lab-must-not-exist")
        assert not Path("/tmp/netplay-lab-must-not-exist").exists()
    finally:
        client.close()
