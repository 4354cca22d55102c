"""The sub-commands over replayed devices: what `run` keeps when a run ends badly."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from engine import commands
from engine import steps as stage
from engine.cli import guarded
from engine.drivers import ConnectionSettings
from engine.drivers.replay import ReplayDriver, Script
from engine.inventory import Host
from engine.options import RunOptions
from engine.runner import Stop

INVENTORY = "hosts:\n  R1: {host: 10.0.0.1}\n  R2: {host: 10.0.0.2}\n  R3: {host: 10.0.0.3}\n"
PLAYBOOK = """\
name: Two steps
hosts: all
steps:
  - {name: first, send: show clock}
  - {name: second, send: show version}
"""


def replay(host: Host, settings: ConnectionSettings) -> ReplayDriver:
    return ReplayDriver(host, settings, Script({"show clock": "noon"}))


def files(tmp_path: Path, playbook: str = PLAYBOOK) -> tuple[str, RunOptions]:
    (tmp_path / "inventory.yml").write_text(INVENTORY)
    (tmp_path / "playbook.yml").write_text(playbook)
    options = RunOptions(
        inventory=tmp_path / "inventory.yml", results=tmp_path / "run.json", quiet=True
    )
    return str(tmp_path / "playbook.yml"), options


def test_an_unexpected_error_mid_run_exits_1_in_one_line_and_keeps_the_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = stage.conclude

    def conclude(step: Any, result: Any, variables: Any) -> Any:
        if step.name == "second":
            raise RuntimeError("a bug in the second step")
        return real(step, result, variables)

    monkeypatch.setattr(stage, "conclude", conclude)
    monkeypatch.delenv("NETPLAY_DEBUG", raising=False)
    playbook, options = files(tmp_path)
    options = replace(options, forks=1)  # one host at a time: R1's first step is done first
    code = guarded(lambda: commands.run(playbook, options, driver_factory=replay))
    err = capsys.readouterr().err
    assert code == 1
    assert "error: internal error: RuntimeError: a bug in the second step" in err
    assert "Traceback" not in err
    data = json.loads((tmp_path / "run.json").read_text())
    kept = sorted((s["step"], r["host"]) for s in data["steps"] for r in s["results"])
    rows = (tmp_path / "run.jsonl").read_text().splitlines()
    assert kept == sorted((json.loads(row)["step"], json.loads(row)["host"]) for row in rows)
    assert ("first", "R1") in kept


def test_run_writes_the_results_of_every_host_with_plain_facts(tmp_path: Path) -> None:
    playbook, options = files(
        tmp_path, "name: p\nhosts: all\nsteps:\n  - set: {hv: '{{ hostvars }}'}\n"
    )
    assert commands.run(playbook, options, driver_factory=replay) == 0
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["steps"][0]["results"][2]["facts"]["hv"]["R1"]["inventory_hostname"] == "R1"


def test_a_vars_template_failing_on_one_host_names_its_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    playbook, options = files(
        tmp_path,
        "name: p\nhosts: all\nvars:\n  v: \"{{ {'R1': 'clock'}[inventory_hostname] }}\"\n"
        "steps:\n  - send: show {{ v }}\n",
    )
    assert commands.run(playbook, options, driver_factory=replay) == 2
    data = json.loads((tmp_path / "run.json").read_text())
    r1, r2, _ = data["steps"][0]["results"]
    assert (r1["status"], r1["commands"]) == ("ok", ["show clock"])
    assert r2["error"].startswith(f"{playbook}:4:6: vars.v: ")


def test_rerun_failed_after_an_interrupted_run_runs_the_hosts_it_did_not_get_to(
    tmp_path: Path,
) -> None:
    stop = Stop()

    def interrupting(host: Host, settings: ConnectionSettings) -> ReplayDriver:
        driver = replay(host, settings)
        if host.name == "R1":  # Ctrl-C comes while R1 runs its first command
            send = driver.send

            def sending(command: str, **kwargs: Any) -> Any:
                stop.set()
                return send(command, **kwargs)

            driver.send = sending  # type: ignore[method-assign]
        return driver

    playbook, options = files(tmp_path)
    options = replace(options, forks=1)
    assert commands.run(playbook, options, stop=stop, driver_factory=interrupting) == 99
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["not_run"][0] == {"play": "Two steps", "step": "first", "hosts": ["R2", "R3"]}
    previous = tmp_path / "previous.json"
    (tmp_path / "run.json").rename(previous)
    again = replace(options, rerun_failed=previous)
    assert commands.run(playbook, again, driver_factory=replay) == 0
    rerun = json.loads((tmp_path / "run.json").read_text())
    assert rerun["hosts"] == ["R1", "R2", "R3"]  # R1 did not get to its second step


ROLLING = """\
name: Rolling
hosts: all
serial: 1
max_fail_percentage: 0
steps:
  - {name: first, send: show clock}
"""


def test_rerun_failed_after_a_stopped_rollout_runs_the_failed_host_and_those_it_skipped(
    tmp_path: Path,
) -> None:
    def r2_refuses(host: Host, settings: ConnectionSettings) -> ReplayDriver:
        refused = "% Invalid input detected at '^' marker."
        script = Script({"show clock": refused if host.name == "R2" else "noon"})
        return ReplayDriver(host, settings, script)

    playbook, options = files(tmp_path, ROLLING)
    assert commands.run(playbook, options, driver_factory=r2_refuses) == 2
    data = json.loads((tmp_path / "run.json").read_text())
    assert "not_run" not in data  # a stopped rollout leaves results, not gaps
    assert [r["kind"] for r in data["steps"][0]["results"]] == [None, "rejected", "stopped"]
    previous = tmp_path / "previous.json"
    (tmp_path / "run.json").rename(previous)
    again = replace(options, rerun_failed=previous)
    assert commands.run(playbook, again, driver_factory=replay) == 0
    assert json.loads((tmp_path / "run.json").read_text())["hosts"] == ["R2", "R3"]


def test_list_steps_shows_a_rolling_plays_batches_and_stop_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    playbook, options = files(tmp_path, ROLLING.replace("serial: 1", "serial: [1, '50%']"))
    assert commands.run(playbook, replace(options, list_steps=True)) == 0
    assert capsys.readouterr().out.splitlines()[:4] == [
        "play: Rolling  (hosts: all)",
        "  serial: 1, 50%  (batches: R1 | R2 | R3)",
        "  max_fail_percentage: 0",
        "  - first  (send)",
    ]
