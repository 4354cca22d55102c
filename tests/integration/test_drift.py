"""Run history and drift over real SSH: three simulated routers outlive several runs, so a
change made between two runs of an audit playbook is what `netplay diff` finds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine import history
from engine.cli import main
from engine.lab import DeviceSpec, Lab

pytestmark = pytest.mark.lab

PASSWORD, SECRET = "pw-Dunlin-6620", "en-Godwit-1187"
AUDIT = """\
name: Configuration audit
hosts: routers
steps:
  - name: Running configuration
    send: show running-config
  - name: Clock and uptime
    send: [show clock, show version | include uptime]
  - name: Uplink counters
    send: show interfaces GigabitEthernet0/1
  - name: Interfaces
    send: show ip interface brief
    parse: textfsm
"""
CHANGE = """\
name: A change made by hand
hosts: R2
steps:
  - config:
      - interface GigabitEthernet0/1
      - description changed by hand
      - exit
      - ntp server 192.0.2.77
"""


class Site:
    """A folder with an inventory of the lab's routers and the audit playbook."""

    def __init__(self, lab: Lab, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder, self.capsys = folder, capsys
        hosts = "".join(
            f"  R{n}: {{host: '{lab.endpoint(f'R{n}')[0]}', port: {lab.endpoint(f'R{n}')[1]}}}\n"
            for n in (1, 2, 3)
        )
        (folder / "inventory.yml").write_text(
            f"defaults: {{username: netops, password: {PASSWORD}, secret: {SECRET}}}\n"
            f"groups:\n  routers: {{hosts: [R1, R2, R3]}}\nhosts:\n{hosts}"
        )
        (folder / "audit.yml").write_text(AUDIT)
        (folder / "change.yml").write_text(CHANGE)

    def run(self, playbook: str, *options: str) -> str:
        """Run a playbook; the id of the run the history kept."""
        argv = ["run", str(self.folder / playbook), "-i", str(self.folder / "inventory.yml")]
        assert main([*argv, "--host-key-policy", "off", "-q", *options]) == 0
        return history.run_ids(history.root_for(self.folder))[-1]

    def diff(self, *argv: str) -> tuple[int, str]:
        self.capsys.readouterr()
        code = main(["diff", *argv, "-p", str(self.folder)])
        return code, self.capsys.readouterr().out


@pytest.fixture
def site(
    lab_factory: Callable[..., Lab],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Site:
    monkeypatch.delenv("NETPLAY_NO_HISTORY")
    lab = lab_factory([DeviceSpec(f"R{n}", "netops", PASSWORD, secret=SECRET) for n in (1, 2, 3)])
    return Site(lab, tmp_path, capsys)


def test_a_config_change_between_two_runs_shows_as_that_hosts_lines(site: Site) -> None:
    before = site.run("audit.yml")
    site.run("change.yml", "--no-history")
    after = site.run("audit.yml")
    code, out = site.diff(before, after)
    assert code == 1
    blocks = [block.splitlines() for block in out.split("\n\n")[1:-1]]
    assert blocks == [
        [
            "R2  Running configuration  [show running-config]",
            "    interface GigabitEthernet0/1",
            "  -  description uplink",
            "  +  description changed by hand",
            "  + ntp server 192.0.2.77",
            "  + !",
        ],
        [
            "R2  Uplink counters  [show interfaces GigabitEthernet0/1]",
            "    GigabitEthernet0/1 is up, line protocol is up (connected)",
            "  -   Description: uplink",
            "  +   Description: changed by hand",
        ],
    ]
    assert out.splitlines()[-1].startswith("drift on 1 of 3 hosts: R2 (left out: uptime, clock")


def test_runs_that_differ_only_in_clock_uptime_and_counters_show_no_drift(site: Site) -> None:
    first = site.run("audit.yml")
    second = site.run("audit.yml")
    code, out = site.diff()  # the last two runs
    assert code == 0
    assert out.startswith(f"--- A {first}  audit.yml  ")
    assert out.splitlines()[1].startswith(f"+++ B {second}  audit.yml  ")
    assert "no drift: 3 hosts, 4 steps" in out
    code, out = site.diff(first, second, "--exact")
    assert code == 1
    assert "[show clock]" in out  # the clock did move between the runs


def test_history_lists_the_runs_of_the_audit(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = [site.run("audit.yml"), site.run("audit.yml")]
    capsys.readouterr()
    assert main(["history", str(site.folder / "audit.yml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ids
    assert all(
        line.split()[3:5] == ["audit.yml", "3"] and line.endswith("ok") for line in lines[1:]
    )
