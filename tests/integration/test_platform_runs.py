"""`netplay run` against lab devices of the commit platforms: what counts as a change, ensure
on Junos, and a step whose candidate was dropped. One device lives across the test's runs."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.lab import DeviceSpec, Lab

pytestmark = pytest.mark.lab

PASSWORD = "pw-Ibis-2291"
INVENTORY = "hosts:\n  {name}: {{host: '{address}', port: {port}, platform: {platform}}}\n"
JUNOS_NTP = """
name: NTP
hosts: all
steps:
  - name: NTP server
    ensure: set system ntp server 192.0.2.44
"""


class Device:
    """A lab device that outlives single runs; `run(playbook)` gives its one host's results."""

    def __init__(self, lab: Lab, name: str, platform: str, folder: Path) -> None:
        address, port = lab.endpoint(name)
        self.folder, self.runs = folder, 0
        self.inventory = folder / "inventory.yml"
        text = INVENTORY.format(name=name, address=address, port=port, platform=platform)
        defaults = f"defaults: {{username: netops, password: {PASSWORD}}}\n"
        self.inventory.write_text(defaults + text)

    def run(self, playbook: str, *options: str) -> tuple[int, dict[str, dict[str, Any]]]:
        self.runs += 1
        book, results = self.folder / f"book{self.runs}.yml", self.folder / f"r{self.runs}.json"
        book.write_text(textwrap.dedent(playbook))
        code = main(
            [
                *("run", str(book), "-i", str(self.inventory), "--host-key-policy", "off"),
                *("--results", str(results), *options),
            ]
        )
        steps = json.loads(results.read_text())["steps"]
        return code, {s["step"]: s["results"][0] for s in steps if s["results"]}


@pytest.fixture
def make(lab_factory: Callable[..., Lab], tmp_path: Path) -> Callable[[str], Device]:
    def started(platform: str) -> Device:
        name = platform.split("_")[-1] + "1"
        lab = lab_factory([DeviceSpec(name, "netops", PASSWORD, platform=platform)])
        return Device(lab, name, platform, tmp_path)

    return started


def test_ensure_on_junos_commits_a_missing_line_once_and_then_changes_nothing(
    make: Callable[[str], Device],
) -> None:
    junos = make("juniper_junos")
    code, first = junos.run(JUNOS_NTP, "--diff")
    assert code == 0 and first["NTP server"]["changed"]
    assert first["NTP server"]["diff"] == "+set system ntp server 192.0.2.44"
    code, again = junos.run(JUNOS_NTP)
    assert code == 0 and again["NTP server"]["status"] == "ok"
    assert not again["NTP server"]["changed"] and again["NTP server"]["commands"] == []


def test_a_junos_step_with_a_rejected_line_fails_unchanged_and_commits_nothing(
    make: Callable[[str], Device],
) -> None:
    junos = make("juniper_junos")
    code, results = junos.run(
        """
        name: Typo
        hosts: all
        steps:
          - name: Change
            config: [set system host-name edge-7, set system ntp servr 192.0.2.1]
            save: true
          - name: Committed
            send: show configuration | display set | match host-name
        """,
        "--diff",
    )
    change = results["Change"]
    assert code == 2 and change["status"] == "failed" and change["kind"] == "rejected"
    assert (
        change["error"] == "'set system ntp servr 192.0.2.1': syntax error.; nothing was committed"
    )
    assert not change["changed"] and change.get("diff") is None
    _, after = junos.run("{name: Read, hosts: all, steps: [{send: show configuration}]}")
    assert "edge-7" not in after["show configuration"]["output"]


def test_an_ios_xr_config_step_reports_the_committed_change_as_its_diff(
    make: Callable[[str], Device],
) -> None:
    xr = make("cisco_xr")
    steps = "{name: NTP, hosts: all, steps: [{name: NTP, config: [ntp, ' server 192.0.2.45']}]}"
    code, results = xr.run(steps, "--diff")
    assert code == 0 and results["NTP"]["changed"]
    assert "+ server 192.0.2.45" in results["NTP"]["diff"]
    code, again = xr.run(steps, "--diff")
    assert code == 0 and not again["NTP"]["changed"]


def test_an_ios_xr_config_step_that_changes_nothing_commits_nothing_and_is_not_changed(
    make: Callable[[str], Device],
) -> None:
    xr = make("cisco_xr")
    step = "{name: NTP, hosts: all, steps: [{name: NTP, config: [ntp, ' server 192.0.2.46']}]}"
    listing = "{name: Commits, hosts: all, steps: [{send: show configuration commit list}]}"
    code, first = xr.run(step)
    assert code == 0 and first["NTP"]["changed"]
    commits = xr.run(listing)[1]["show configuration commit list"]["output"].splitlines()[1:]
    assert len(commits) == 3  # the heading, its underline, and the one commit
    code, again = xr.run(step)
    assert code == 0 and not again["NTP"]["changed"]  # without --diff: the candidate said so
    assert "#abort" in again["NTP"]["output"] and "#commit" not in again["NTP"]["output"]
    after = xr.run(listing)[1]["show configuration commit list"]["output"].splitlines()[1:]
    assert after == commits


def test_two_junos_steps_in_a_row_each_commit_from_a_private_candidate(
    make: Callable[[str], Device],
) -> None:
    junos = make("juniper_junos")
    code, results = junos.run(
        """
        name: Two
        hosts: all
        steps:
          - {name: One, config: [set system ntp server 192.0.2.46]}
          - {name: Two, config: [set system ntp server 192.0.2.47]}
        """
    )
    assert code == 0 and results["Two"]["changed"]
