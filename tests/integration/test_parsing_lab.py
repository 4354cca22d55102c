"""Outputs fetched over real SSH from the lab parse into records with every kind of parser."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler

from engine.lab import DeviceSpec, Lab
from engine.parsing import ParseSpec, parse

pytestmark = pytest.mark.lab

LabFactory = Callable[..., Lab]
PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
AUTO = ParseSpec("textfsm")
SHOWS = ("show ip interface brief", "show version", "show interfaces", "show cdp neighbors")


def devices(*names: str) -> list[DeviceSpec]:
    return [
        DeviceSpec(name, "admin", "pw", secret="en", address=f"192.168.100.{n}")
        for n, name in enumerate(names, 1)
    ]


def fetch(lab: Lab, name: str, commands: Sequence[str]) -> dict[str, str]:
    """Each command's output from one lab device, over SSH with netmiko."""
    host, port = lab.endpoint(name)
    conn = ConnectHandler(
        device_type="cisco_ios", host=host, port=port, username="admin", password="pw", secret="en"
    )
    try:
        conn.enable()
        return {command: conn.send_command(command) for command in commands}
    finally:
        conn.disconnect()


def ios(command: str, output: str, spec: ParseSpec = AUTO) -> list[dict[str, Any]]:
    return parse(spec, platform="cisco_ios", command=command, output=output)


def test_show_commands_parse_into_records_that_agree(lab_factory: LabFactory) -> None:
    lab = lab_factory(devices("R1", "R2"))
    out = fetch(lab, "R1", SHOWS)
    brief, [version], interfaces, neighbors = (ios(c, out[c]) for c in SHOWS)
    assert brief and interfaces and neighbors
    assert [r["interface"] for r in interfaces] == [r["interface"] for r in brief]
    assert version["hostname"] == "R1"
    assert version["version"]
    assert "R2" in {r["neighbor_name"] for r in neighbors}


def test_playbook_templates_read_what_ntc_templates_read(lab_factory: LabFactory) -> None:
    lab = lab_factory(devices("R1"))
    out = fetch(lab, "R1", ["show ip interface brief", "show interfaces"])
    ttp = ParseSpec("ttp", "templates/show_ip_interface_brief.ttp", PLAYBOOKS)
    errors = ParseSpec("textfsm", "templates/show_interfaces_errors.textfsm", PLAYBOOKS)
    ntc_brief = ios("show ip interface brief", out["show ip interface brief"])
    ttp_brief = ios("show ip interface brief", out["show ip interface brief"], ttp)
    assert [(r["interface"], r["ip"], r["status"]) for r in ttp_brief] == [
        (r["interface"], r["ip_address"], r["status"]) for r in ntc_brief
    ]
    counters = ios("show interfaces", out["show interfaces"], errors)
    assert [r["interface"] for r in counters] == [r["interface"] for r in ntc_brief]
    assert all(r["input_errors"].isdigit() and r["crc"].isdigit() for r in counters)


def test_hosts_parsed_at_once_on_threads_each_get_their_own_records(
    lab_factory: LabFactory,
) -> None:
    names = ("R1", "R2", "R3")
    lab = lab_factory(devices(*names))
    ttp = ParseSpec("ttp", "templates/show_ip_interface_brief.ttp", PLAYBOOKS)

    def work(name: str) -> tuple[str, list[str], list[str]]:
        out = fetch(lab, name, ["show version", "show ip interface brief"])
        [version] = ios("show version", out["show version"])
        brief = ios("show ip interface brief", out["show ip interface brief"], ttp)
        ntc = ios("show ip interface brief", out["show ip interface brief"])
        return version["hostname"], [r["ip"] for r in brief], [r["ip_address"] for r in ntc]

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        results = list(pool.map(work, names))
    assert [hostname for hostname, _, _ in results] == list(names)
    assert all(ttp_ips == ntc_ips for _, ttp_ips, ntc_ips in results)
    assert len({tuple(ips) for _, ips, _ in results}) == len(names)  # each host its own
