"""Jump hosts over real SSH: sessions ride one connection to the lab's bastion, a bastion
that refuses the login makes every host behind it unreachable, and a lab bastion forwards
to nothing but the lab's devices."""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import paramiko
import pytest

from engine.cli import main
from engine.lab import DeviceSpec, Lab, LabKnobs
from engine.lab.bastion import REFUSAL, ForwardCounts
from engine.lab.pytest_plugin import LabFactory

pytestmark = pytest.mark.lab

PASSWORD = "Dev-Heron-3817"
SECRET = "En-Vole-2290"
JUMP_PASSWORD = "Jump-Otter-5521"
DEVICES = ["R1", "R2", "R3", "R4"]
IDLE = 10.0  # seconds a bastion's clients get to leave: a guard against a hang only
PLAYBOOK = "name: Versions\nhosts: all\nsteps:\n  - name: Version\n    send: show version\n"


def served_lab(lab_factory: LabFactory, **bastion: Any) -> Lab:
    """Bastion B1 (user `jump`) and four devices, served for the test."""
    specs = [DeviceSpec("B1", "jump", JUMP_PASSWORD, knobs=LabKnobs(bastion=True, **bastion))]
    specs += [DeviceSpec(name, "netops", PASSWORD, secret=SECRET) for name in DEVICES]
    return lab_factory(specs)


def served_inventory(folder: Path, lab: Lab) -> Path:
    """The served lab as a plain inventory (no --lab): every device behind B1."""
    rows = ["defaults:", "  username: netops", f"  password: {PASSWORD}"]
    rows += [f"  secret: {SECRET}", "  jump_host: B1", "hosts:"]
    address, port = lab.endpoint("B1")
    rows.append(
        f"  B1: {{host: {address}, port: {port}, username: jump, password: {JUMP_PASSWORD}}}"
    )
    for name in DEVICES:
        address, port = lab.endpoint(name)
        rows.append(f"  {name}: {{host: {address}, port: {port}}}")
    return write(folder / "inventory.yml", rows)


def write(path: Path, rows: Sequence[str]) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


def run(folder: Path, inventory: Path, *extra: str) -> tuple[int, dict[str, dict[str, Any]]]:
    """Run the playbook; the exit code and each host's result, by host."""
    playbook = write(folder / "playbook.yml", [PLAYBOOK])
    results = folder / "results.json"
    argv = ["run", str(playbook), "-i", str(inventory), "--results", str(results)]
    code = main([*argv, "--connect-timeout", "5", *extra])
    steps = json.loads(results.read_text())["steps"]
    return code, {r["host"]: r for r in steps[0]["results"]}


def test_every_session_behind_a_bastion_rides_one_connection_closed_at_the_end(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = served_lab(lab_factory)
    known = tmp_path / "known_hosts"
    inventory = served_inventory(tmp_path, lab)
    code, results = run(tmp_path, inventory, "--known-hosts", str(known), "--forks", "4")
    assert code == 0
    assert {name: r["status"] for name, r in results.items()} == dict.fromkeys(DEVICES, "ok")
    counts = lab.forwarded("B1", idle_within=IDLE)
    assert counts == ForwardCounts(connections=1, channels=4, refused=0, closed=1)
    address, port = lab.endpoint("B1")
    assert f"[{address}]:{port} " in known.read_text()  # the bastion's key, checked and kept


def test_a_bastion_whose_login_fails_is_tried_once_for_all_hosts_behind_it(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = served_lab(lab_factory, reject_login=True)
    code, results = run(tmp_path, served_inventory(tmp_path, lab), "--host-key-policy", "off")
    assert code == 3
    assert {r["error"] for r in results.values()} == {
        "via bastion B1: authentication failed for user 'jump'"
    }
    counts = lab.forwarded("B1", idle_within=IDLE)
    assert counts == ForwardCounts(connections=1, channels=0, refused=0, closed=1)


@pytest.mark.parametrize(
    ("knob", "reason"),
    [
        ("refuse", "connection refused by {where}"),
        ("hang_before_banner", "{where} accepted the connection but sent no SSH banner within 1s"),
    ],
)
def test_a_bastion_that_cannot_be_reached_makes_every_host_behind_it_unreachable(
    lab_factory: LabFactory, tmp_path: Path, knob: str, reason: str
) -> None:
    lab = served_lab(lab_factory, **{knob: True})
    extra = ("--host-key-policy", "off", "--connect-timeout", "1")
    code, results = run(tmp_path, served_inventory(tmp_path, lab), *extra)
    assert code == 3
    where = "{}:{}".format(*lab.endpoint("B1"))
    assert {r["error"] for r in results.values()} == {
        "via bastion B1: " + reason.format(where=where)
    }


def test_a_bastion_whose_host_key_is_unknown_under_strict_is_named(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = served_lab(lab_factory)
    known = tmp_path / "known_hosts"
    known.write_text("")
    extra = ("--host-key-policy", "strict", "--known-hosts", str(known))
    code, results = run(tmp_path, served_inventory(tmp_path, lab), *extra)
    assert code == 3
    address, port = lab.endpoint("B1")
    for result in results.values():
        assert result["error"].startswith(f"via bastion B1: host key for [{address}]:{port} ")
        assert "policy is strict" in result["error"]
    assert lab.forwarded("B1").channels == 0


LAB_INVENTORY = f"""\
defaults:
  username: netops
  password: {PASSWORD}
  secret: {SECRET}
  jump_host: B1
hosts:
  B1: {{host: 192.0.2.10, username: jump, password: {JUMP_PASSWORD}, lab: {{reject_login: true}}}}
  R1: {{host: 192.168.100.1}}
  R2: {{host: 192.168.100.2}}
  R3: {{host: 192.168.100.3}}
  R4: {{host: 192.168.100.4, jump_host: null}}
"""


def test_under_lab_a_refused_bastion_login_makes_the_hosts_behind_it_unreachable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = write(tmp_path / "inventory.yml", [LAB_INVENTORY])
    logs = tmp_path / "logs"
    code, results = run(tmp_path, inventory, "--lab", "--session-logs", str(logs), "-v")
    out, err = capsys.readouterr()
    assert code == 3
    assert {name: r["status"] for name, r in results.items()} == {
        "R1": "unreachable",
        "R2": "unreachable",
        "R3": "unreachable",
        "R4": "ok",
    }
    assert out.count("via bastion B1: authentication failed for user 'jump'") == 3
    assert (logs / "R4.log").is_file()
    written = [out, err, (tmp_path / "results.json").read_text()]
    written += [log.read_text() for log in logs.iterdir()]
    assert all(JUMP_PASSWORD not in text for text in written)


def test_under_lab_a_bastion_outside_the_inventory_is_served_by_the_lab(tmp_path: Path) -> None:
    rows = ["defaults:", "  username: netops", f"  password: {PASSWORD}"]
    rows += ["  jump_host: ops@192.0.2.50:2222", "hosts:"]
    rows += [f"  {name}: {{host: 192.168.100.{n}}}" for n, name in enumerate(DEVICES, 1)]
    code, results = run(tmp_path, write(tmp_path / "inventory.yml", rows), "--lab")
    assert code == 0
    assert {r["status"] for r in results.values()} == {"ok"}


def bastion_client(lab: Lab) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    address, port = lab.endpoint("B1")
    client.connect(address, port, "jump", JUMP_PASSWORD, allow_agent=False, look_for_keys=False)
    return client


def test_a_lab_bastion_refuses_a_forward_outside_the_lab_without_connecting(
    lab_factory: LabFactory,
) -> None:
    lab = served_lab(lab_factory)
    with socket.create_server(("127.0.0.1", 0)) as outside:  # loopback, but not a lab device
        outside.setblocking(False)
        client = bastion_client(lab)
        try:
            transport = client.get_transport()
            target = outside.getsockname()
            with pytest.raises(paramiko.ChannelException, match="prohibited"):
                transport.open_channel("direct-tcpip", target, ("127.0.0.1", 0), timeout=5)
            with pytest.raises(BlockingIOError):
                outside.accept()  # nothing ever connected to it
            inside = transport.open_channel(
                "direct-tcpip", lab.endpoint("R1"), ("127.0.0.1", 0), timeout=5
            )
            inside.close()
        finally:
            client.close()
    counts = lab.forwarded("B1", idle_within=IDLE)
    assert counts == ForwardCounts(connections=1, channels=1, refused=1, closed=1)


def test_a_lab_bastion_has_no_shell(lab_factory: LabFactory) -> None:
    client = bastion_client(served_lab(lab_factory))
    try:
        channel = client.get_transport().open_session(timeout=5)
        channel.invoke_shell()
        received = b""
        while chunk := channel.recv(1024):
            received += chunk
        assert received.decode() == REFUSAL + "\r\n"
        assert channel.recv_exit_status() == 1
    finally:
        client.close()
