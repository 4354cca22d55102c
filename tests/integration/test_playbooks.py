"""Every example playbook validates and runs against the lab; the core engine's promises."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from engine.cli import main
from engine.schema import load_schema

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = sorted(
    p for p in (ROOT / "playbooks").glob("*.yml") if not p.name.endswith("inventory.yml")
)
INVENTORY = ROOT / "playbooks" / "inventory.yml"


def inventory_for(playbook: Path) -> Path:
    """A playbook names its inventory in its header comment (`-i ...`)."""
    for line in playbook.read_text().splitlines():
        if "-i playbooks/" in line:
            return ROOT / line.split("-i ", 1)[1].split()[0]
    return INVENTORY


@pytest.mark.parametrize("playbook", PLAYBOOKS, ids=lambda p: p.name)
def test_example_playbook_validates(playbook: Path) -> None:
    assert main(["validate", str(playbook), "-i", str(inventory_for(playbook))]) == 0


@pytest.mark.parametrize("playbook", PLAYBOOKS, ids=lambda p: p.name)
def test_example_playbook_runs_cleanly_against_the_lab(playbook: Path, tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    code = main(
        [
            "run",
            str(playbook),
            "-i",
            str(inventory_for(playbook)),
            "--lab",
            "--results",
            str(results),
            "--output-dir",
            str(tmp_path),  # save_to files stay out of the working tree
        ]
    )
    data = json.loads(results.read_text())
    jsonschema.validate(data, load_schema("results"))
    assert code == 0, data


CROSS_HOST = """
name: Cross-host
hosts: routers
steps:
  - name: Read version
    send: show version | include uptime
    register: ver
  - name: Read clock
    send: show clock
  - name: Echo a peer's first step
    send: "show running-config | include {{ hostvars[peer].ver.output.split()[0] }}"
    vars:
      peer: "{{ 'R2' if inventory_hostname == 'R1' else 'R1' }}"
    register: echoed
"""


def test_a_third_step_uses_another_hosts_first_step_output(tmp_path: Path) -> None:
    book = tmp_path / "cross.yml"
    book.write_text(CROSS_HOST)
    results = tmp_path / "r.json"
    assert main(["run", str(book), "-i", str(INVENTORY), "--lab", "--results", str(results)]) == 0
    last = json.loads(results.read_text())["steps"][-1]["results"]
    sent = {r["host"]: r["commands"][0] for r in last}
    # R1 reads R2's hostname from R2's first step, everybody else reads R1's
    assert sent == {
        "R1": "show running-config | include R2",
        "R2": "show running-config | include R1",
        "R3": "show running-config | include R1",
    }
    assert all(r["status"] == "ok" for r in last)


def test_a_failing_host_among_healthy_ones_keeps_everyone_elses_results(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.yml"
    inventory.write_text(
        INVENTORY.read_text().replace(
            "    host: 192.168.100.2\n", "    host: 192.168.100.2\n    lab: {reject_login: true}\n"
        )
    )
    results = tmp_path / "r.json"
    code = main(
        [
            "run",
            str(ROOT / "playbooks" / "ntp-servers.yml"),
            "-i",
            str(inventory),
            "--lab",
            "--results",
            str(results),
        ]
    )
    data = json.loads(results.read_text())
    assert code == 2
    assert data["recap"]["R2"]["failed"] == 1
    assert (
        data["recap"]["R1"]
        == data["recap"]["R3"]
        == {"ok": 3, "changed": 1, "failed": 0, "unreachable": 0, "skipped": 0, "ignored": 0}
    )
    first = data["steps"][0]["results"]
    assert "authentication failed for user 'netops'" in first[1]["error"]
    assert [len(s["results"]) for s in data["steps"]] == [3, 2, 2]
